/**
 * Every input of action.yml, named once: the reader (inputs.ts) and the metadata tests
 * (tests/static/action-defaults.test.ts) use these constants, so a renamed or added input cannot
 * drift between the code and action.yml.
 */
export const INPUT = {
  source: 'source',
  bucket: 'bucket',
  prefix: 'prefix',
  distributionId: 'distribution-id',
  delete: 'delete',
  cacheControl: 'cache-control',
  contentTypes: 'content-types',
  invalidate: 'invalidate',
  waitForInvalidation: 'wait-for-invalidation',
  timeoutMinutes: 'timeout-minutes',
  /** Deprecated alias of timeout-minutes (the first edition's name, which bounded only the waits). */
  invalidationTimeout: 'invalidation-timeout',
  maxInvalidationPaths: 'max-invalidation-paths',
  maxDeletions: 'max-deletions',
  keepPreviousAssets: 'keep-previous-assets',
  concurrency: 'concurrency',
  requireIndex: 'require-index',
  followSymlinks: 'follow-symlinks',
  dryRun: 'dry-run',
  awsRegion: 'aws-region',
} as const;

export type InputName = (typeof INPUT)[keyof typeof INPUT];
