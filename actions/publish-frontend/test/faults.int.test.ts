// publish-frontend against what moto cannot do by itself: an endpoint that freezes (a server
// that accepts and never answers) and CloudFront refusing an invalidation (the fault proxy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { restXmlError, startFaultProxy } from '../../../test-support/fault-proxy.js';
import { runAction } from '../../../test-support/run-action.js';
import {
  cloudfront,
  createBucket,
  createDistribution,
  listObjects,
  s3,
  writeSite,
} from './helpers.js';

const site = { 'index.html': '<title>v1</title>', 'app.js': 'console.log(1)' };

describe('a frozen endpoint (issue 16 #4)', () => {
  // moto always answers: a server that takes every request and never answers stands for an
  // endpoint frozen mid-deploy.
  let frozen: Server;
  let frozenUrl: string;
  beforeAll(async () => {
    frozen = createServer((request) => request.resume());
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    frozenUrl = `http://127.0.0.1:${(frozen.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    frozen.closeAllConnections();
    await new Promise<void>((resolve) => frozen.close(() => resolve()));
  });

  it('fails as a timeout naming the S3 call, within timeout-minutes, and changes nothing', async () => {
    await createBucket('frozen-s3');
    const started = Date.now();
    const result = await runAction(
      'publish-frontend',
      { source: writeSite(site), bucket: 'frozen-s3', 'timeout-minutes': '10s' },
      { env: { AWS_ENDPOINT_URL_S3: frozenUrl }, timeoutMs: 60_000 },
    );
    const took = Date.now() - started;
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Timed out');
    expect(result.annotations[0]?.message).toContain('S3 HeadBucket got no answer');
    expect(result.annotations[0]?.message).toContain(frozenUrl);
    expect(result.summary).toContain('HeadBucket');
    // The deadline (10 s) stops it, not run-main's hard stop 30 s later.
    expect(took).toBeLessThan(25_000);
    expect(await listObjects('frozen-s3')).toEqual([]);
  });

  it('fails as a timeout naming the CloudFront call when the distribution check hangs', async () => {
    await createBucket('frozen-cf');
    const { id } = await createDistribution('frozen-cf');
    const result = await runAction(
      'publish-frontend',
      {
        source: writeSite(site),
        bucket: 'frozen-cf',
        'distribution-id': id,
        'timeout-minutes': '10s',
      },
      { env: { AWS_ENDPOINT_URL_CLOUDFRONT: frozenUrl }, timeoutMs: 60_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Timed out');
    expect(result.annotations[0]?.message).toContain('CloudFront GetDistribution got no answer');
    expect(await listObjects('frozen-cf')).toEqual([]);
  });
});

describe('a call that hangs after the uploads (issue 16 #4)', () => {
  it('fails as a timeout naming CreateInvalidation, and the manifest still records the paths owed', async () => {
    const bucket = 'held-site';
    await createBucket(bucket);
    const { id } = await createDistribution(bucket);
    const publish = (title: string, env: Record<string, string> = {}, extra = {}) =>
      runAction(
        'publish-frontend',
        {
          source: writeSite({ 'index.html': `<title>${title}</title>`, 'app.js': title }),
          bucket,
          'distribution-id': id,
          ...extra,
        },
        { env, timeoutMs: 90_000 },
      );
    expect((await publish('v1')).exitCode).toBe(0);
    // CloudFront takes the request and never answers; S3 (through the proxy too) answers.
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL as string,
      rules: [
        {
          match: (request) => request.method === 'POST' && request.url.endsWith('/invalidation'),
          times: Infinity,
          hold: true,
        },
      ],
    });
    let held;
    const started = Date.now();
    try {
      held = await publish('v2', { AWS_ENDPOINT_URL: proxy.url }, { 'timeout-minutes': '15s' });
    } finally {
      await proxy.stop();
    }
    expect(held.exitCode).toBe(1);
    expect(held.annotations[0]?.title).toBe('Timed out');
    expect(held.annotations[0]?.message).toContain('CloudFront CreateInvalidation got no answer');
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(held.outputs).toMatchObject({ uploaded: '2', 'invalidation-id': '' });
    // The manifest was written after the deadline (its clean-up window): the rerun, which finds
    // the files in place, still invalidates them.
    const rerun = await publish('v2');
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ uploaded: '0', skipped: '2' });
    const created = await cloudfront().send(
      new GetInvalidationCommand({ DistributionId: id, Id: rerun.outputs['invalidation-id'] }),
    );
    expect([...(created.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort()).toEqual([
      '/',
      '/app.js',
      '/index.html',
    ]);
  });
});

describe('an invalidation CloudFront refuses (issue 10 #10)', () => {
  it('is not sent again by every later run: the next run invalidates /* once, and then nothing is owed', async () => {
    const bucket = 'refused-site';
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

    // moto takes any path; CloudFront refuses a batch with an invalid path (InvalidArgument, 400:
    // CreateInvalidation's errors, https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html).
    // The proxy refuses every batch but one of just /* (always a valid path), as CloudFront
    // would refuse these paths again on every run.
    const proxy = await startFaultProxy({
      target: process.env.AWS_ENDPOINT_URL as string,
      rules: [
        {
          match: (request) =>
            request.method === 'POST' &&
            /\/distribution\/[^/]+\/invalidation$/.test(request.url) &&
            !/<Quantity>1<\/Quantity><Items><Path>\/\*<\/Path><\/Items>/.test(request.body),
          times: Infinity,
          response: restXmlError(
            'InvalidArgument',
            'Your request contains one or more invalid invalidation paths.',
            400,
          ),
        },
      ],
    });
    const savedPending = async (): Promise<string[] | undefined> => {
      const manifest = await s3().send(
        new GetObjectCommand({ Bucket: bucket, Key: '.publish-frontend-manifest.json' }),
      );
      const saved = JSON.parse((await manifest.Body?.transformToString()) ?? '{}') as {
        pendingInvalidation?: string[];
      };
      return saved.pendingInvalidation;
    };
    let refused;
    let pending;
    let rerun;
    try {
      refused = await publish('v2', { AWS_ENDPOINT_URL: proxy.url });
      pending = await savedPending();
      rerun = await publish('v2', { AWS_ENDPOINT_URL: proxy.url });
    } finally {
      await proxy.stop();
    }
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toContain('InvalidArgument');
    expect(refused.summary).toContain('the next run invalidates /* instead');
    expect(pending).toEqual(['/*']);

    // The rerun finds the files in place and owes only /*: CloudFront takes it.
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ uploaded: '0', skipped: '2' });
    const created = await cloudfront().send(
      new GetInvalidationCommand({ DistributionId: id, Id: rerun.outputs['invalidation-id'] }),
    );
    expect(created.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/*']);
    // Paid once: the run after that owes nothing.
    const third = await publish('v2');
    expect(third.outputs).toMatchObject({ uploaded: '0', 'invalidation-id': '' });
  });
});
