/**
 * Content-Type for each file: the `mime` package's table (maintained from the IANA and Apache
 * lists), explicit entries for the web types browsers are strict about, `charset=utf-8` on text,
 * and the user's `content-types` overrides by extension on top of all of that.
 */
import mime from 'mime';

/**
 * Types a browser refuses or mishandles when wrong (WebAssembly streaming compilation needs
 * application/wasm; module scripts need a JavaScript type). Pinned here so a change in the mime
 * table or the OS cannot change them.
 */
export const WEB_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  ico: 'image/x-icon',
  webp: 'image/webp',
  avif: 'image/avif',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
  txt: 'text/plain',
  xml: 'application/xml',
  pdf: 'application/pdf',
};

export const FALLBACK_TYPE = 'application/octet-stream';

/** Types that are text although they are not `text/*`: they get `charset=utf-8` too. */
const TEXT_APPLICATION_TYPES = new Set([
  'application/json',
  'application/manifest+json',
  'application/ld+json',
  'application/geo+json',
  'application/xml',
  'application/javascript',
  'application/rss+xml',
  'application/atom+xml',
  'image/svg+xml',
]);

/** Extension (lower case, no dot) of a path's file name; '' when it has none. */
export function extensionOf(relativePath: string): string {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isTextType(type: string): boolean {
  const base = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    base.startsWith('text/') ||
    TEXT_APPLICATION_TYPES.has(base) ||
    base.endsWith('+json') ||
    base.endsWith('+xml')
  );
}

/**
 * The Content-Type to store. `overrides` maps extensions (without dot, lower case) to a full
 * Content-Type, used exactly as given.
 */
export function contentTypeFor(
  relativePath: string,
  overrides: Readonly<Record<string, string>> = {},
): string {
  const extension = extensionOf(relativePath);
  const override = overrides[extension];
  if (override !== undefined) return override;
  const type =
    WEB_TYPES[extension] ?? (extension ? mime.getType(extension) : null) ?? FALLBACK_TYPE;
  return isTextType(type) ? `${type}; charset=utf-8` : type;
}

/** True for the documents that reference other files and so are uploaded last. */
export function isHtml(contentType: string): boolean {
  return /^text\/html\b/i.test(contentType);
}
