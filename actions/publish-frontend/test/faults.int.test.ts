// publish-frontend against what moto cannot do by itself: an endpoint that freezes (a server
// that accepts and never answers) and CloudFront refusing an invalidation (the fault proxy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAction } from '../../../test-support/run-action.js';
import { createBucket, createDistribution, listObjects, writeSite } from './helpers.js';

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
