/**
 * Cache-Control for each file. The user's rules (glob → value, first match wins, in the order
 * given) come first; then three defaults:
 *   - a content-hashed file name → `public, max-age=31536000, immutable` (its name changes
 *     whenever its content does, so a cache may keep it for a year);
 *   - HTML → `no-cache` (a cache must revalidate it, so visitors get the release's entry point);
 *   - everything else → `public, max-age=300` (a name that is reused across releases).
 */
import { compileGlob, type Glob } from './glob.js';
import { isHtml } from './content-type.js';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const HTML_CACHE_CONTROL = 'no-cache';
export const SHORT_CACHE_CONTROL = 'public, max-age=300';

export interface CacheRule {
  glob: Glob;
  value: string;
}

export function compileCacheRules(rules: Readonly<Record<string, string>>): CacheRule[] {
  return Object.entries(rules).map(([pattern, value]) => ({ glob: compileGlob(pattern), value }));
}

export function cacheControlFor(options: {
  relativePath: string;
  contentType: string;
  rules: readonly CacheRule[];
}): string {
  const rule = options.rules.find((candidate) => candidate.glob.matches(options.relativePath));
  if (rule) return rule.value;
  if (isHtml(options.contentType)) return HTML_CACHE_CONTROL;
  if (isContentHashed(options.relativePath)) return IMMUTABLE;
  return SHORT_CACHE_CONTROL;
}

/** True when a Cache-Control value lets caches keep the object without asking again. */
export function isImmutable(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /(^|,)\s*immutable\s*(,|$)/i.test(cacheControl);
}

const HEX_HASH = /^[0-9a-f]{8,64}$/i;
const BASE64URL_HASH = /^[A-Za-z0-9_-]{8}$/;

/**
 * Whether a file name carries a content hash, as bundlers write them:
 *   - a dot-separated hex token of 8 to 64 characters: `app.3f9a1c2b.js`,
 *     `main.3f9a1c2b.chunk.js`, `styles.5e1f0c9d8a7b6c4e.css` (webpack, Angular, CRA);
 *   - a hex token after the last `-`: `chunk-3f9a1c2b.js` (esbuild);
 *   - an 8-character base64url token after a `-`: `index-BQ8x_a1Z.js` (Vite/Rollup).
 * A hex token needs a digit and a letter (so a date such as `report-20240101.pdf` is not a
 * hash); a base64url token needs a lower-case letter and an upper-case letter after its first
 * character (so words such as `user-settings.js`, `app-Settings.js`, `button-primary1.png` or
 * `icon-arrow-2x.png` are not hashes; about 96% of Rollup's random tokens qualify). A file the
 * rule misses gets the short max-age, which is safe; a cache-control rule can mark it immutable.
 */
export function isContentHashed(relativePath: string): boolean {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const parts = name.split('.');
  if (parts.length < 2) return false;
  const stem = parts.slice(0, -1);
  const dotTokens = stem.slice(1);
  if (dotTokens.some(looksLikeHexHash)) return true;
  return stem.some((part) => {
    const dashed = /-([A-Za-z0-9_-]{8,64})$/.exec(part);
    if (!dashed) return false;
    const token = dashed[1] as string;
    // The base64url alphabet includes `-`, so try the last 8 characters after any `-` too.
    const tail = /-([A-Za-z0-9_-]{8})$/.exec(part)?.[1];
    return (
      looksLikeHexHash(lastDashSegment(token)) || (tail !== undefined && looksLikeBase64Hash(tail))
    );
  });
}

function lastDashSegment(token: string): string {
  return token.slice(token.lastIndexOf('-') + 1);
}

function looksLikeHexHash(token: string): boolean {
  return HEX_HASH.test(token) && /\d/.test(token) && /[a-f]/i.test(token);
}

function looksLikeBase64Hash(token: string): boolean {
  return BASE64URL_HASH.test(token) && /[a-z]/.test(token) && /[A-Z]/.test(token.slice(1));
}
