// publish-frontend against moto, the bundle run as the runner runs it, for the cases of issues 10
// and 16 that moto can show: invalidation paths as CloudFront wants them, origins on dual-stack
// and China endpoints or in another region, a site next to another site, links out of the source,
// keys S3 refuses, names that are not UTF-8, the deletion guard's counts.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { restXmlError, startFaultProxy } from '../../../test-support/fault-proxy.js';
import { runAction } from '../../../test-support/run-action.js';
import { cloudfront, createBucket, createDistribution, listObjects, writeSite } from './helpers.js';

async function invalidationPaths(distributionId: string, id: string): Promise<string[]> {
  const response = await cloudfront().send(
    new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
  );
  return [...(response.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort();
}

describe('invalidation paths (issue 10 #9)', () => {
  it('sends exactly the encoding CloudFront documents for changed keys', async () => {
    const bucket = 'paths-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket);
    const files = (version: string): Record<string, string> => ({
      'index.html': `<title>${version}</title>`,
      'team@home+more.html': version,
      'a~b c.html': version,
      'hot*deal.html': version,
    });
    const publish = (version: string) =>
      runAction('publish-frontend', {
        source: writeSite(files(version)),
        bucket,
        'distribution-id': id,
      });
    expect((await publish('v1')).exitCode).toBe(0);
    const second = await publish('v2');
    expect(second.exitCode).toBe(0);
    // moto stores any path it is given: what it returns is what the action sent.
    expect(await invalidationPaths(id, second.outputs['invalidation-id'] as string)).toEqual([
      '/',
      '/a%7Eb%20c.html',
      '/hot*',
      '/index.html',
      '/team@home+more.html',
    ]);
  });
});

describe('the bucket as the distribution names it (issue 10 #11, issue 16 #13)', () => {
  it('recognises a dual-stack origin and publishes with its invalidation', async () => {
    const bucket = 'dualstack-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket, '', {
      originDomainName: `${bucket}.s3.dualstack.us-east-1.amazonaws.com`,
    });
    const publish = (title: string) =>
      runAction('publish-frontend', {
        source: writeSite({ 'index.html': `<title>${title}</title>` }),
        bucket,
        'distribution-id': id,
      });
    expect((await publish('v1')).exitCode).toBe(0);
    const second = await publish('v2');
    expect(second.exitCode).toBe(0);
    expect(await invalidationPaths(id, second.outputs['invalidation-id'] as string)).toEqual([
      '/',
      '/index.html',
    ]);
  });

  it('recognises a China origin (.amazonaws.com.cn) in a China region', async () => {
    const bucket = 'china-site';
    await createBucket(bucket);
    // moto takes a .cn name only for a custom origin: the website endpoint, which is one.
    const { id } = await createDistribution(bucket, '', {
      originDomainName: `${bucket}.s3-website.cn-north-1.amazonaws.com.cn`,
      region: 'cn-north-1',
    });
    const result = await runAction(
      'publish-frontend',
      { source: writeSite({ 'index.html': 'cn' }), bucket, 'distribution-id': id },
      { env: { AWS_REGION: 'cn-north-1' } },
    );
    expect(result.annotations).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect((await listObjects(bucket)).map((object) => object.key)).toContain('index.html');
  });

  it('says the bucket is in the origin’s region and to set aws-region, before any change', async () => {
    const bucket = 'elsewhere-region-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket, '', {
      originDomainName: `${bucket}.s3.eu-west-1.amazonaws.com`,
    });
    const result = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'x' }),
      bucket,
      'distribution-id': id,
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Bucket is in another region');
    expect(result.annotations[0]?.message).toContain('the bucket is in eu-west-1');
    expect(result.annotations[0]?.message).toContain('Set aws-region: eu-west-1');
    expect(await listObjects(bucket)).toEqual([]);
  });
});

describe('links out of the source folder (issue 16 #6)', () => {
  it('refuses a link to a file outside, naming link and target, before any change; escapes the name in the summary (16 #17)', async () => {
    const bucket = 'links-site';
    await createBucket(bucket);
    const home = mkdtempSync(path.join(tmpdir(), 'home-'));
    writeFileSync(path.join(home, 'config.json'), '{"auths":{"ghcr.io":{"auth":"c2VjcmV0"}}}');
    const source = writeSite({ 'index.html': '<title>site</title>' });
    // A file name is markup if the summary does not escape it.
    const name = '<img src=x onerror=alert(1)>.txt';
    symlinkSync(path.join(home, 'config.json'), path.join(source, name));
    symlinkSync('/', path.join(source, 'root'));
    const result = await runAction('publish-frontend', { source, bucket });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Link out of the source folder');
    expect(result.annotations[0]?.message).toContain(
      `${name} -> ${path.join(home, 'config.json')}`,
    );
    expect(result.annotations[0]?.message).toContain('root -> /');
    expect(await listObjects(bucket)).toEqual([]);
    expect(result.summary).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');
    expect(result.summary).not.toContain('<img');
  });

  it('follows a link into the workspace with follow-symlinks: workspace', async () => {
    const bucket = 'workspace-links-site';
    await createBucket(bucket);
    const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'));
    writeFileSync(path.join(workspace, 'LICENSE'), 'MIT');
    const source = writeSite({ 'index.html': '<title>site</title>' }, path.join(workspace, 'dist'));
    symlinkSync(path.join(workspace, 'LICENSE'), path.join(source, 'LICENSE.txt'));
    const inputs = { source: 'dist', bucket };
    const env = { GITHUB_WORKSPACE: workspace };
    const refused = await runAction('publish-frontend', inputs, { env });
    expect(refused.annotations[0]?.title).toBe('Link out of the source folder');
    const allowed = await runAction(
      'publish-frontend',
      { ...inputs, 'follow-symlinks': 'workspace' },
      { env },
    );
    expect(allowed.exitCode).toBe(0);
    expect((await listObjects(bucket)).map((object) => object.key)).toContain('LICENSE.txt');
  });
});

