/**
 * What a failed S3 HEAD request (HeadBucket, HeadObject) means. A HEAD answer has no body, so S3
 * cannot say why it refused (HeadBucket: "a generic 400 Bad Request, 403 Forbidden or 404 Not
 * Found", https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html; the same for
 * HeadObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html) and the SDK
 * names every such error "Unknown" (only a 404 becomes NotFound). The status code and the
 * x-amz-bucket-region header, which S3 sends on any HeadBucket whatever the caller's permissions,
 * are what there is to go on.
 */
import { ActionError } from './errors.js';

export type S3HeadFailure =
  | { kind: 'not-found' }
  | { kind: 'access-denied' }
  /** The bucket is in another region than the client's; `region` when S3 said which. */
  | { kind: 'wrong-region'; region?: string };

/** The HTTP facts of an SDK error: its status, and the raw response's headers (lower-case). */
function httpFacts(error: unknown): { status?: number; headers: Record<string, string> } {
  const facts = error as {
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string> };
  } | null;
  return {
    status: facts?.$metadata?.httpStatusCode ?? facts?.$response?.statusCode,
    headers: facts?.$response?.headers ?? {},
  };
}

/**
 * Classifies a HEAD failure by status; undefined for anything else (a network error, a 5xx the
 * SDK already retried), which stays as it was.
 */
export function classifyS3Head(error: unknown, clientRegion: string): S3HeadFailure | undefined {
  const { status, headers } = httpFacts(error);
  const bucketRegion = headers['x-amz-bucket-region'];
  // 301 PermanentRedirect: the bucket lives elsewhere. A 400 that names another region is the
  // same mistake as S3 answers it to a request signed for the wrong region.
  if (status === 301 || (status === 400 && bucketRegion && bucketRegion !== clientRegion)) {
    return { kind: 'wrong-region', ...(bucketRegion ? { region: bucketRegion } : {}) };
  }
  if (status === 403) return { kind: 'access-denied' };
  if (status === 404) return { kind: 'not-found' };
  return undefined;
}

export interface HeadTarget {
  bucket: string;
  /** The object, for HeadObject; absent for HeadBucket. */
  key?: string;
  /** The region the client used (the aws-region input or AWS_REGION). */
  region: string;
}

/**
 * An ActionError naming the bucket (and object) and the fix for a 403 or a wrong region;
 * undefined for a 404 (whose meaning — no bucket, no object — is the caller's to word) and for
 * errors this cannot read.
 */
export function s3HeadError(error: unknown, target: HeadTarget): ActionError | undefined {
  const failure = classifyS3Head(error, target.region);
  const what = target.key
    ? `s3://${target.bucket}/${target.key}`
    : `the S3 bucket ${target.bucket}`;
  const call = target.key ? 'HeadObject' : 'HeadBucket';
  if (failure?.kind === 'access-denied') {
    return new ActionError(
      `Access denied: ${target.key ? 's3:GetObject' : 's3:ListBucket'} on ${target.bucket}`,
      `${call} on ${what} was refused (403 Forbidden; S3 sends no reason with a HEAD answer).`,
      target.key
        ? `Allow s3:GetObject on the objects of ${target.bucket} (and s3:ListBucket on the bucket, without which a missing object also reads as 403) for the role this workflow assumes; check the bucket policy and any KMS key policy too.`
        : `Allow s3:ListBucket on the bucket ${target.bucket} for the role this workflow assumes, and check that the bucket policy does not deny it. A bucket of another account also answers 403.`,
    );
  }
  if (failure?.kind === 'wrong-region') {
    const where = failure.region ? `in ${failure.region}` : 'in another region';
    return new ActionError(
      `Bucket ${target.bucket} is ${where}`,
      `${call} on ${what} was redirected: the bucket is ${where}, while this step calls S3 in ${target.region}.`,
      failure.region
        ? `Set aws-region: ${failure.region} on this step (or AWS_REGION in aws-actions/configure-aws-credentials), or pass the bucket of ${target.region}.`
        : 'Set aws-region to the region the bucket was created in (the S3 console shows it), or pass a bucket of this region.',
    );
  }
  return undefined;
}
