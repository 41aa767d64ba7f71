/**
 * Applying the plan to S3: uploads in three phases (hashed assets, other assets, then pages), with bounded concurrency;
 * deletions after all uploads succeeded. Files above the multipart threshold go up in parts, each
 * part streamed from its byte range of the file, so memory stays flat whatever the file size.
 *
 * (Not lib-storage's Upload: it reads a stream into part-sized buffers, `queueSize` of them per
 * file, so memory grows with the parts in flight. Byte ranges of a file on disk need no buffer,
 * can be hashed for Content-MD5 first, and can be read again when a part is retried.)
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ActionError, awsErrorCode, TimeoutError } from '../../common/src/errors.js';
import { formatBytes } from '../../common/src/format.js';
import { md5OfStream, type LocalFile } from './local-files.js';
import type { PlannedUpload } from './plan.js';
import { forEachLimited, mapLimited } from './pool.js';
import { MD5_METADATA, unquote, type KnownState, type RemoteObject } from './remote-objects.js';

/** As the AWS CLI: files from 8 MiB go multipart, in 8 MiB parts. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts stream from disk, so parts in flight cost sockets, not memory. */
const LARGE_FILES_AT_ONCE = 2;
const PARTS_AT_ONCE = 4;
/** Attempts of one request with a stream body (the SDK cannot rewind a stream to retry it). */
const STREAM_ATTEMPTS = 3;

export interface UploadOptions {
  s3: S3Client;
  bucket: string;
  concurrency: number;
  log: (line: string) => void;
  multipartThreshold?: number;
  /** Filled in as uploads finish, so that a caller still knows what was written when one fails. */
  result?: UploadResult;
}

export interface UploadResult {
  /** What was written, by key (the next manifest's entries). */
  written: Map<string, KnownState>;
  /** Bytes sent; objects copied in place for new headers send none. */
  bytes: number;
  /** Objects whose headers changed, copied onto themselves. */
  copied: number;
}

