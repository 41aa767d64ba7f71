/**
 * Applying a plan: upload (assets, then HTML), delete what is stale, create the invalidation.
 * The result says how far it got, as a type: a failure is part of the result rather than an
 * exception, because what comes after (saving the manifest, the report) depends on where it
 * stopped.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../common/src/context.js';
import { awsErrorCode, errorMessage } from '../../common/src/errors.js';
import { untilDeadline, type WaitContext } from '../../common/src/poller.js';
import { callerReference, type RunIdentity } from '../../common/src/run-identity.js';
import type { PublishInputs } from './inputs.js';
import { createInvalidation } from './invalidation.js';
import type { Plan } from './plan.js';
import { deleteAll, uploadAll, type UploadResult } from './upload.js';

export type Applied =
  /** Every upload and deletion done, and the invalidation created when one was due. */
  | { outcome: 'published'; uploads: UploadResult; deleted: number; invalidationId?: string }
  /**
   * An upload failed: nothing was deleted and no invalidation made. HTML goes last, so the pages
   * visitors get are either all old or reference only assets already uploaded.
   */
  | { outcome: 'upload-stopped'; uploads: UploadResult; error: unknown }
  /** Every file is published, but deleting the stale objects or invalidating failed. */
  | { outcome: 'partly-published'; uploads: UploadResult; deleted: number; error: unknown };

export interface ApplyOptions {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  inputs: PublishInputs;
  plan: Plan;
  /** Whether the distribution was found serving the bucket (only then is there one to invalidate). */
  hasDistribution: boolean;
  identity: RunIdentity;
  /** The step's deadline, clock and log: the invalidation back-off draws on the deadline. */
  wait: WaitContext & { log: Logger };
}

export async function applyPlan(options: ApplyOptions): Promise<Applied> {
  const { s3, inputs, plan, wait } = options;
  const log = (line: string): void => wait.log.info(line);
  // Filled in as uploads finish: a failed upload still says what was written before it.
  const uploads: UploadResult = { written: new Map(), bytes: 0, copied: 0 };
  try {
    await uploadAll(plan.uploadPhases, {
      s3,
      bucket: inputs.bucket,
      concurrency: inputs.concurrency,
      log,
      result: uploads,
    });
  } catch (error) {
    return { outcome: 'upload-stopped', uploads, error };
  }

  let deleted = 0;
  try {
    deleted = await deleteAll({ s3, bucket: inputs.bucket, objects: plan.deletions, log });
    const invalidationId = await invalidate(options);
    return { outcome: 'published', uploads, deleted, invalidationId };
  } catch (error) {
    return { outcome: 'partly-published', uploads, deleted, error };
  }
}

/** Creates the invalidation the plan calls for; undefined when none is due. */
async function invalidate(options: ApplyOptions): Promise<string | undefined> {
  const { inputs, plan } = options;
  const { paths, reason } = plan.invalidation;
  if (!options.hasDistribution || !inputs.distributionId || paths.length === 0) return undefined;
  const id = await createInvalidation({
    ...untilDeadline(options.wait),
    cloudfront: options.cloudfront,
    distributionId: inputs.distributionId,
    paths,
    callerReference: callerReference({
      identity: options.identity,
      tool: 'publish-frontend',
      content: paths,
    }),
  });
  options.wait.log.info(`Created invalidation ${id} for ${paths.join(' ')} (${reason}).`);
  return id;
}

/**
 * CreateInvalidation errors that refuse this batch of paths as such (CreateInvalidation, Errors:
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html):
 * InvalidArgument ("Your request contains one or more invalid invalidation paths"), BatchTooLarge
 * (413), InconsistentQuantities, MissingBody. Sent again, the same paths are refused again. The
 * others pass with time or a fix elsewhere (TooManyInvalidationsInProgress, throttling, 5xx, a
 * timeout; AccessDenied until the role is fixed), so their paths stay owed as they are.
 */
const PATHS_REFUSED = ['InvalidArgument', 'BatchTooLarge', 'InconsistentQuantities', 'MissingBody'];

/** The paths the next run owes an invalidation, and what the summary says about a change to them. */
export interface OwedInvalidation {
  paths: readonly string[];
  /** Set when CloudFront refused this run's paths: what was kept instead, for the summary. */
  note?: string;
}

/**
 * The paths the next run still owes an invalidation, kept in the manifest: none once this run's
 * invalidation exists; this run's paths when it could not make it (a rerun finds the files in
 * place and would otherwise see nothing to invalidate); else what an earlier run still owed.
 * Paths CloudFront refused as such are not kept, or every later run would send them and fail:
 * one `/*` is owed instead, which is always a valid path and covers them (a wildcard costs as one
 * path); and if `/*` itself was refused, nothing is kept.
 */
export function pendingInvalidation(options: {
  applied: Applied;
  plan: Plan;
  before: readonly string[];
}): OwedInvalidation {
  const { applied, plan } = options;
  if (applied.outcome === 'published' && applied.invalidationId) return { paths: [] };
  const paths = plan.invalidation.paths;
  if (paths.length === 0) return { paths: options.before };
  const error = applied.outcome === 'partly-published' ? applied.error : undefined;
  const code = awsErrorCode(error);
  if (code === undefined || !PATHS_REFUSED.includes(code)) return { paths };
  const why = `CloudFront refused the paths (${code}: ${errorMessage(error)})`;
  if (paths.length === 1 && paths[0] === '/*') {
    return { paths: [], note: `${why}; no invalidation is kept for the next run.` };
  }
  return { paths: ['/*'], note: `${why}; the next run invalidates /* instead.` };
}
