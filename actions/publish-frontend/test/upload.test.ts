import { beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError } from '../../common/src/errors.js';
import { md5OfStream, type LocalFile } from '../src/local-files.js';
import type { PlannedUpload } from '../src/plan.js';
import { deleteAll, uploadAll } from '../src/upload.js';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const dir = mkdtempSync(path.join(tmpdir(), 'upload-'));

async function planned(
  key: string,
  content: string,
  contentType = 'text/javascript',
): Promise<PlannedUpload> {
  const absolutePath = path.join(dir, key.replace(/\//g, '_'));
  writeFileSync(absolutePath, content);
  const file: LocalFile = {
    relativePath: key,
    absolutePath,
    key,
    size: Buffer.byteLength(content),
    md5: await md5OfStream(absolutePath),
    contentType,
    cacheControl: 'no-cache',
  };
  return { file, reason: 'new' };
}

const serverError = () =>
  new S3ServiceException({
    name: 'InternalError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
    message: 'boom',
  });
const denied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'no',
  });

beforeEach(() => {
  s3Mock.reset();
});

describe('uploadAll', () => {
  it('starts the pages only after every asset is in, with Content-MD5 and the MD5 in metadata', async () => {
    const events: string[] = [];
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      events.push(`start ${input.Key}`);
      // Assets take longer than pages: an unordered upload would finish a page first.
      await new Promise((resolve) => setTimeout(resolve, input.Key.endsWith('.html') ? 1 : 20));
      events.push(`end ${input.Key}`);
      return { ETag: '"etag"' };
    });
    const assets = [await planned('a.js', 'a'), await planned('b.js', 'b')];
    const pages = [await planned('index.html', '<html>', 'text/html')];
    const result = await uploadAll(
      { assets, pages },
      { s3, bucket: 'site', concurrency: 4, log: () => undefined },
    );
    expect(events.indexOf('start index.html')).toBeGreaterThan(events.indexOf('end a.js'));
    expect(events.indexOf('start index.html')).toBeGreaterThan(events.indexOf('end b.js'));
    expect(result.bytes).toBe(8);
    expect(result.written.get('a.js')).toEqual({
      md5: assets[0]?.file.md5,
      contentType: 'text/javascript',
      cacheControl: 'no-cache',
      etag: 'etag',
    });
    const input = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: 'site',
      ContentType: 'text/javascript',
      CacheControl: 'no-cache',
      ContentMD5: Buffer.from(assets[0]?.file.md5 as string, 'hex').toString('base64'),
      Metadata: { 'content-md5': assets[0]?.file.md5 },
    });
  });

  it('starts the other assets only after every content-hashed one is in', async () => {
    const events: string[] = [];
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      events.push(`start ${input.Key}`);
      // The hashed chunk is slow: an unordered upload would finish main.js first.
      await new Promise((resolve) => setTimeout(resolve, input.Key.startsWith('chunk') ? 20 : 1));
      events.push(`end ${input.Key}`);
      return { ETag: '"etag"' };
    });
    const immutable = [await planned('chunk.3f9a1c2b.js', 'chunk')];
    const assets = [await planned('main.js', 'import("./chunk.3f9a1c2b.js")')];
    const pages = [await planned('index.html', '<html>', 'text/html')];
    await uploadAll(
      { immutable, assets, pages },
      { s3, bucket: 'site', concurrency: 4, log: () => undefined },
    );
    expect(events).toEqual([
      'start chunk.3f9a1c2b.js',
      'end chunk.3f9a1c2b.js',
      'start main.js',
      'end main.js',
      'start index.html',
      'end index.html',
    ]);
  });

  it('does not start the pages when an asset failed', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"e"' });
    s3Mock.on(PutObjectCommand, { Key: 'a.js' }).rejects(denied());
    const assets = [await planned('a.js', 'a')];
    const pages = [await planned('index.html', '<html>', 'text/html')];
    await expect(
      uploadAll({ assets, pages }, { s3, bucket: 'site', concurrency: 4, log: () => undefined }),
    ).rejects.toThrow('no');
    expect(s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([
      'a.js',
    ]);
  });

  it('retries a server error with a fresh body, but not a client error', async () => {
    s3Mock.on(PutObjectCommand).rejectsOnce(serverError()).resolves({ ETag: '"e"' });
    await uploadAll(
      { assets: [await planned('a.js', 'a')], pages: [] },
      { s3, bucket: 'site', concurrency: 1, log: () => undefined },
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('copies an object onto itself for new headers, and uploads when it changed meanwhile', async () => {
    s3Mock.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"copied"' } });
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"put"' });
    const retyped: PlannedUpload = {
      ...(await planned('docs/a b.js', 'a')),
      reason: 'headers',
      remoteEtag: 'old',
    };
    const result = await uploadAll(
      { assets: [retyped], pages: [] },
      { s3, bucket: 'site', concurrency: 1, log: () => undefined },
    );
    expect(result).toMatchObject({ bytes: 0, copied: 1 });
    expect(result.written.get('docs/a b.js')?.etag).toBe('copied');
    expect(s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'site',
      Key: 'docs/a b.js',
      CopySource: 'site/docs/a%20b.js',
      CopySourceIfMatch: '"old"',
      MetadataDirective: 'REPLACE',
      ContentType: 'text/javascript',
      CacheControl: 'no-cache',
      Metadata: { 'content-md5': retyped.file.md5 },
    });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);

    s3Mock.on(CopyObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'changed',
      }),
    );
    const again = await uploadAll(
      { assets: [retyped], pages: [] },
      { s3, bucket: 'site', concurrency: 1, log: () => undefined },
    );
    expect(again).toMatchObject({ bytes: 1, copied: 0 });
    expect(again.written.get('docs/a b.js')?.etag).toBe('put');
  });

  // moto never fails a part, so the abort path is covered here.
  it('uploads large files in parts with their own Content-MD5, and aborts a failed multipart upload', async () => {
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3Mock.on(UploadPartCommand).resolves({ ETag: '"p1"' });
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-1"' });
    const big = await planned('big.bin', 'x'.repeat(4096), 'application/octet-stream');
    const result = await uploadAll(
      { assets: [big], pages: [] },
      { s3, bucket: 'site', concurrency: 4, log: () => undefined, multipartThreshold: 1024 },
    );
    expect(result.written.get('big.bin')?.etag).toBe('whole-1');
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input.Metadata).toEqual({
      'content-md5': big.file.md5,
    });
    const part = s3Mock.commandCalls(UploadPartCommand)[0]?.args[0].input;
    expect(part).toMatchObject({
      UploadId: 'u1',
      PartNumber: 1,
      ContentLength: 4096,
      ContentMD5: Buffer.from(big.file.md5, 'hex').toString('base64'),
    });
    expect(
      s3Mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload,
    ).toEqual({ Parts: [{ PartNumber: 1, ETag: '"p1"' }] });

    s3Mock.on(UploadPartCommand).rejects(denied());
    await expect(
      uploadAll(
        { assets: [big], pages: [] },
        { s3, bucket: 'site', concurrency: 4, log: () => undefined, multipartThreshold: 1024 },
      ),
    ).rejects.toThrow('no');
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toEqual({
      Bucket: 'site',
      Key: 'big.bin',
      UploadId: 'u1',
    });
  });
});

describe('deleteAll', () => {
  const objects = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      size: 1,
      etag: 'e',
      lastModified: '',
    }));

  it('deletes in batches of 1,000', async () => {
    s3Mock.on(DeleteObjectsCommand).resolves({});
    expect(
      await deleteAll({ s3, bucket: 'site', objects: objects(2500), log: () => undefined }),
    ).toBe(2500);
    expect(
      s3Mock
        .commandCalls(DeleteObjectsCommand)
        .map((call) => call.args[0].input.Delete?.Objects?.length),
    ).toEqual([1000, 1000, 500]);
  });

  it('fails naming a key S3 refused to delete', async () => {
    s3Mock
      .on(DeleteObjectsCommand)
      .resolves({ Errors: [{ Key: 'k1', Code: 'AccessDenied', Message: 'Access Denied' }] });
    await expect(
      deleteAll({ s3, bucket: 'site', objects: objects(3), log: () => undefined }),
    ).rejects.toThrow(ActionError);
    await expect(
      deleteAll({ s3, bucket: 'site', objects: objects(3), log: () => undefined }),
    ).rejects.toThrow(/k1: AccessDenied/);
  });
});