describe('names S3 cannot take (issue 16 #14)', () => {
  it('refuses a file name that is not UTF-8 by name, before any change (was: Unexpected failure: ENOENT)', async () => {
    const bucket = 'latin1-site';
    await createBucket(bucket);
    const source = writeSite({ 'index.html': '<title>site</title>' });
    // "café.txt" written by a Latin-1 tool: byte 0xE9, which is no character in UTF-8.
    writeFileSync(Buffer.from(path.join(source, 'caf\xe9.txt'), 'latin1'), 'menu');
    const result = await runAction('publish-frontend', { source, bucket });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Unusable file name in source');
    expect(result.annotations[0]?.message).toContain('caf\\xE9.txt (not UTF-8)');
    expect(await listObjects(bucket)).toEqual([]);
  });

  it('refuses a control character in prefix naming the input (was: an XML parse error)', async () => {
    const bucket = 'control-prefix-site';
    await createBucket(bucket);
    const result = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'x' }),
      bucket,
      prefix: 'web\u0001',
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Invalid input: prefix');
    expect(result.annotations[0]?.message).toContain('control characters');
    expect(await listObjects(bucket)).toEqual([]);
  });
});

describe('keys S3 refuses (issue 16 #7)', () => {
  it('refuses a key over 1,024 bytes of UTF-8 at planning, naming the file, before any upload', async () => {
    const bucket = 'long-keys-site';
    await createBucket(bucket);
    // 5 folders of 100 é (200 bytes each, a file system's 255-byte name limit kept) and the file:
    // 1,020 bytes, 1,028 with the prefix, in 523 characters. moto stores such a key; S3 refuses it.
    const folders = Array.from({ length: 5 }, () => 'é'.repeat(100)).join('/');
    const long = `${folders}/xxxxxxxxxx.html`;
    const source = writeSite({ 'index.html': 'x', 'a.js': 'a', [long]: 'long' });
    const result = await runAction('publish-frontend', { source, bucket, prefix: 'website' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Object key too long');
    expect(result.annotations[0]?.message).toContain('xxxxxxxxxx.html (1,028 bytes)');
    expect(await listObjects(bucket)).toEqual([]);
  });

  it('names the key when S3 refuses one upload', async () => {
    const bucket = 'refused-key-site';
    await createBucket(bucket);
    // What S3 answers for a key it will not take (moto takes every key): KeyTooLongError, 400.
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL as string,
      rules: [
        {
          match: (request) =>
            request.method === 'PUT' && request.url.startsWith(`/${bucket}/assets/app.js`),
          times: Infinity,
          response: restXmlError('KeyTooLongError', 'Your key is too long', 400),
        },
      ],
    });
    let result;
    try {
      result = await runAction(
        'publish-frontend',
        { source: writeSite({ 'index.html': 'x', 'assets/app.js': 'a' }), bucket },
        { env: { AWS_ENDPOINT_URL: proxy.url } },
      );
    } finally {
      await proxy.stop();
    }
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('AWS error: KeyTooLongError');
    expect(result.annotations[0]?.message).toContain('assets/app.js: Your key is too long');
  });
});

describe('a site next to another site (issue 16 #5)', () => {
  it('never deletes another site’s folder (its own manifest), names it in a warning, and guards only its own', async () => {
    const bucket = 'two-sites';
    await createBucket(bucket);
    const web = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'web', 'app.js': 'w' }),
      bucket,
      prefix: 'web',
    });
    expect(web.exitCode).toBe(0);
    const webKeys = (await listObjects(bucket)).map((object) => object.key).sort();
    expect(webKeys).toEqual([
      'web/.publish-frontend-manifest.json',
      'web/app.js',
      'web/index.html',
    ]);

    // The root site, even with the guard off: web/ is not its to delete.
    const root = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'root', 'old.html': 'old' }),
      bucket,
      'max-deletions': '100%',
    });
    expect(root.exitCode).toBe(0);
    expect(root.outputs).toMatchObject({ uploaded: '2', deleted: '0' });
    const warning = root.annotations.find((annotation) => annotation.level === 'warning');
    expect(warning?.title).toBe('Another site under the prefix');
    expect(warning?.message).toContain(`s3://${bucket}/web/ (3 object(s))`);
    expect(root.summary).toContain('web/ (3 object(s))');

    // Dropping a page of its own: 1 of its 3 objects, within the default 50% (of 3, not of 6).
    const next = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'root v2' }),
      bucket,
    });
    expect(next.exitCode).toBe(0);
    expect(next.outputs).toMatchObject({ deleted: '1' });
    const keys = (await listObjects(bucket)).map((object) => object.key).sort();
    expect(keys).toEqual(['.publish-frontend-manifest.json', 'index.html', ...webKeys]);
  });
});

describe('a glob in YAML (issue 16 #15)', () => {
  it('says to quote a glob that starts with *, names the line and shows the value', async () => {
    const bucket = 'glob-site';
    await createBucket(bucket);
    const result = await runAction('publish-frontend', {
      source: writeSite({ 'index.html': 'x', 'notes.txt': 'n' }),
      bucket,
      'cache-control': 'index.html: no-cache\n*.txt: no-cache',
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Invalid input: cache-control');
    const message = result.annotations[0]?.message ?? '';
    expect(message).toContain('line 2');
    expect(message).toContain('must be quoted: "*.txt": no-cache');
    expect(message).toContain('got "index.html: no-cache\\n*.txt: no-cache"');
    expect(await listObjects(bucket)).toEqual([]);
  });
});
