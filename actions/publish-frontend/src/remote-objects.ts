/**
 * What the bucket holds under the prefix, and as much as the decision needs about each object:
 * its content MD5, Content-Type and Cache-Control.
 *
 * ListObjectsV2 gives keys, sizes, ETags and LastModified, but not the headers. Rather than a
 * HeadObject per file on every run, the action keeps a manifest object next to the site,
 * written after every change, that records for each object the MD5, headers, ETag and the
 * LastModified S3 gave it. A manifest entry vouches for an object only while the listing shows
 * exactly the recorded ETag and LastModified: anything that rewrote the object since the state
 * was read (another tool, a console edit, a run publishing at the same time, a copy-in-place
 * that changed only metadata, which keeps the ETag but not LastModified) makes it fall back to
 * HeadObject. So a manifest that is stale, or written by a concurrent run, can cost HeadObject
 * calls but never makes a changed object look unchanged. (S3 dates have whole seconds: a foreign
 * metadata-only rewrite in the very second of the recorded write would go unnoticed.)
 * HeadObject is also used where there is no manifest (a bucket first published by another
 * tool), but only for objects of the same size as the local file; a different size is a change
 * without asking.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isAwsError } from '../../common/src/errors.js';
import { s3HeadError } from '../../common/src/s3-head.js';
import type { LocalFile } from './local-files.js';
import { mapLimited } from './pool.js';

export const MANIFEST_NAME = '.publish-frontend-manifest.json';
/** Where the action stores the content MD5 of what it uploaded (multipart ETags are not MD5s). */
export const MD5_METADATA = 'content-md5';

export interface KnownState {
  md5?: string;
  contentType?: string;
  cacheControl?: string;
  /** The ETag S3 gave the object when this state was read or written. */
  etag?: string;
}

/** What S3 reports about an object this run wrote, read back after the writes. */
export interface WrittenObject {
  etag: string;
  /** ISO time to the second. */
  lastModified: string;
}

export interface RemoteObject {
  key: string;
  size: number;
  /** Without the quotes S3 puts around it. */
  etag: string;
  /** ISO time from the listing. */
  lastModified: string;
  /** What is verified about the object's content and headers (from the manifest or HeadObject). */
  known?: KnownState;
}

export interface ManifestEntry {
  md5: string;
  contentType: string;
  cacheControl: string;
  /** Only when it is not the MD5 (multipart uploads, encryption with KMS keys). */
  etag?: string;
  /** The object's LastModified (to the second) when this state was verified or written. */
  modified: string;
}

/**
 * Version 2 added `modified` (version 1 trusted any entry last modified before the manifest,
 * which a run publishing at the same time could defeat); older manifests are ignored.
 */
export const MANIFEST_VERSION = 2;

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  objects: Record<string, ManifestEntry>;
  /** Stale assets of earlier releases kept for keep-previous-assets: key → when first kept. */
  retained?: Record<string, string>;
  /** Viewer paths a failed run could not invalidate: the next run adds them to its own. */
  pendingInvalidation?: string[];
}

export interface StoredManifest {
  manifest: Manifest;
  /** The manifest object's LastModified, as S3 reports it. */
  writtenAt: string;
}

export function manifestKey(prefix: string): string {
  return prefix ? `${prefix}/${MANIFEST_NAME}` : MANIFEST_NAME;
}

