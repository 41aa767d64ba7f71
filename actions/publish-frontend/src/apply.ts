/**
 * Applying a plan: upload (assets, then HTML), delete what is stale, create the invalidation.
 * The result says how far it got, as a type: a failure is part of the result rather than an
 * exception, because what comes after (saving the manifest, the report) depends on where it
 * stopped.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../common/src/context.js';
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
 * The paths the next run still owes an invalidation, kept in the manifest: none once this run's
 * invalidation exists; this run's paths when it could not make it (a rerun finds the files in
 * place and would otherwise see nothing to invalidate); else what an earlier run still owed.
 */
export function pendingInvalidation(options: {
  applied: Applied;
  plan: Plan;
  before: readonly string[];
}): readonly string[] {
  const { applied, plan } = options;
  if (applied.outcome === 'published' && applied.invalidationId) return [];
  if (plan.invalidation.paths.length > 0) return plan.invalidation.paths;
  return options.before;
}
