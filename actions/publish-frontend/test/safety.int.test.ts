// publish-frontend's refusals and guarantees, against moto: nothing changes on a bad source,
// a missing bucket or a foreign distribution; the deletion guard; dry-run; content types as
// stored; and a reader during a publish never meets a page whose assets are not there yet.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { restXmlError, startFaultProxy } from '../../../test-support/fault-proxy.js';
import { runAction } from '../../../test-support/run-action.js';
import {
  cloudfront,
  createBucket,
  createDistribution,
  fetchObject,
  headObject,
  listObjects,
  s3,
  writeSite,
} from './helpers.js';

const BUCKET = 'safety-site';
let distributionId: string;

const site = (version: number, assets = 3): Record<string, string> => {
  const files: Record<string, string> = {};
  const names = Array.from({ length: assets }, (_, i) => `assets/chunk${i}-v${version}.js`);
  for (const name of names) files[name] = `console.log(${JSON.stringify(name)});`;
  files['index.html'] =
    `<!doctype html><title>v${version}</title>${names.map((name) => `<script src="/${name}"></script>`).join('')}`;
  return files;
};

beforeAll(async () => {
  await createBucket(BUCKET);
  ({ id: distributionId } = await createDistribution(BUCKET));
  const first = await runAction('publish-frontend', {
    source: writeSite(site(1, 9)),
    bucket: BUCKET,
    'distribution-id': distributionId,
  });
  expect(first.exitCode).toBe(0);
});

