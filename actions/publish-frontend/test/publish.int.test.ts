// publish-frontend end to end, as the runner runs the bundle, against moto S3 and CloudFront:
// first publish, a redeploy with every file touched, one changed file, a removed file.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { listFiles } from '../src/local-files.js';
import { runAction } from '../../../test-support/run-action.js';
import {
  cloudfront,
  createBucket,
  createDistribution,
  headObject,
  listObjects,
  s3,
  writeSite,
} from './helpers.js';

const BUCKET = 'publish-site';
const MANIFEST = '.publish-frontend-manifest.json';
let source: string;
let distributionId: string;
let domainName: string;

const publish = (inputs: Record<string, string> = {}) =>
  runAction('publish-frontend', {
    source,
    bucket: BUCKET,
    'distribution-id': distributionId,
    ...inputs,
  });

async function invalidationPaths(id: string): Promise<string[]> {
  const response = await cloudfront().send(
    new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
  );
  return [...(response.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort();
}

beforeAll(async () => {
  await createBucket(BUCKET);
  ({ id: distributionId, domainName } = await createDistribution(BUCKET));
  source = writeSite({
    'index.html': '<!doctype html><script src="/assets/index-BQ8x_a1Z.js"></script>',
    'about.html': '<h1>About</h1>',
    'docs/index.html': '<h1>Docs</h1>',
    'assets/index-BQ8x_a1Z.js': 'console.log("app");',
    'assets/app.3f9a1c2b.css': 'body{margin:0}',
    'robots.txt': 'User-agent: *\n',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    // Above the 8 MiB multipart threshold: its ETag is not an MD5.
    'media/intro.bin': Buffer.alloc(9 * 1024 * 1024, 7),
  });
});

describe('publish-frontend against moto', () => {
  it('publishes a site the first time, assets before HTML, with headers and content MD5', async () => {
    const result = await publish();
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      uploaded: '8',
      skipped: '0',
      deleted: '0',
      'invalidation-id': '',
    });
    const sizes = (await listFiles(source)).map(
      (relative) => statSync(path.join(source, relative)).size,
    );
    expect(Number(result.outputs['bytes-uploaded'])).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(result.outputs.url).toBe(`https://${domainName}/`);
    const keys = (await listObjects(BUCKET)).map((object) => object.key).sort();
    expect(keys).toEqual([...(await listFiles(source)), MANIFEST].sort());

    const script = await headObject(BUCKET, 'assets/index-BQ8x_a1Z.js');
    expect(script.ContentType).toBe('text/javascript; charset=utf-8');
    expect(script.CacheControl).toBe('public, max-age=31536000, immutable');
    expect((await headObject(BUCKET, 'index.html')).CacheControl).toBe('no-cache');
    expect((await headObject(BUCKET, 'robots.txt')).CacheControl).toBe('public, max-age=300');
    const large = await headObject(BUCKET, 'media/intro.bin');
    expect(large.ETag).toMatch(/-2"$/);
    expect(large.Metadata?.['content-md5']).toMatch(/^[0-9a-f]{32}$/);

    // The order of the two phases shows in the log: every asset upload line precedes the pages'.
    const hashedAt = result.lines.findIndex((line) =>
      line.startsWith('Uploading 2 content-hashed asset(s)'),
    );
    const assetsAt = result.lines.findIndex((line) =>
      line.startsWith('Uploading 3 other non-HTML file(s)'),
    );
    const pagesAt = result.lines.findIndex((line) => line.startsWith('Uploading 3 HTML'));
    expect(hashedAt).toBeGreaterThanOrEqual(0);
    expect(assetsAt).toBeGreaterThan(hashedAt);
    expect(pagesAt).toBeGreaterThan(assetsAt);
    expect(result.summary).toContain('Published s3://publish-site/');
  });

  it('uploads nothing when every file was touched (new mtimes, same bytes)', async () => {
    const before = await listObjects(BUCKET);
    const future = new Date(Date.now() + 3600_000);
    for (const relative of await listFiles(source))
      utimesSync(path.join(source, relative), future, future);
    const result = await publish();
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      uploaded: '0',
      skipped: '8',
      deleted: '0',
      'bytes-uploaded': '0',
      'invalidation-id': '',
    });
    // Nothing was written, not even the manifest.
    expect(await listObjects(BUCKET)).toEqual(before);
    expect(result.summary).toContain('Nothing changed');
  });

  it('without its manifest, compares by HeadObject (multipart included) and writes a new manifest', async () => {
    await s3().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: MANIFEST }));
    const result = await publish();
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '0', skipped: '8' });
    expect(result.lines.some((line) => line.includes('Reading headers of 8 object(s)'))).toBe(true);
    const keys = (await listObjects(BUCKET)).map((object) => object.key);
    expect(keys).toContain(MANIFEST);
    // And the next run trusts the new manifest again: no HeadObject.
    const again = await publish();
    expect(again.outputs.uploaded).toBe('0');
    expect(again.lines.some((line) => line.includes('Reading headers'))).toBe(false);
  });

  it('uploads one changed file and invalidates only its path, waiting for completion', async () => {
    writeFileSync(path.join(source, 'about.html'), '<h1>About us</h1>');
    const result = await publish({ 'wait-for-invalidation': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      uploaded: '1',
      skipped: '7',
      deleted: '0',
      'bytes-uploaded': '17',
    });
    expect(result.outputs['invalidation-id']).not.toBe('');
    expect(await invalidationPaths(result.outputs['invalidation-id'] as string)).toEqual([
      '/about.html',
    ]);
    // moto reports invalidations as "COMPLETED" at once (AWS says "Completed" after minutes):
    // the wait compares without regard to case, so it ends.
    expect(result.summary).toContain('(Completed)');
  });

  it('invalidates a folder index.html also as the folder path', async () => {
    writeFileSync(path.join(source, 'docs/index.html'), '<h1>Docs v2</h1>');
    const result = await publish();
    expect(result.outputs.uploaded).toBe('1');
    expect(await invalidationPaths(result.outputs['invalidation-id'] as string)).toEqual([
      '/docs/',
      '/docs/index.html',
    ]);
  });

  it('rewrites files whose Cache-Control rule changed, copying them in place', async () => {
    const result = await publish({ 'cache-control': '*.txt=public, max-age=60' });
    expect(result.outputs).toMatchObject({ uploaded: '1', skipped: '7', 'bytes-uploaded': '0' });
    expect(result.summary).toContain('1 copied in place for new headers');
    const robots = await headObject(BUCKET, 'robots.txt');
    expect(robots.CacheControl).toBe('public, max-age=60');
    expect(robots.ContentType).toBe('text/plain; charset=utf-8');
    expect(robots.Metadata?.['content-md5']).toMatch(/^[0-9a-f]{32}$/);
    // The next run trusts the manifest entry the copy left: nothing to do.
    expect((await publish({ 'cache-control': '*.txt=public, max-age=60' })).outputs.uploaded).toBe(
      '0',
    );
    expect(await invalidationPaths(result.outputs['invalidation-id'] as string)).toEqual([
      '/robots.txt',
    ]);
  });

  it('notices a header changed behind its back (a copy in place keeps the ETag) and restores it', async () => {
    // After the manifest's second, so that S3 dates the copy after the manifest.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = await headObject(BUCKET, 'about.html');
    await s3().send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'about.html',
        CopySource: `${BUCKET}/about.html`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
        CacheControl: 'no-cache',
        Metadata: before.Metadata,
      }),
    );
    expect((await headObject(BUCKET, 'about.html')).ETag).toBe(before.ETag);
    const result = await publish({ 'cache-control': '*.txt=public, max-age=60' });
    expect(result.outputs).toMatchObject({ uploaded: '1', skipped: '7' });
    expect((await headObject(BUCKET, 'about.html')).ContentType).toBe('text/html; charset=utf-8');
  });

  it('is not misled by a manifest written after a concurrent run changed headers', async () => {
    // Two runs at once: run B read the bucket and keeps its state of about.html; run A then
    // copies about.html in place with other headers (same bytes, same ETag); B writes its
    // manifest after that. The manifest is dated after the copy but describes the old headers.
    const manifestBody = await (
      await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: MANIFEST }))
    ).Body?.transformToString('utf8');
    expect(manifestBody).toContain('"about.html"');
    const before = await headObject(BUCKET, 'about.html');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s3().send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'about.html',
        CopySource: `${BUCKET}/about.html`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'public, max-age=86400',
        Metadata: before.Metadata,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await s3().send(
      new PutObjectCommand({ Bucket: BUCKET, Key: MANIFEST, Body: manifestBody as string }),
    );
    const result = await publish({ 'cache-control': '*.txt=public, max-age=60' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '1', skipped: '7' });
    expect((await headObject(BUCKET, 'about.html')).CacheControl).toBe('no-cache');
    // The new manifest vouches for everything again: the next run reads no headers.
    const again = await publish({ 'cache-control': '*.txt=public, max-age=60' });
    expect(again.outputs).toMatchObject({ uploaded: '0', skipped: '8' });
    expect(again.lines.some((line) => line.includes('Reading headers'))).toBe(false);
  });

  it('deletes a removed file, after the uploads', async () => {
    rmSync(path.join(source, 'favicon.svg'));
    writeFileSync(path.join(source, 'favicon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const result = await publish({ 'cache-control': '*.txt=public, max-age=60' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '1', deleted: '1' });
    const keys = (await listObjects(BUCKET)).map((object) => object.key);
    expect(keys).not.toContain('favicon.svg');
    expect(keys).toContain('favicon.png');
    const uploadedAt = result.lines.findIndex((line) => line.startsWith('Uploaded 1/1 files'));
    const deletedAt = result.lines.findIndex((line) => line.startsWith('Deleted 1 stale object'));
    expect(uploadedAt).toBeGreaterThanOrEqual(0);
    expect(deletedAt).toBeGreaterThan(uploadedAt);
    expect(await invalidationPaths(result.outputs['invalidation-id'] as string)).toEqual([
      '/favicon.svg',
    ]);
    expect(readFileSync(path.join(source, 'index.html'), 'utf8')).toContain('index-BQ8x_a1Z.js');
  });
});
