// publish-frontend against moto, the bundle run as the runner runs it, for the cases of issues 10
// and 16 that moto can show: invalidation paths as CloudFront wants them, origins on dual-stack
// and China endpoints or in another region, a site next to another site, links out of the source,
// keys S3 refuses, names that are not UTF-8, the deletion guard's counts.
import { describe, expect, it } from '@jest/globals';
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { runAction } from '../../../test-support/run-action.js';
import { cloudfront, createBucket, createDistribution, writeSite } from './helpers.js';

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
