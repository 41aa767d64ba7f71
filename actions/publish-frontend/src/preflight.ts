/**
 * Checks that must pass before anything changes: the source holds a site, the bucket exists, and
 * the distribution (when given) serves from that bucket.
 */
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetDistributionCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ActionError, isAwsError } from '../../common/src/errors.js';
import { s3HeadError } from '../../common/src/s3-head.js';
import type { LocalFile } from './local-files.js';
import { MANIFEST_NAME, manifestKey } from './remote-objects.js';

export function checkSource(options: {
  source: string;
  files: readonly LocalFile[];
  requireIndex: boolean;
  /** The key prefix ('' for the root), whose manifest key must fit too. */
  prefix?: string;
}): void {
  if (options.files.length === 0) {
    throw new ActionError(
      'Nothing to publish',
      `The source folder ${options.source} holds no files. Nothing was changed.`,
      'Build the site before this step and point source at the build output (e.g. dist or build).',
    );
  }
  if (options.requireIndex && !options.files.some((file) => file.relativePath === 'index.html')) {
    throw new ActionError(
      'No index.html in source',
      `The source folder ${options.source} has no index.html at its root (it has ${options.files.length} file(s), e.g. ${options.files
        .slice(0, 3)
        .map((file) => file.relativePath)
        .join(', ')}). Nothing was changed.`,
      'Point source at the folder that holds index.html (the build output), or set require-index: false for a bucket of assets only.',
    );
  }
  checkKeyLengths(options.files, options.prefix ?? '');
  const reserved = options.files.find(
    (file) => file.relativePath.split('/').pop() === MANIFEST_NAME,
  );
  if (reserved) {
    throw new ActionError(
      'Reserved file name in source',
      `${reserved.relativePath}: publish-frontend keeps its own manifest under that name.`,
      'Rename or remove that file from the build output.',
    );
  }
}

/** The bucket exists, in the region this step calls, and the role may list it. */
/**
 * "The object key name consists of a sequence of Unicode characters encoded in UTF-8, with a
 * maximum length of 1,024 bytes", prefix and delimiter included (S3 User Guide, "Naming Amazon S3
 * objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). S3 refuses a
 * longer key (KeyTooLongError) only when its upload is tried, after others were written: so the
 * plan refuses it first, naming each file.
 */
export const MAX_KEY_BYTES = 1024;

function checkKeyLengths(files: readonly LocalFile[], prefix: string): void {
  const bytes = (key: string): number => Buffer.byteLength(key, 'utf8');
  const tooLong = files
    .map((file) => ({ name: file.relativePath, bytes: bytes(file.key) }))
    .filter((entry) => entry.bytes > MAX_KEY_BYTES);
  const manifest = manifestKey(prefix);
  if (bytes(manifest) > MAX_KEY_BYTES) tooLong.unshift({ name: manifest, bytes: bytes(manifest) });
  if (tooLong.length === 0) return;
  const shown = tooLong
    .slice(0, 5)
    .map((entry) => `${entry.name} (${entry.bytes.toLocaleString('en-US')} bytes)`);
  throw new ActionError(
    'Object key too long',
    `${tooLong.length} object key(s) would be longer than S3's ${MAX_KEY_BYTES.toLocaleString('en-US')} bytes of UTF-8 ` +
      `(prefix included): ${shown.join(', ')}${tooLong.length > shown.length ? ', …' : ''}. Nothing was changed.`,
    'Shorten the file or folder names in the build (a character outside ASCII takes 2 to 4 bytes), or the prefix.',
  );
}

export async function checkBucket(options: {
  s3: S3Client;
  bucket: string;
  region: string;
}): Promise<void> {
  const { s3, bucket } = options;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (isAwsError(error, 'NotFound', 'NoSuchBucket')) {
      throw new ActionError(
        'Bucket not found',
        `The S3 bucket ${bucket} does not exist (or is in another account). Nothing was changed.`,
        'Create the bucket first (provision-stack with the edge stack) and pass its name, e.g. from the stack outputs.',
      );
    }
    // 403 and 301 come without a body, as "Unknown" (s3-head.ts): read by their status.
    const explained = s3HeadError(error, { bucket, region: options.region });
    if (explained) {
      throw new ActionError(
        explained.title,
        `${explained.message} Nothing was changed.`,
        explained.title.startsWith('Access denied')
          ? `${explained.hint} publish-frontend also needs s3:GetObject, s3:PutObject and s3:DeleteObject on its objects.`
          : explained.hint,
      );
    }
    throw error;
  }
}

export interface DistributionInfo {
  domainName: string;
  /** The matching origin's OriginPath ('' when none), removed from keys to form viewer paths. */
  originPath: string;
}

/**
 * The S3 endpoint names an origin may use for the bucket, and the region each names:
 * REST `<bucket>.s3.<region>.amazonaws.com` (and the legacy `<bucket>.s3-<region>.amazonaws.com`),
 * dual-stack `<bucket>.s3.dualstack.<region>.amazonaws.com` ("Amazon S3 supports only regional
 * dual-stack endpoint names": S3 User Guide, "Using Amazon S3 dual-stack endpoints",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/dual-stack-endpoints.html), website
 * `<bucket>.s3-website-<region>.amazonaws.com` and `<bucket>.s3-website.<region>.amazonaws.com`
 * (S3 User Guide, "Website endpoints",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html); in the China
 * regions the same names end in `.amazonaws.com.cn`.
 */
