/** Shared set-up of the integration tests: sites on disk, a bucket, a distribution in front of it. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { createClient } from '../../common/src/aws-client.js';
import { isAwsError } from '../../common/src/errors.js';

export const s3 = (): S3Client => createClient(S3Client, 'S3', { action: 'test' });
export const cloudfront = (): CloudFrontClient =>
  createClient(CloudFrontClient, 'CLOUDFRONT', { action: 'test' });

/** Writes `files` (relative path → content) into a fresh temporary folder and returns it. */
export function writeSite(
  files: Record<string, string | Buffer>,
  dir = mkdtempSync(path.join(tmpdir(), 'site-')),
): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

export async function createBucket(bucket: string): Promise<void> {
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
}

/**
 * A distribution whose default origin is the bucket's regional REST endpoint, as the edge stack
 * makes it, or the origin domain name given (moto's CloudFront takes any).
 */
export async function createDistribution(
  bucket: string,
  originPath = '',
  options: { originDomainName?: string; region?: string } = {},
): Promise<{ id: string; domainName: string }> {
  const originDomainName = options.originDomainName ?? `${bucket}.s3.us-east-1.amazonaws.com`;
  // CloudFront of the China regions is a partition of its own (moto keeps it apart too).
  const client = options.region
    ? createClient(CloudFrontClient, 'CLOUDFRONT', { action: 'test', region: options.region })
    : cloudfront();
  const response = await client.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `test-${bucket}-${Date.now()}`,
        Comment: 'publish-frontend test',
        Enabled: true,
        DefaultRootObject: 'index.html',
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 's3-site',
              DomainName: originDomainName,
              OriginPath: originPath,
              // A website endpoint is a custom (HTTP) origin, as CloudFront wants it.
              ...(originDomainName.includes('.s3-website')
                ? {
                    CustomOriginConfig: {
                      HTTPPort: 80,
                      HTTPSPort: 443,
                      OriginProtocolPolicy: 'http-only' as const,
                    },
                  }
                : { S3OriginConfig: { OriginAccessIdentity: '' } }),
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 's3-site',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  return {
    id: response.Distribution?.Id as string,
    domainName: response.Distribution?.DomainName as string,
  };
}

export interface StoredObject {
  key: string;
  etag: string;
  lastModified: string;
}

export async function listObjects(bucket: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3().send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      objects.push({
        key: item.Key as string,
        etag: item.ETag as string,
        lastModified: item.LastModified?.toISOString() as string,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

export async function headObject(bucket: string, key: string) {
  return s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/**
 * Reads an object as a visitor's request to the origin would (signed, since moto routes
 * unsigned requests to no bucket); a missing key is status 404.
 */
export async function fetchObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ status: number; body: string }> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { status: 200, body: (await response.Body?.transformToString('utf8')) ?? '' };
  } catch (error) {
    if (isAwsError(error, 'NoSuchKey', 'NotFound')) return { status: 404, body: '' };
    throw error;
  }
}
