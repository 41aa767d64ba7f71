/** The toolkit's version, sent in every AWS user agent. A static test keeps it equal to package.json's. */
export const TOOLKIT_NAME = 'three-tier-deploy';
export const TOOLKIT_VERSION = '0.1.0';
