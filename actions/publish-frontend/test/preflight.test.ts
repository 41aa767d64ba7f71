import { describe, expect, it } from '@jest/globals';
import {
  CloudFrontClient,
  GetDistributionCommand,
  type GetDistributionCommandOutput,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError } from '../../common/src/errors.js';
import type { LocalFile } from '../src/local-files.js';
import {
  bucketOriginRegion,
  checkDistribution,
  checkSource,
  originServesBucket,
} from '../src/preflight.js';

// The S3 endpoint names a distribution's origin may use for a bucket:
// - REST, virtual-hosted: <bucket>.s3.<region>.amazonaws.com, the legacy global
//   <bucket>.s3.amazonaws.com and dash form <bucket>.s3-<region>.amazonaws.com;
// - dual-stack: "bucketname.s3.dualstack.aws-region.amazonaws.com" — "Amazon S3 supports only
//   regional dual-stack endpoint names" (S3 User Guide, "Using Amazon S3 dual-stack endpoints",
//   https://docs.aws.amazon.com/AmazonS3/latest/userguide/dual-stack-endpoints.html);
// - website: "bucket-name.s3-website-Region.amazonaws.com" and "bucket-name.s3-website.Region.amazonaws.com"
//   (S3 User Guide, "Website endpoints", https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html);
// - China regions end in .amazonaws.com.cn ("s3.Region.amazonaws.com.cn", Amazon S3 in the China
//   regions, and the dual-stack s3.dualstack.Region.amazonaws.com.cn).
describe('bucketOriginRegion', () => {
  it.each([
    ['my-site.s3.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-site.s3-eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-site.s3.dualstack.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-site.s3-website-eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-site.s3-website.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['my-site.s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['my-site.s3.dualstack.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1'],
    ['my-site.s3-website.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['my-site.s3.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['My-Site.S3.DualStack.EU-WEST-1.amazonaws.com', 'eu-west-1'],
  ])('%s is the bucket my-site in %s', (domainName, region) => {
    expect(bucketOriginRegion(domainName, 'my-site')).toEqual({ region });
  });

  it('takes the legacy global endpoint for the bucket in any region', () => {
    expect(bucketOriginRegion('my-site.s3.amazonaws.com', 'my-site')).toEqual({});
  });

  it('keeps dots in bucket names apart from the endpoint', () => {
    expect(
      bucketOriginRegion('www.example.com.s3.eu-west-1.amazonaws.com', 'www.example.com'),
    ).toEqual({ region: 'eu-west-1' });
    expect(
      bucketOriginRegion('www.example.com.s3.eu-west-1.amazonaws.com', 'example.com'),
    ).toBeUndefined();
  });

  it.each([
    'my-site-old.s3.eu-west-1.amazonaws.com',
    'other.my-site.s3.eu-west-1.amazonaws.com',
    'alb-123.eu-west-1.elb.amazonaws.com',
    // China endpoints only for China regions, and the other way round.
    'my-site.s3.eu-west-1.amazonaws.com.cn',
    'my-site.s3.cn-north-1.amazonaws.com',
    // Dual-stack names are regional only, and have no dash form.
    'my-site.s3.dualstack.amazonaws.com',
    'my-site.s3-dualstack-eu-west-1.amazonaws.com',
    'my-site.s3-accesspoint.eu-west-1.amazonaws.com',
  ])('%s is not the bucket my-site', (domainName) => {
    expect(bucketOriginRegion(domainName, 'my-site')).toBeUndefined();
  });

  it('serves the bucket only from its own region (or the global name)', () => {
    expect(
      originServesBucket('my-site.s3.dualstack.eu-west-1.amazonaws.com', 'my-site', 'eu-west-1'),
    ).toBe(true);
    expect(
      originServesBucket('my-site.s3.cn-north-1.amazonaws.com.cn', 'my-site', 'cn-north-1'),
    ).toBe(true);
    expect(originServesBucket('my-site.s3.eu-west-1.amazonaws.com', 'my-site', 'us-east-1')).toBe(
      false,
    );
    expect(originServesBucket('my-site.s3.amazonaws.com', 'my-site', 'ap-south-1')).toBe(true);
  });
});

describe('checkDistribution', () => {
  const cloudfront = new CloudFrontClient({ region: 'us-east-1' });
  const mock = mockClient(cloudfront);
  // GetDistribution's answer (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html).
  const distribution = (domainNames: string[]): GetDistributionCommandOutput => ({
    $metadata: {},
    Distribution: {
      Id: 'E2QWRUHAPOMQZL',
      ARN: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
      Status: 'Deployed',
      LastModifiedTime: new Date(),
      InProgressInvalidationBatches: 0,
      DomainName: 'd111111abcdef8.cloudfront.net',
      DistributionConfig: {
        CallerReference: 'r',
        Comment: '',
        Enabled: true,
        Origins: {
          Quantity: domainNames.length,
          Items: domainNames.map((DomainName, index) => ({
            Id: `o${index}`,
            DomainName,
            OriginPath: '',
          })),
        },
        DefaultCacheBehavior: { TargetOriginId: 'o0', ViewerProtocolPolicy: 'redirect-to-https' },
      },
    },
  });
  const check = (region: string) =>
    checkDistribution({ cloudfront, distributionId: 'E2QWRUHAPOMQZL', bucket: 'my-site', region });

  it('says the bucket is in the origin’s region, and to set aws-region (issue 16 #13)', async () => {
    mock.on(GetDistributionCommand).resolves(distribution(['my-site.s3.eu-west-1.amazonaws.com']));
    const refusal = await check('us-east-1').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ActionError);
    expect(refusal).toMatchObject({ title: 'Bucket is in another region' });
    expect((refusal as ActionError).message).toContain('my-site.s3.eu-west-1.amazonaws.com');
    expect((refusal as ActionError).message).toContain('eu-west-1');
    expect((refusal as ActionError).hint).toContain('aws-region: eu-west-1');
  });

  it('accepts a dual-stack origin in the step’s region (issue 10 #11)', async () => {
    mock
      .on(GetDistributionCommand)
      .resolves(distribution(['alb.example.com', 'my-site.s3.dualstack.eu-west-1.amazonaws.com']));
    await expect(check('eu-west-1')).resolves.toEqual({
      domainName: 'd111111abcdef8.cloudfront.net',
      originPath: '',
    });
  });

  it('still says "not an origin" when no origin names the bucket at all', async () => {
    mock
      .on(GetDistributionCommand)
      .resolves(distribution(['elsewhere.s3.eu-west-1.amazonaws.com']));
    await expect(check('eu-west-1')).rejects.toMatchObject({
      title: 'Bucket is not an origin of the distribution',
    });
  });
});

describe('checkSource: keys S3 refuses (issue 16 #7)', () => {
  // "The object key name consists of a sequence of Unicode characters encoded in UTF-8, with a
  // maximum length of 1,024 bytes" — the prefix and delimiter included (S3 User Guide, "Naming
  // Amazon S3 objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
  const file = (relativePath: string, prefix = ''): LocalFile => ({
    relativePath,
    absolutePath: `/s/${relativePath}`,
    key: prefix ? `${prefix}/${relativePath}` : relativePath,
    size: 1,
    md5: '0'.repeat(32),
    contentType: 'text/html; charset=utf-8',
    cacheControl: 'no-cache',
  });
  const refusal = (files: LocalFile[], prefix = ''): ActionError => {
    try {
      checkSource({ source: '/s', files, requireIndex: false, prefix });
    } catch (error) {
      return error as ActionError;
    }
    throw new Error('expected a refusal');
  };

  it('counts bytes of UTF-8, not characters, prefix included', () => {
    // é is two bytes: 515 characters, 1,024 bytes with the prefix w/ — the limit exactly.
    const fits = `${'é'.repeat(507)}/ab.html`;
    expect(Buffer.byteLength(`w/${fits}`)).toBe(1024);
    expect(() =>
      checkSource({ source: '/s', files: [file(fits, 'w')], requireIndex: false, prefix: 'w' }),
    ).not.toThrow();
    // One byte more.
    const over = `${'é'.repeat(507)}/abc.html`;
    const error = refusal([file('index.html', 'w'), file(over, 'w')], 'w');
    expect(error).toBeInstanceOf(ActionError);
    expect(error.title).toBe('Object key too long');
    expect(error.message).toContain(over.slice(0, 20));
    expect(error.message).toContain('1,025 bytes');
    expect(error.message).toContain('1,024');
    expect(error.message).not.toContain('index.html');
    expect(error.message).toContain('Nothing was changed');
  });

  it('counts the manifest the prefix must also hold', () => {
    const prefix = 'p'.repeat(1000);
    const error = refusal([file('index.html', prefix)], prefix);
    expect(error.title).toBe('Object key too long');
    expect(error.message).toContain('.publish-frontend-manifest.json');
  });
});
