/**
 * What the bucket holds under the prefix, and as much as the decision needs about each object:
 * its content MD5, Content-Type and Cache-Control.
 *
 * ListObjectsV2 gives keys, sizes, ETags and LastModified, but not the headers. Rather than a
 * HeadObject per file on every run, the action keeps a manifest object next to the site that
 * records, for every object it wrote, the MD5 and headers it wrote along with the ETag and
 * LastModified the listing showed afterwards. A manifest entry vouches for an object only while
 * the listing still shows that exact ETag and LastModified: anything that rewrote the object
 * since (another tool, a console edit, a copy-in-place that changed only metadata, which keeps
 * the ETag but not LastModified) makes it fall back to HeadObject. HeadObject is also used where
 * there is no manifest (a bucket first published by another tool), but only for objects of the
 * same size as the local file; a different size is a change without asking.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isAwsError } from '../../common/src/errors.js';
import type { LocalFile } from './local-files.js';
import { mapLimited } from './pool.js';

export const MANIFEST_NAME = '.publish-frontend-manifest.json';
/** Where the action stores the content MD5 of what it uploaded (multipart ETags are not MD5s). */
export const MD5_METADATA = 'content-md5';

export interface KnownState {
  md5?: string;
  contentType?: string;
  cacheControl?: string;
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
  etag: string;
  lastModified: string;
}

export interface Manifest {
  version: 1;
  objects: Record<string, ManifestEntry>;
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
}): Promise<Manifest | undefined> {
  try {
    const response = await options.s3.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: manifestKey(options.prefix) }),
    );
    const parsed = JSON.parse(
      (await response.Body?.transformToString('utf8')) ?? '',
    ) as Partial<Manifest>;
    if (parsed.version !== 1 || typeof parsed.objects !== 'object' || parsed.objects === null) {
      options.warn(`Ignoring ${manifestKey(options.prefix)}: not a manifest this version writes.`);
      return undefined;
    }
    return parsed as Manifest;
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
  manifest: Manifest | undefined,
): RemoteObject[] {
  return remote.map((object) => {
    const entry = manifest?.objects[object.key];
    if (!entry || entry.etag !== object.etag || entry.lastModified !== object.lastModified)
      return object;
    return {
      ...object,
      known: { md5: entry.md5, contentType: entry.contentType, cacheControl: entry.cacheControl },
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
}): Promise<Map<string, KnownState>> {
  const states = await mapLimited(options.objects, options.concurrency, async (object) => {
    const head = await options.s3.send(
      new HeadObjectCommand({ Bucket: options.bucket, Key: object.key }),
    );
    const stored = head.Metadata?.[MD5_METADATA];
    const known: KnownState = {
      md5: stored ?? (isPlainMd5Etag(object.etag) ? object.etag : undefined),
      contentType: head.ContentType,
      cacheControl: head.CacheControl,
    };
    return [object.key, known] as const;
  });
  return new Map(states);
}

/**
 * Pure: the manifest after this run. Entries come from what the run wrote (`written`, keyed by
 * key, matched with the listing taken after the uploads) and from what it verified and kept.
 */
export function nextManifest(options: {
  listing: readonly RemoteObject[];
  written: ReadonlyMap<string, KnownState>;
  verified: readonly RemoteObject[];
}): Manifest {
  const verified = new Map(options.verified.map((object) => [object.key, object.known]));
  const objects: Record<string, ManifestEntry> = {};
  for (const object of options.listing) {
    const state = options.written.get(object.key) ?? verified.get(object.key);
    if (!state?.md5 || state.contentType === undefined || state.cacheControl === undefined)
      continue;
    objects[object.key] = {
      md5: state.md5,
      contentType: state.contentType,
      cacheControl: state.cacheControl,
      etag: object.etag,
      lastModified: object.lastModified,
    };
  }
  return {
    version: 1,
    objects: Object.fromEntries(Object.entries(objects).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
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

/** The listing entries of a few keys, read with HeadObject (cheaper than listing a big site again). */
export async function statObjects(options: {
  s3: S3Client;
  bucket: string;
  keys: readonly string[];
  concurrency: number;
}): Promise<RemoteObject[]> {
  return mapLimited(options.keys, options.concurrency, async (key) => {
    const head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
    return {
      key,
      size: head.ContentLength ?? 0,
      etag: unquote(head.ETag),
      lastModified: toSeconds(head.LastModified),
    };
  });
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}