/** Every object under the prefix (the manifest excluded), following every page. */
export async function listRemoteObjects(options: {
  s3: S3Client;
  bucket: string;
  prefix: string;
}): Promise<RemoteObject[]> {
  const objects: RemoteObject[] = [];
  const skip = manifestKey(options.prefix);
  let token: string | undefined;
  do {
    const page = await options.s3.send(
      new ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: options.prefix ? `${options.prefix}/` : undefined,
        ContinuationToken: token,
      }),
    );
    for (const item of page.Contents ?? []) {
      if (!item.Key || item.Key === skip) continue;
      objects.push({
        key: item.Key,
        size: item.Size ?? 0,
        etag: unquote(item.ETag),
        lastModified: toSeconds(item.LastModified),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** The manifest, or undefined when there is none or it cannot be read (then HeadObject decides). */
export async function readManifest(options: {
  s3: S3Client;
  bucket: string;
  prefix: string;
  warn: (line: string) => void;
}): Promise<StoredManifest | undefined> {
  try {
    const response = await options.s3.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: manifestKey(options.prefix) }),
    );
    const parsed = JSON.parse(
      (await response.Body?.transformToString('utf8')) ?? '',
    ) as Partial<Manifest>;
    if (
      parsed.version !== MANIFEST_VERSION ||
      typeof parsed.objects !== 'object' ||
      parsed.objects === null
    ) {
      options.warn(`Ignoring ${manifestKey(options.prefix)}: not a manifest this version writes.`);
      return undefined;
    }
    // Optional fields of another shape (a hand edit) are dropped rather than trusted.
    const manifest = parsed as Manifest;
    if (
      !Array.isArray(manifest.pendingInvalidation) ||
      !manifest.pendingInvalidation.every(
        (item) => typeof item === 'string' && item.startsWith('/'),
      )
    )
      delete manifest.pendingInvalidation;
    if (
      typeof manifest.retained !== 'object' ||
      manifest.retained === null ||
      Array.isArray(manifest.retained) ||
      !Object.values(manifest.retained).every((since) => typeof since === 'string')
    )
      delete manifest.retained;
    return { manifest, writtenAt: toSeconds(response.LastModified) };
  } catch (error) {
    if (isAwsError(error, 'NoSuchKey', 'NotFound')) return undefined;
    if (error instanceof SyntaxError) {
      options.warn(`Ignoring ${manifestKey(options.prefix)}: it is not valid JSON.`);
      return undefined;
    }
    throw error;
  }
}

/** Pure: the objects with what the manifest can vouch for filled in. */
export function applyManifest(
  remote: readonly RemoteObject[],
  stored: StoredManifest | undefined,
): RemoteObject[] {
  if (!stored) return [...remote];
  return remote.map((object) => {
    const entry = stored.manifest.objects[object.key];
    if (!entry || (entry.etag ?? entry.md5) !== object.etag) return object;
    // Rewritten since the entry was recorded (perhaps with the same bytes and other headers,
    // which keeps the ETag): the entry no longer describes it; ask S3.
    if (entry.modified !== object.lastModified) return object;
    return {
      ...object,
      known: {
        md5: entry.md5,
        contentType: entry.contentType,
        cacheControl: entry.cacheControl,
        etag: object.etag,
      },
    };
  });
}

/** Pure: the objects whose state must be read with HeadObject before the plan can decide. */
export function objectsToHead(
  local: readonly LocalFile[],
  remote: readonly RemoteObject[],
): RemoteObject[] {
  const byKey = new Map(remote.map((object) => [object.key, object]));
  return local.flatMap((file) => {
    const object = byKey.get(file.key);
    return object && !object.known && object.size === file.size ? [object] : [];
  });
}

/** Reads content MD5 and headers with HeadObject for the given objects. */
export async function headObjects(options: {
  s3: S3Client;
  bucket: string;
  objects: readonly RemoteObject[];
  concurrency: number;
  /** The client's region, to tell a redirect from a refusal (s3-head.ts); optional for tests. */
  region?: string;
}): Promise<Map<string, KnownState>> {
  const states = await mapLimited(options.objects, options.concurrency, async (object) => {
    const head = await options.s3
      .send(new HeadObjectCommand({ Bucket: options.bucket, Key: object.key }))
      .catch((error: unknown) => {
        throw (
          s3HeadError(error, {
            bucket: options.bucket,
            key: object.key,
            region: options.region ?? '',
          }) ?? error
        );
      });
    const stored = head.Metadata?.[MD5_METADATA];
    const known: KnownState = {
      md5: stored ?? (isPlainMd5Etag(object.etag) ? object.etag : undefined),
      contentType: head.ContentType,
      cacheControl: head.CacheControl,
      etag: unquote(head.ETag) || object.etag,
    };
    return [object.key, known] as const;
  });
  return new Map(states);
}

/**
 * Pure: the manifest after this run, for the objects the site now has: what the run wrote, as
 * S3 reported it when read back after the writes, and the state it read and kept for the rest,
 * dated by the listing. An object whose read-back ETag is not the one this run's write returned
 * was rewritten by someone else meanwhile, and gets no entry (the next run asks S3).
 */