const S3_ENDPOINT =
  /^(?:s3-website[.-]|s3(?:\.dualstack)?\.|s3-)(?<region>[a-z]{2,4}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?<china>\.cn)?$/;

/**
 * Whether an origin's domain name is one of the bucket's S3 endpoints, and the region it names
 * (none for the legacy global `<bucket>.s3.amazonaws.com`, which reaches the bucket wherever it is);
 * undefined when it is not the bucket's.
 */
export function bucketOriginRegion(
  domainName: string,
  bucket: string,
): { region?: string } | undefined {
  const name = domainName.toLowerCase();
  if (!name.startsWith(`${bucket}.`)) return undefined;
  const endpoint = name.slice(bucket.length + 1);
  if (endpoint === 's3.amazonaws.com') return {};
  const match = S3_ENDPOINT.exec(endpoint);
  const region = match?.groups?.region;
  // .amazonaws.com.cn is the China regions' domain, and only theirs.
  if (!region || region.startsWith('cn-') !== (match?.groups?.china !== undefined))
    return undefined;
  return { region };
}

/** True when an origin's domain name is the bucket's S3 REST or website endpoint in `region`. */
export function originServesBucket(domainName: string, bucket: string, region: string): boolean {
  const origin = bucketOriginRegion(domainName, bucket);
  return origin !== undefined && (origin.region === undefined || origin.region === region);
}

export async function checkDistribution(options: {
  cloudfront: CloudFrontClient;
  distributionId: string;
  bucket: string;
  /** The key prefix published to ('' for the root): it must lie inside an origin's path. */
  prefix?: string;
  region: string;
}): Promise<DistributionInfo> {
  let response;
  try {
    response = await options.cloudfront.send(
      new GetDistributionCommand({ Id: options.distributionId }),
    );
  } catch (error) {
    if (isAwsError(error, 'NoSuchDistribution')) {
      throw new ActionError(
        'Distribution not found',
        `CloudFront distribution ${options.distributionId} does not exist in this account. Nothing was changed.`,
        'Pass the distribution id of the edge stack (its outputs), or leave distribution-id empty to publish without invalidating.',
      );
    }
    throw error;
  }
  const origins = response.Distribution?.DistributionConfig?.Origins?.Items ?? [];
  const bucketOrigins = origins.filter((candidate) =>
    originServesBucket(candidate.DomainName ?? '', options.bucket, options.region),
  );
  if (bucketOrigins.length === 0) refuseOtherRegion({ ...options, origins });
  const prefix = options.prefix ?? '';
  // An origin with OriginPath /web serves s3://bucket/web/ only: publishing elsewhere in the
  // bucket would reach no visitor, and its invalidation paths would name other objects.
  const origin = bucketOrigins.find((candidate) =>
    prefixInside(prefix, candidate.OriginPath ?? ''),
  );
  if (bucketOrigins.length > 0 && !origin) {
    const paths = bucketOrigins.map((candidate) => candidate.OriginPath || '/').join(', ');
    throw new ActionError(
      'Prefix is outside what the distribution serves',
      `CloudFront distribution ${options.distributionId} serves bucket ${options.bucket} from origin path ${paths}, ` +
        `but prefix '${prefix}' publishes to s3://${options.bucket}/${prefix ? `${prefix}/` : ''}, which visitors cannot reach. Nothing was changed.`,
      `Set prefix to the origin path (e.g. ${(bucketOrigins[0]?.OriginPath ?? '').replace(/^\/+/, '') || "''"}) or a folder below it.`,
    );
  }
  if (!origin) {
    throw new ActionError(
      'Bucket is not an origin of the distribution',
      `CloudFront distribution ${options.distributionId} does not serve from bucket ${options.bucket}; its origins are ${
        origins.map((candidate) => candidate.DomainName).join(', ') || 'none'
      }. Nothing was changed.`,
      'Pass the bucket and distribution of the same environment (both are outputs of the edge stack).',
    );
  }
  return {
    domainName: response.Distribution?.DomainName ?? '',
    originPath: origin.OriginPath ?? '',
  };
}

/**
 * A distribution whose origin is the bucket's endpoint in another region: the bucket is there
 * (an origin that names the wrong region would not serve at all), so this step's region is wrong.
 */
function refuseOtherRegion(options: {
  distributionId: string;
  bucket: string;
  region: string;
  origins: readonly { DomainName?: string }[];
}): void {
  for (const origin of options.origins) {
    const found = bucketOriginRegion(origin.DomainName ?? '', options.bucket);
    if (!found?.region || found.region === options.region) continue;
    throw new ActionError(
      'Bucket is in another region',
      `CloudFront distribution ${options.distributionId} serves bucket ${options.bucket} from origin ${origin.DomainName}, ` +
        `so the bucket is in ${found.region}; this step works in ${options.region}. Nothing was changed.`,
      `Set aws-region: ${found.region} on this step (or AWS_REGION in aws-actions/configure-aws-credentials).`,
    );
  }
}

/** True when keys under `prefix` are below the origin path (`/web` holds `web` and `web/docs`). */
export function prefixInside(prefix: string, originPath: string): boolean {
  const origin = originPath.replace(/^\/+|\/+$/g, '');
  return origin === '' || prefix === origin || prefix.startsWith(`${origin}/`);
}