describe('publish-frontend refuses before any change', () => {
  it('fails on an empty source and deletes nothing', async () => {
    const before = await listObjects(BUCKET);
    const empty = mkdtempSync(path.join(tmpdir(), 'empty-'));
    const result = await runAction('publish-frontend', {
      source: empty,
      bucket: BUCKET,
      'distribution-id': distributionId,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Nothing to publish');
    expect(await listObjects(BUCKET)).toEqual(before);
  });

  it('fails on a missing source folder, naming the input, and changes nothing', async () => {
    const before = await listObjects(BUCKET);
    const result = await runAction('publish-frontend', {
      source: '/nonexistent/build',
      bucket: BUCKET,
      'distribution-id': distributionId,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Invalid input: source');
    expect(result.annotations[0]?.message).toContain('/nonexistent/build does not exist');
    expect(await listObjects(BUCKET)).toEqual(before);
  });

  it('fails without index.html at the root unless require-index is false', async () => {
    const before = await listObjects(BUCKET);
    const assetsOnly = writeSite({ 'assets/a.js': 'a' });
    const refused = await runAction('publish-frontend', {
      source: assetsOnly,
      bucket: BUCKET,
      delete: 'false',
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.title).toBe('No index.html in source');
    expect(await listObjects(BUCKET)).toEqual(before);
    const allowed = await runAction('publish-frontend', {
      source: assetsOnly,
      bucket: 'other-assets',
      'require-index': 'false',
    });
    // No such bucket: the next refusal in line; and the bucket was not created on the way.
    expect(allowed.annotations[0]?.title).toBe('Bucket not found');
    expect(allowed.annotations[0]?.message).toContain('Nothing was changed');
    await expect(
      s3().send(new HeadBucketCommand({ Bucket: 'other-assets' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    expect(await listObjects(BUCKET)).toEqual(before);
  });

  it('fails when the distribution does not serve from the bucket', async () => {
    await createBucket('elsewhere');
    const { id } = await createDistribution('elsewhere');
    const before = await listObjects(BUCKET);
    const result = await runAction('publish-frontend', {
      source: writeSite(site(2)),
      bucket: BUCKET,
      'distribution-id': id,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Bucket is not an origin of the distribution');
    expect(result.annotations[0]?.message).toContain('elsewhere.s3.us-east-1.amazonaws.com');
    expect(await listObjects(BUCKET)).toEqual(before);
  });

  it('refuses to delete more than max-deletions of the site, and proceeds once raised', async () => {
    const before = await listObjects(BUCKET);
    // Release 2 keeps 3 of the 9 assets' worth of names: 9 old chunks of 10 objects go away.
    const next = writeSite(site(2));
    const refused = await runAction('publish-frontend', {
      source: next,
      bucket: BUCKET,
      'distribution-id': distributionId,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.title).toBe('Refusing to delete most of the site');
    expect(refused.annotations[0]?.message).toContain(
      'would delete 9 of the 10 objects under the prefix; max-deletions 50% allows 5.',
    );
    expect(await listObjects(BUCKET)).toEqual(before);
    // Counts, not rounded shares (issue 16 #16): 59.9% of 10 allows 5, and 90% is what it takes.
    const justBelow = await runAction('publish-frontend', {
      source: next,
      bucket: BUCKET,
      'distribution-id': distributionId,
      'max-deletions': '89.9%',
    });
    expect(justBelow.exitCode).toBe(1);
    expect(justBelow.annotations[0]?.message).toContain('max-deletions 89.9% allows 8.');
    expect(justBelow.annotations[0]?.message).toContain('raise max-deletions to 90% or more');
    expect(await listObjects(BUCKET)).toEqual(before);

    const dryRun = await runAction('publish-frontend', {
      source: next,
      bucket: BUCKET,
      'distribution-id': distributionId,
      'max-deletions': '90%',
      'dry-run': 'true',
    });
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.outputs).toMatchObject({ uploaded: '4', deleted: '9', 'invalidation-id': '' });
    expect(dryRun.summary).toContain('Dry run: would publish');
    expect(await listObjects(BUCKET)).toEqual(before);

    const allowed = await runAction('publish-frontend', {
      source: next,
      bucket: BUCKET,
      'distribution-id': distributionId,
      'max-deletions': '90%',
    });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.outputs).toMatchObject({ uploaded: '4', deleted: '9' });
  });
});

describe('a site under a prefix, served through an origin path', () => {
  it('publishes below the prefix, invalidates viewer paths and leaves other prefixes alone', async () => {
    const bucket = 'prefixed-site';
    await createBucket(bucket);
    const { id, domainName } = await createDistribution(bucket, '/web');
    const other = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'other' }),
      bucket,
      prefix: 'other',
    });
    expect(other.exitCode).toBe(0);
    // The bucket's root is not what the distribution serves: refused before any change.
    const before = await listObjects(bucket);
    const outside = await runAction('publish-frontend', {
      source: writeSite(site(1)),
      bucket,
      'distribution-id': id,
    });
    expect(outside.exitCode).toBe(1);
    expect(outside.annotations[0]?.title).toBe('Prefix is outside what the distribution serves');
    expect(outside.annotations[0]?.message).toContain('origin path /web');
    expect(await listObjects(bucket)).toEqual(before);
    const inputs = { bucket, prefix: '/web/', 'distribution-id': id };
    const first = await runAction('publish-frontend', { source: writeSite(site(1)), ...inputs });
    expect(first.exitCode).toBe(0);
    expect(first.outputs.url).toBe(`https://${domainName}/`);
    const second = await runAction('publish-frontend', {
      source: writeSite({
        'index.html': '<title>v1.1</title>',
        'assets/chunk0-v1.js': site(1)['assets/chunk0-v1.js'] as string,
      }),
      ...inputs,
    });
    expect(second.outputs).toMatchObject({ uploaded: '1', skipped: '1', deleted: '2' });
    const invalidation = await cloudfront().send(
      new GetInvalidationCommand({ DistributionId: id, Id: second.outputs['invalidation-id'] }),
    );
    // Deleted chunks carry no content hash here, so they are invalidated too.
    expect([...(invalidation.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual([
      '/',
      '/assets/chunk1-v1.js',
      '/assets/chunk2-v1.js',
      '/index.html',
    ]);
    const keys = (await listObjects(bucket)).map((object) => object.key).sort();
    expect(keys).toEqual([
      'other/.publish-frontend-manifest.json',
      'other/index.html',
      'web/.publish-frontend-manifest.json',
      'web/assets/chunk0-v1.js',
      'web/index.html',
    ]);
  });
});

describe('what visitors get', () => {
  it('stores the content types of the web types browsers are strict about', async () => {
    const files: Record<string, string> = {
      'index.html': '<!doctype html>',
      'style.css': 'a{}',
      'app.js': '1',
      'module.mjs': 'export {}',
      'data.json': '{}',
      'app.js.map': '{}',
      'logo.svg': '<svg/>',
      'image.png': 'png',
      'image.webp': 'webp',
      'image.avif': 'avif',
      'font.woff2': 'woff2',
      'module.wasm': 'wasm',
      'site.webmanifest': '{}',
      'robots.txt': 'ok',
    };
    const bucket = 'types-site';
    await createBucket(bucket);
    const result = await runAction('publish-frontend', { source: writeSite(files), bucket });
    expect(result.exitCode).toBe(0);
    const stored: Record<string, string | undefined> = {};
    for (const key of Object.keys(files)) stored[key] = (await headObject(bucket, key)).ContentType;
    expect(stored).toEqual({
      'index.html': 'text/html; charset=utf-8',
      'style.css': 'text/css; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
      'module.mjs': 'text/javascript; charset=utf-8',
      'data.json': 'application/json; charset=utf-8',
      'app.js.map': 'application/json; charset=utf-8',
      'logo.svg': 'image/svg+xml; charset=utf-8',
      'image.png': 'image/png',
      'image.webp': 'image/webp',
      'image.avif': 'image/avif',
      'font.woff2': 'font/woff2',
      'module.wasm': 'application/wasm',
      'site.webmanifest': 'application/manifest+json; charset=utf-8',
      'robots.txt': 'text/plain; charset=utf-8',
    });
    expect(result.outputs.url).toBe(`${process.env.AWS_ENDPOINT_URL}/${bucket}/index.html`);
  });

  it('never serves a reader an index.html whose assets are missing, during a publish', async () => {
    const bucket = 'reader-site';
    await createBucket(bucket);
    const publish = (version: number) =>
      runAction('publish-frontend', {
        source: writeSite(site(version, 150)),
        bucket,
        // Deleting the previous release's assets is a separate concern (a visitor holding the
        // old page): this test is about the upload order alone.
        delete: 'false',
        concurrency: '8',
      });
    expect((await publish(1)).exitCode).toBe(0);

    const client = s3();
    let done = false;
    const seen = new Set<string>();
    const missing: string[] = [];
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const index = await fetchObject(client, bucket, 'index.html');
        seen.add(/<title>(v\d+)<\/title>/.exec(index.body)?.[1] ?? 'none');
        const assets = [...index.body.matchAll(/src="\/([^"]+)"/g)].map(
          (match) => match[1] as string,
        );
        // A visitor's browser asks for the first scripts; the last one is what an early HTML upload would miss.
        if (assets.length === 0) missing.push(`index.html without scripts: ${index.status}`);
        for (const asset of [assets[0], assets[assets.length - 1]]) {
          if (asset && (await fetchObject(client, bucket, asset)).status !== 200)
            missing.push(asset);
        }
        reads++;
      }
    })();
    const result = await publish(2);
    done = true;
    await reader;
    expect(result.exitCode).toBe(0);
    expect(result.outputs.uploaded).toBe('151');
    expect(missing).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    // The reader really ran across the publish: it saw the old release and (usually) the new one.
    expect(seen.has('v1')).toBe(true);
    expect(seen.has('none')).toBe(false);
    // And a last look after the publish sees release 2 with all of its assets.
    const final = await fetchObject(client, bucket, 'index.html');
    expect(final.body).toContain('<title>v2</title>');
    // 151 objects written: read back with one listing, the manifest vouches for all of them.
    const again = await publish(2);
    expect(again.outputs).toMatchObject({ uploaded: '0', skipped: '151' });
    expect(again.lines.some((line) => line.includes('Reading headers'))).toBe(false);
  });
});

describe('the previous release, for visitors who still have its page open', () => {
  const release = (version: string, hash: string): Record<string, string> => ({
    'index.html': `<!doctype html><title>${version}</title><script src="/assets/index-${hash}.js"></script>`,
    [`assets/index-${hash}.js`]: `import('/assets/lazy.${version}0a1b2c3.js');`,
    [`assets/lazy.${version}0a1b2c3.js`]: `console.log(${JSON.stringify(version)});`,
    [`${version}.html`]: `<h1>${version}</h1>`,
  });

  it('keeps its hashed assets for keep-previous-assets, then deletes them; HTML goes at once', async () => {
    const bucket = 'keep-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket);
    const publish = (files: Record<string, string>, inputs: Record<string, string> = {}) =>
      runAction('publish-frontend', {
        source: writeSite(files),
        bucket,
        'distribution-id': id,
        'max-deletions': '100%',
        ...inputs,
      });
    expect((await publish(release('a', 'BQ8x_a1Z'))).exitCode).toBe(0);

    const second = await publish(release('b', 'Zk3m_Q9x'));
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ uploaded: '4', deleted: '1' });
    expect(second.summary).toContain('2 hashed asset(s) of earlier releases');
    let keys = (await listObjects(bucket)).map((object) => object.key);
    // A visitor on release a's page can still load its chunks; its own page a.html is gone.
    expect(keys).toEqual(
      expect.arrayContaining(['assets/index-BQ8x_a1Z.js', 'assets/lazy.a0a1b2c3.js']),
    );
    expect(keys).not.toContain('a.html');
    expect(await invalidationPaths(id, second.outputs['invalidation-id'] as string)).toEqual([
      '/',
      '/a.html',
      '/index.html',
    ]);

    // The same release again, within the period: nothing to do, nothing written.
    const before = await listObjects(bucket);
    const again = await publish(release('b', 'Zk3m_Q9x'));
    expect(again.outputs).toMatchObject({ uploaded: '0', deleted: '0' });
    expect(await listObjects(bucket)).toEqual(before);

    // Once they have been stale for the whole period, the next run deletes them.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await publish(release('b', 'Zk3m_Q9x'), { 'keep-previous-assets': '1s' });
    expect(later.exitCode).toBe(0);
    expect(later.outputs).toMatchObject({ uploaded: '0', deleted: '2', 'invalidation-id': '' });
    keys = (await listObjects(bucket)).map((object) => object.key);
    expect(keys).not.toContain('assets/index-BQ8x_a1Z.js');
    expect(keys).not.toContain('assets/lazy.a0a1b2c3.js');
    expect(keys).toContain('assets/index-Zk3m_Q9x.js');

    // keep-previous-assets: 0 deletes the replaced release's assets at once.
    const now = await publish(release('c', 'Pq7r_S2t'), { 'keep-previous-assets': '0' });
    expect(now.outputs).toMatchObject({ uploaded: '4', deleted: '3' });
    keys = (await listObjects(bucket)).map((object) => object.key);
    expect(keys.filter((key) => !key.startsWith('.'))).toEqual([
      'assets/index-Pq7r_S2t.js',
      'assets/lazy.c0a1b2c3.js',
      'c.html',
      'index.html',
    ]);
  });
});

describe('a publish that fails part-way', () => {
  it('leaves the previous release whole, reports how far it got, and a rerun completes it', async () => {
    const bucket = 'fail-site';
    await createBucket(bucket);
    const publish = (version: number, env: Record<string, string> = {}) =>
      runAction(
        'publish-frontend',
        {
          source: writeSite({ ...site(version), 'about.html': `about v${version}` }),
          bucket,
          'max-deletions': '100%',
        },
        { env },
      );
    expect((await publish(1)).exitCode).toBe(0);
    const before = await listObjects(bucket);

    // S3 refuses every HTML upload (as a bucket policy might): the assets go up, then it stops.
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL as string,
      rules: [
        {
          match: (request) =>
            request.method === 'PUT' && /^\/fail-site\/[^?]*\.html(\?|$)/.test(request.url),
          times: Infinity,
          response: restXmlError('AccessDenied', 'Access Denied', 403),
        },
      ],
    });
    let failed;
    try {
      failed = await publish(2, { AWS_ENDPOINT_URL: proxy.url });
    } finally {
      await proxy.stop();
    }
    expect(failed.exitCode).toBe(1);
    expect(failed.annotations[0]?.title).toMatch(/^Access denied/);
    expect(failed.outputs).toMatchObject({
      uploaded: '3',
      deleted: '0',
      'bytes-uploaded': String(
        Object.entries(site(2))
          .filter(([name]) => name.endsWith('.js'))
          .reduce((sum, [, content]) => sum + Buffer.byteLength(content), 0),
      ),
      'invalidation-id': '',
    });
    expect(failed.summary).toContain('Stopped publishing');
    expect(failed.summary).toContain('The upload stopped after 3 of 5 file(s)');
    expect(failed.summary).toContain('No HTML page was replaced');
    // Nothing a visitor sees changed: the old pages, and every old asset they reference.
    const after = await listObjects(bucket);
    for (const object of before) {
      expect(after.find((candidate) => candidate.key === object.key)?.etag).toBe(object.etag);
    }
    expect((await fetchObject(s3(), bucket, 'index.html')).body).toContain('<title>v1</title>');

    // The rerun sends only what is missing (the pages), then deletes release 1's assets.
    const rerun = await publish(2);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ uploaded: '2', skipped: '3', deleted: '3' });
    expect((await fetchObject(s3(), bucket, 'index.html')).body).toContain('<title>v2</title>');
  });
});