export function nextManifest(options: {
  keys: readonly string[];
  written: ReadonlyMap<string, KnownState>;
  /** The ETag and LastModified of the written objects, read back after the writes. */
  readBack: ReadonlyMap<string, WrittenObject>;
  before: readonly RemoteObject[];
  /** Stale assets kept for keep-previous-assets: key → when first kept. */
  retained?: Readonly<Record<string, string>>;
  pendingInvalidation?: readonly string[];
}): Manifest {
  const listed = new Map(options.before.map((object) => [object.key, object]));
  const objects: Record<string, ManifestEntry> = {};
  for (const key of [...options.keys].sort()) {
    const written = options.written.get(key);
    let state: KnownState | undefined;
    let modified: string | undefined;
    if (written) {
      const back = options.readBack.get(key);
      if (back && back.etag === written.etag) [state, modified] = [written, back.lastModified];
    } else {
      const object = listed.get(key);
      // A HeadObject that saw another ETag than the listing raced a write: no entry.
      if (object?.known && object.known.etag === object.etag)
        [state, modified] = [object.known, object.lastModified];
    }
    if (
      !state?.md5 ||
      !state.etag ||
      !modified ||
      state.contentType === undefined ||
      state.cacheControl === undefined
    )
      continue;
    objects[key] = {
      md5: state.md5,
      contentType: state.contentType,
      cacheControl: state.cacheControl,
      ...(state.etag !== state.md5 ? { etag: state.etag } : {}),
      modified,
    };
  }
  const retained = Object.fromEntries(
    Object.entries(options.retained ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    version: MANIFEST_VERSION,
    objects,
    ...(Object.keys(retained).length > 0 ? { retained } : {}),
    ...(options.pendingInvalidation?.length
      ? { pendingInvalidation: [...new Set(options.pendingInvalidation)].sort() }
      : {}),
  };
}

/** Up to this many written objects are read back with HeadObject; more, with one listing. */
const READ_BACK_BY_HEAD = 64;

/**
 * Reads back the ETag and LastModified S3 gave the objects this run wrote (PutObject and
 * CompleteMultipartUpload do not return LastModified), so the manifest can date its entries.
 */
export async function readBackWritten(options: {
  s3: S3Client;
  bucket: string;
  prefix: string;
  keys: readonly string[];
  concurrency: number;
  /** The client's region, to tell a redirect from a refusal (s3-head.ts). */
  region?: string;
}): Promise<Map<string, WrittenObject>> {
  const { s3, bucket } = options;
  if (options.keys.length > READ_BACK_BY_HEAD) {
    const wanted = new Set(options.keys);
    const listed = await listRemoteObjects({ s3, bucket, prefix: options.prefix });
    return new Map(
      listed
        .filter((object) => wanted.has(object.key))
        .map((object) => [object.key, { etag: object.etag, lastModified: object.lastModified }]),
    );
  }
  const heads = await mapLimited(options.keys, options.concurrency, async (key) => {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return [[key, { etag: unquote(head.ETag), lastModified: toSeconds(head.LastModified) }]];
    } catch (error) {
      // Deleted meanwhile by someone else: no entry for it.
      if (isAwsError(error, 'NotFound', 'NoSuchKey')) return [];
      throw s3HeadError(error, { bucket, key, region: options.region ?? '' }) ?? error;
    }
  });
  return new Map(heads.flat() as [string, WrittenObject][]);
}

export async function writeManifest(options: {
  s3: S3Client;
  bucket: string;
  prefix: string;
  manifest: Manifest;
}): Promise<void> {
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: manifestKey(options.prefix),
      Body: JSON.stringify(options.manifest),
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-store',
    }),
  );
}

/** A single-part upload's ETag is the hex MD5 of the content; a multipart one ends in `-<parts>`. */
export function isPlainMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}

/** The content MD5 of an object as far as it is known. */
export function remoteMd5(object: RemoteObject): string | undefined {
  return object.known?.md5 ?? (isPlainMd5Etag(object.etag) ? object.etag : undefined);
}

/**
 * LastModified to the second: ListObjectsV2 shows milliseconds, HeadObject's Last-Modified
 * header does not, and S3 keeps seconds only, so both read the same after this.
 */
export function toSeconds(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 19)}Z` : '';
}

export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
