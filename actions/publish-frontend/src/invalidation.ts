/**
 * CloudFront invalidation: which paths (pure), creating it with back-off while CloudFront has
 * too many in progress, and waiting for it when asked.
 *
 * Cost model: the first 1,000 paths a month are free, then each path costs; a wildcard counts
 * as one path. So the action names only paths a cache may hold stale (changed or deleted
 * objects that are not immutable hashed assets), and above `max-invalidation-paths` sends one
 * `/*` instead.
 */
import {
  CreateInvalidationCommand,
  GetInvalidationCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { TimeoutError, isAwsError } from '../../common/src/errors.js';
import { formatDuration } from '../../common/src/format.js';
import { poll } from '../../common/src/poller.js';
import type { InvalidateMode } from './inputs.js';

export interface InvalidationChoice {
  paths: string[];
  /** Why these paths, for the summary: `3 changed paths`, `42 paths > 15, collapsed to /*`. */
  reason: string;
}

export function choosePaths(options: {
  mode: InvalidateMode;
  anythingChanged: boolean;
  staleKeys: readonly string[];
  maxPaths: number;
  urlPathFor: (key: string) => string;
  /** Viewer paths an earlier run published but failed to invalidate: owed whatever changed now. */
  pendingPaths?: readonly string[];
}): InvalidationChoice {
  const pending = options.pendingPaths ?? [];
  if (options.mode === 'none') return { paths: [], reason: 'invalidate: none' };
  if (!options.anythingChanged && pending.length === 0)
    return { paths: [], reason: 'nothing changed' };
  if (options.mode === 'all') return { paths: ['/*'], reason: 'invalidate: all' };
  const paths = new Set<string>(pending);
  for (const key of options.staleKeys) {
    const urlPath = options.urlPathFor(key);
    paths.add(urlPath);
    // A folder's index.html is also served as the folder itself: `/` and `/docs/`.
    if (urlPath === '/index.html' || urlPath.endsWith('/index.html')) {
      paths.add(urlPath.slice(0, -'index.html'.length));
    }
  }
  const sorted = [...paths].sort();
  if (sorted.length === 0) return { paths: [], reason: 'only new or immutable files changed' };
  // An earlier run owes /* (CloudFront refused its paths): it covers everything else.
  if (paths.has('/*')) return { paths: ['/*'], reason: '/* left by an earlier failed run' };
  if (sorted.length > options.maxPaths) {
    return {
      paths: ['/*'],
      reason: `${sorted.length} paths > max-invalidation-paths ${options.maxPaths}, collapsed to /*`,
    };
  }
  const owed = pending.length > 0 ? `, ${pending.length} left by an earlier failed run` : '';
  return {
    paths: sorted,
    reason: `${sorted.length} stale path${sorted.length === 1 ? '' : 's'}${owed}`,
  };
}

/**
 * The viewer path of an object key, as CloudFront wants it in an invalidation: the origin's path
 * (OriginPath) removed, and exactly the characters CloudFront documents percent-encoded. CloudFront
 * Developer Guide, "What you need to know when invalidating files"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html):
 * "If the path includes non-ASCII characters or unsafe characters as defined in RFC 1738,
 * URL-encode those characters. Do not URL-encode any other characters in the path, or CloudFront
 * will not invalidate the old version of the updated file." So `@ + = , ; : & $` stay as they are
 * (encodeURIComponent encoded them) and `~` is encoded (it left that alone).
 *
 * Two characters the rule does not settle: `?` is encoded, since in an invalidation path it starts
 * the query string; and a key holding `*` becomes the wildcard of its prefix (`a*b.html` → `/a*`),
 * since "The *, which replaces 0 or more characters, must be the last character in the
 * invalidation path" and an encoded `%2A` would not invalidate the object at all. The wildcard
 * invalidates a little more, and costs as one path.
 */
export function urlPathFor(key: string, originPath = ''): string {
  const relative = relativeToOrigin(key, originPath);
  const star = relative.indexOf('*');
  const path = star >= 0 ? relative.slice(0, star) : relative;
  return `/${[...path].map(encodeUnsafe).join('')}${star >= 0 ? '*' : ''}`;
}

/** The key as the distribution sees it: without the origin's path (OriginPath `/web`: `web/a` → `a`). */
export function relativeToOrigin(key: string, originPath = ''): string {
  const origin = originPath.replace(/^\/+|\/+$/g, '');
  return origin && key.startsWith(`${origin}/`) ? key.slice(origin.length + 1) : key;
}

/** RFC 1738 §2.2's unsafe characters (plus `?`, see urlPathFor); controls and non-ASCII apart. */
const UNSAFE = new Set([...' "<>#%{}|\\^~[]`?']);

function encodeUnsafe(character: string): string {
  const code = character.codePointAt(0) as number;
  if (code > 0x20 && code < 0x7f && !UNSAFE.has(character)) return character;
  return [...Buffer.from(character, 'utf8')]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

export interface CreateOptions {
  cloudfront: CloudFrontClient;
  distributionId: string;
  paths: readonly string[];
  callerReference: string;
  /** How long to keep retrying while CloudFront has too many invalidations in progress. */
  timeoutMs: number;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Creates the invalidation, backing off (5 s doubling to 60 s) on TooManyInvalidationsInProgress. */
export async function createInvalidation(options: CreateOptions): Promise<string> {
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let delay = 5000;
  for (;;) {
    try {
      const response = await options.cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: options.distributionId,
          InvalidationBatch: {
            CallerReference: options.callerReference,
            Paths: { Quantity: options.paths.length, Items: [...options.paths] },
          },
        }),
      );
      const id = response.Invalidation?.Id;
      if (!id) throw new Error('CloudFront returned no invalidation id.');
      return id;
    } catch (error) {
      if (!isAwsError(error, 'TooManyInvalidationsInProgress')) throw error;
      if (now() + delay > deadline) {
        throw new TimeoutError(
          `CloudFront kept refusing a new invalidation for ${options.distributionId} (too many in progress) for ${formatDuration(options.timeoutMs)}. The files are published; only the cache invalidation is missing.`,
        );
      }
      options.log(
        `CloudFront has too many invalidations in progress for ${options.distributionId}; retrying in ${formatDuration(delay)}.`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 60_000);
    }
  }
}

/** Waits until CloudFront reports the invalidation Completed (compared without regard to case). */
export async function waitForInvalidation(options: {
  cloudfront: CloudFrontClient;
  distributionId: string;
  invalidationId: string;
  timeoutMs: number;
  intervalMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}): Promise<void> {
  await poll({
    what: `invalidation ${options.invalidationId}`,
    intervalMs: options.intervalMs ?? 5000,
    timeoutMs: options.timeoutMs,
    log: options.log,
    sleep: options.sleep,
    now: options.now,
    check: async () => {
      const response = await options.cloudfront.send(
        new GetInvalidationCommand({
          DistributionId: options.distributionId,
          Id: options.invalidationId,
        }),
      );
      const status = response.Invalidation?.Status ?? 'unknown';
      return { done: status.toLowerCase() === 'completed', state: status };
    },
  });
}