describe('an invalidation that fails after the files are published', () => {
  it('fails the step, and the rerun (which finds the files in place) still invalidates', async () => {
    const bucket = 'owed-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket);
    const publish = (title: string, env: Record<string, string> = {}) =>
      runAction(
        'publish-frontend',
        {
          source: writeSite({ 'index.html': `<title>${title}</title>`, 'robots.txt': title }),
          bucket,
          'distribution-id': id,
        },
        { env },
      );
    expect((await publish('v1')).exitCode).toBe(0);

    // The role may not create invalidations: CloudFront refuses.
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL as string,
      rules: [
        {
          match: (request) => request.method === 'POST' && request.url.endsWith('/invalidation'),
          times: Infinity,
          response: restXmlError('AccessDenied', 'User is not authorized', 403),
        },
      ],
    });
    let failed;
    try {
      failed = await publish('v2', { AWS_ENDPOINT_URL: proxy.url });
    } finally {
      await proxy.stop();
    }
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs).toMatchObject({ uploaded: '2', 'invalidation-id': '' });
    expect((await fetchObject(s3(), bucket, 'index.html')).body).toContain('v2');

    const rerun = await publish('v2');
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ uploaded: '0', skipped: '2' });
    expect(rerun.outputs['invalidation-id']).not.toBe('');
    expect(await invalidationPaths(id, rerun.outputs['invalidation-id'] as string)).toEqual([
      '/',
      '/index.html',
      '/robots.txt',
    ]);
    // Paid once: the run after that owes nothing.
    const third = await publish('v2');
    expect(third.outputs).toMatchObject({ uploaded: '0', 'invalidation-id': '' });
  });
});

async function invalidationPaths(distributionId: string, id: string): Promise<string[]> {
  const response = await cloudfront().send(
    new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
  );
  return [...(response.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort();
}