export async function uploadAll(
  phases: {
    /** Content-hashed assets: first, as nothing live can reference a new one yet. */
    immutable?: readonly PlannedUpload[];
    assets: readonly PlannedUpload[];
    pages: readonly PlannedUpload[];
  },
  options: UploadOptions,
): Promise<UploadResult> {
  const result: UploadResult = options.result ?? { written: new Map(), bytes: 0, copied: 0 };
  const immutable = phases.immutable ?? [];
  const total = immutable.length + phases.assets.length + phases.pages.length;
  const progress = progressReporter(total, options.log);
  const what = {
    immutable: 'content-hashed asset(s)',
    assets: 'other non-HTML file(s)',
    pages: 'HTML file(s), last',
  };
  for (const [name, uploads] of [
    ['immutable', immutable],
    ['assets', phases.assets],
    ['pages', phases.pages],
  ] as const) {
    if (uploads.length === 0) continue;
    options.log(`Uploading ${uploads.length} ${what[name]}.`);
    const threshold = options.multipartThreshold ?? MULTIPART_THRESHOLD;
    const large = uploads.filter((upload) => upload.file.size >= threshold);
    const small = uploads.filter((upload) => upload.file.size < threshold);
    const send = async (upload: PlannedUpload): Promise<void> => {
      const { file } = upload;
      let etag: string | undefined;
      try {
        // Same bytes, other headers: S3 copies the object onto itself, nothing is sent again.
        etag = upload.remoteEtag ? await copyInPlace(options, upload) : undefined;
        if (etag === undefined) {
          etag =
            file.size >= threshold
              ? await uploadMultipart(options, file)
              : await uploadSingle(options, file);
          result.bytes += file.size;
        } else {
          result.copied++;
        }
      } catch (error) {
        throw namingKey(error, file.key);
      }
      result.written.set(file.key, {
        md5: file.md5,
        contentType: file.contentType,
        cacheControl: file.cacheControl,
        etag: unquote(etag),
      });
      progress(file.size);
    };
    // A phase ends only when all of its uploads ended: pages start after every asset is in.
    const settled = await Promise.allSettled([
      forEachLimited(small, options.concurrency, send),
      forEachLimited(large, Math.min(LARGE_FILES_AT_ONCE, options.concurrency), send),
    ]);
    const failed = settled.find(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    if (failed) throw failed.reason;
  }
  return result;
}

/**
 * The failed upload's key, at the front of its error's message: S3's own (AccessDenied,
 * KeyTooLongError, a timeout) names no object. The error keeps its type, so it is still reported
 * as what it is (access denied, a timeout).
 */
function namingKey(error: unknown, key: string): unknown {
  if (error instanceof Error && !error.message.startsWith(`${key}: `)) {
    error.message = `${key}: ${error.message}`;
  }
  return error;
}

function objectParams(bucket: string, file: LocalFile) {
  return {
    Bucket: bucket,
    Key: file.key,
    ContentType: file.contentType,
    CacheControl: file.cacheControl,
    // Multipart ETags are not MD5s: the MD5 in metadata lets the next run compare by content.
    Metadata: { [MD5_METADATA]: file.md5 },
  };
}

/** Below this size a file is sent from memory (one read, no stream plumbing per request). */
const BUFFER_BELOW = 1024 * 1024;

async function uploadSingle(options: UploadOptions, file: LocalFile): Promise<string | undefined> {
  const buffered = file.size < BUFFER_BELOW ? await readFile(file.absolutePath) : undefined;
  const response = await withFreshStream(() =>
    options.s3.send(
      new PutObjectCommand({
        ...objectParams(options.bucket, file),
        Body: buffered ?? createReadStream(file.absolutePath),
        ContentLength: file.size,
        // S3 rejects the upload if the bytes it received are not the bytes hashed here.
        ContentMD5: base64(file.md5),
      }),
    ),
  );
  return response.ETag;
}

async function uploadMultipart(
  options: UploadOptions,
  file: LocalFile,
): Promise<string | undefined> {
  const { s3, bucket } = options;
  const created = await s3.send(new CreateMultipartUploadCommand(objectParams(bucket, file)));
  const uploadId = created.UploadId as string;
  const ranges = Array.from({ length: Math.ceil(file.size / PART_SIZE) }, (_, index) => ({
    partNumber: index + 1,
    start: index * PART_SIZE,
    end: Math.min(file.size, (index + 1) * PART_SIZE) - 1,
  }));
  try {
    const parts = await mapLimited(ranges, PARTS_AT_ONCE, async (range) => {
      const read = () =>
        createReadStream(file.absolutePath, {
          start: range.start,
          end: range.end,
          highWaterMark: 1024 * 1024,
        });
      const md5 = await md5OfStream(read());
      const response = await withFreshStream(() =>
        s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: file.key,
            UploadId: uploadId,
            PartNumber: range.partNumber,
            Body: read(),
            ContentLength: range.end - range.start + 1,
            ContentMD5: base64(md5),
          }),
        ),
      );
      return { PartNumber: range.partNumber, ETag: response.ETag };
    });
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: file.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return completed.ETag;
  } catch (error) {
    // Abort, so that no invisible parts stay stored (and billed) after a failure.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: file.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}

/** S3 copies objects up to 5 GiB in one CopyObject call. */
const COPY_LIMIT = 5 * 1024 * 1024 * 1024;

/**
 * Rewrites an object's headers by copying it onto itself, on condition that it still has the
 * ETag the plan saw (whose content was checked to be the local file's). Undefined when the copy
 * cannot be made (the object changed meanwhile, or is too large): then the file is uploaded.
 */
async function copyInPlace(
  options: UploadOptions,
  upload: PlannedUpload,
): Promise<string | undefined> {
  const { file } = upload;
  if (file.size > COPY_LIMIT) return undefined;
  try {
    const response = await options.s3.send(
      new CopyObjectCommand({
        ...objectParams(options.bucket, file),
        CopySource: `${options.bucket}/${file.key.split('/').map(encodeURIComponent).join('/')}`,
        CopySourceIfMatch: `"${upload.remoteEtag}"`,
        MetadataDirective: 'REPLACE',
      }),
    );
    return response.CopyObjectResult?.ETag;
  } catch (error) {
    if (awsErrorCode(error) === 'PreconditionFailed') return undefined;
    throw error;
  }
}

/**
 * Sends a request whose body is a fresh stream on each attempt: the SDK's own retries cannot
 * rewind a stream it already read, so failures it could not fix are tried again here, with new
 * bytes from disk. Client errors (4xx, such as AccessDenied or BadDigest) are not retried.
 */
async function withFreshStream<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      const clientError =
        status !== undefined &&
        status >= 400 &&
        status < 500 &&
        awsErrorCode(error) !== 'RequestTimeout';
      // The step's deadline stopped it (RequestTimedOut): another attempt would only be stopped again.
      if (attempt >= STREAM_ATTEMPTS || clientError || error instanceof TimeoutError) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

function base64(hexMd5: string): string {
  return Buffer.from(hexMd5, 'hex').toString('base64');
}

function progressReporter(total: number, log: (line: string) => void): (bytes: number) => void {
  let done = 0;
  let bytes = 0;
  let lastLog = Date.now();
  return (size) => {
    done++;
    bytes += size;
    if (done === total || Date.now() - lastLog >= 5000) {
      lastLog = Date.now();
      log(`Uploaded ${done}/${total} files (${formatBytes(bytes)}).`);
    }
  };
}

/** Deletes in batches of 1,000 (S3's limit); any key S3 could not delete fails the step. */
export async function deleteAll(options: {
  s3: S3Client;
  bucket: string;
  objects: readonly RemoteObject[];
  log: (line: string) => void;
}): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < options.objects.length; start += 1000) {
    const batch = options.objects.slice(start, start + 1000);
    const response = await options.s3.send(
      new DeleteObjectsCommand({
        Bucket: options.bucket,
        Delete: { Objects: batch.map((object) => ({ Key: object.key })), Quiet: true },
      }),
    );
    const errors = response.Errors ?? [];
    deleted += batch.length - errors.length;
    if (errors.length > 0) {
      const first = errors[0];
      throw new ActionError(
        'Could not delete stale objects',
        `S3 refused to delete ${errors.length} object(s), e.g. ${first?.Key}: ${first?.Code} ${first?.Message ?? ''}. Every upload succeeded; the stale objects stay.`,
        'Allow s3:DeleteObject on the bucket for the role this workflow assumes, or set delete: false.',
      );
    }
  }
  if (deleted > 0) options.log(`Deleted ${deleted} stale object(s).`);
  return deleted;
}
