/**
 * publish-frontend: read inputs → check (and read both sides) → plan → apply (upload assets, then
 * HTML; delete stale objects; invalidate) → save the manifest → wait for the invalidation → report.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, endpointFor, resolveRegion } from '../../common/src/aws-client.js';
import type {
  ActionContext,
  ActionDefinition,
  Deadline,
  Logger,
} from '../../common/src/context.js';
import { formatBytes } from '../../common/src/format.js';
import { untilDeadline } from '../../common/src/poller.js';
import { runIdentity } from '../../common/src/run-identity.js';
import { type Applied, applyPlan, pendingInvalidation } from './apply.js';
import { readInputs, type PublishInputs } from './inputs.js';
import { relativeToOrigin, urlPathFor, waitForInvalidation } from './invalidation.js';
import { keyFor } from './local-files.js';
import { planPublish, type Plan } from './plan.js';
import { MANIFEST_NAME, nextManifest, readBackWritten, writeManifest } from './remote-objects.js';
import { readState, type SiteState } from './state.js';
import { type Publication, reportPublication } from './summary.js';

export const ACTION = 'publish-frontend';

export const definition: ActionDefinition<PublishInputs> = {
  name: ACTION,
  readInputs: (inputs, env) => readInputs(inputs, env),
  resource: (inputs) => `s3://${inputs.bucket}/${inputs.prefix}`,
  run,
};

export async function run(context: ActionContext<PublishInputs>): Promise<void> {
  const { inputs, env, log } = context;
  const region = resolveRegion(inputs.region, env);
  const { s3, cloudfront } = clients({ region, env, deadline: context.deadline });
  const state = await readState({ inputs, s3, cloudfront, region, log });
  const plan = planFor({ inputs, state, now: context.clock.now() });
  log.info(describePlan(state, plan));
  warnOfOtherSites({ inputs, plan, log });
  const publication: Publication = {
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    region,
    distributionId: inputs.distributionId,
    dryRun: inputs.dryRun,
    plan,
    url: siteUrl({ inputs, region, state, env }),
    uploaded: 0,
    bytesUploaded: 0,
    deleted: 0,
  };
  // Whatever happens from here on, the outputs and the summary say what was done.
  try {
    if (inputs.dryRun) return finishDryRun(context, publication);
    const applied = await applyPlan({
      s3,
      cloudfront,
      inputs,
      plan,
      hasDistribution: state.distribution !== undefined,
      identity: runIdentity(env),
      wait: context,
    });
    record(publication, applied);
    if (applied.outcome === 'upload-stopped') throw applied.error;
    // After success and after a failure past the uploads alike: the files are in the bucket.
    const owed = pendingInvalidation({
      applied,
      plan,
      before: state.manifest?.manifest.pendingInvalidation ?? [],
    });
    publication.invalidationNote = owed.note;
    await saveManifest({ s3, inputs, state, plan, applied, region, owed: owed.paths });
    if (applied.outcome === 'partly-published') throw applied.error;
    if (applied.invalidationId && inputs.distributionId && inputs.waitForInvalidation) {
      await waitForInvalidation({
        ...untilDeadline(context),
        cloudfront,
        distributionId: inputs.distributionId,
        invalidationId: applied.invalidationId,
      });
      publication.invalidationStatus = 'Completed';
    }
  } finally {
    reportPublication(publication);
  }
}

/**
 * Both clients are bound to the step's deadline: a request to a frozen endpoint fails the step
 * as a timeout naming the call when timeout-minutes runs out (common/src/aws-client.ts).
 */
function clients(options: { region: string; env: NodeJS.ProcessEnv; deadline: Deadline }) {
  const clientContext = {
    action: ACTION,
    region: options.region,
    env: options.env,
    deadline: options.deadline,
  };
  return {
    s3: createClient(S3Client, 'S3', clientContext, {
      // Integrity comes from Content-MD5 on each PUT; this keeps uploads plain streamed bodies
      // (no aws-chunked trailers), which every S3-compatible endpoint accepts.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    cloudfront: createClient(CloudFrontClient, 'CLOUDFRONT', clientContext),
  };
}

function planFor(options: { inputs: PublishInputs; state: SiteState; now: number }): Plan {
  const { inputs, state } = options;
  return planPublish({
    local: state.local,
    remote: state.remote,
    delete: inputs.delete,
    maxDeletions: inputs.maxDeletions,
    invalidate: state.distribution ? inputs.invalidate : 'none',
    maxInvalidationPaths: inputs.maxInvalidationPaths,
    urlPathFor: (key) => urlPathFor(key, state.distribution?.originPath),
    keepPreviousAssets: {
      forMs: inputs.keepPreviousAssetsMs,
      now: options.now,
      since: state.manifest?.manifest.retained ?? {},
    },
    pendingInvalidation: state.manifest?.manifest.pendingInvalidation ?? [],
  });
}

function describePlan(state: SiteState, plan: Plan): string {
  return (
    `${state.local.length} local file(s), ${state.remote.length} remote object(s): ${plan.uploads.length} to upload ` +
    `(${formatBytes(plan.bytesToUpload)}), ${plan.skipped.length} unchanged, ${plan.deletions.length} to delete` +
    (plan.kept.length > 0 ? `, ${plan.kept.length} earlier asset(s) kept for now.` : '.')
  );
}

/** Another site's folder below the prefix is left alone: say so, naming each. */
function warnOfOtherSites(options: { inputs: PublishInputs; plan: Plan; log: Logger }): void {
  const { inputs, plan } = options;
  if (!inputs.delete || plan.otherSites.length === 0) return;
  const where = `s3://${inputs.bucket}/`;
  const folders = plan.otherSites
    .map((site) => `${where}${site.folder} (${site.objects} object(s))`)
    .join(', ');
  options.log.warning(
    `Left alone: ${folders}. Each holds another site (its own ${MANIFEST_NAME}), whose objects this run never deletes nor counts for max-deletions.`,
    'Another site under the prefix',
  );
}

/** A dry run reports what a real run would do, and changes nothing. */
function finishDryRun(context: ActionContext<PublishInputs>, publication: Publication): void {
  const { plan } = publication;
  context.log.info('Dry run: nothing was changed.');
  Object.assign(publication, {
    uploaded: plan.uploads.length,
    bytesUploaded: plan.bytesToUpload,
    deleted: plan.deletions.length,
  });
}

/** What the apply step did, into the publication the report is written from. */
function record(publication: Publication, applied: Applied): void {
  publication.uploaded = applied.uploads.written.size;
  publication.bytesUploaded = applied.uploads.bytes;
  publication.copied = applied.uploads.copied;
  if (applied.outcome === 'upload-stopped') {
    publication.stopped = uploadStopped(publication.plan, applied.uploads.written);
    return;
  }
  publication.deleted = applied.deleted;
  if (applied.outcome === 'published') publication.invalidationId = applied.invalidationId;
}

/**
 * Saves what is now in the bucket, and the paths still owed an invalidation, for the next run.
 * A run that changed nothing writes nothing, not even the same manifest again.
 */
async function saveManifest(options: {
  s3: S3Client;
  inputs: PublishInputs;
  state: SiteState;
  plan: Plan;
  applied: Exclude<Applied, { outcome: 'upload-stopped' }>;
  region: string;
  /** The paths the next run owes an invalidation. */
  owed: readonly string[];
}): Promise<void> {
  const { s3, inputs, state, plan, applied } = options;
  const written = applied.uploads.written;
  const readBack = await readBackWritten({
    s3,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    keys: [...written.keys()],
    concurrency: inputs.concurrency,
    region: options.region,
  });
  const manifest = nextManifest({
    keys: state.local.map((file) => file.key),
    written,
    readBack,
    before: state.remote,
    retained: plan.retained,
    pendingInvalidation: options.owed,
  });
  if (JSON.stringify(manifest) === JSON.stringify(state.manifest?.manifest)) return;
  await writeManifest({ s3, bucket: inputs.bucket, prefix: inputs.prefix, manifest });
}

/** The distribution's URL of the site; without one, the S3 object URL of index.html. */
function siteUrl(options: {
  inputs: PublishInputs;
  region: string;
  state: SiteState;
  env: NodeJS.ProcessEnv;
}): string {
  const { inputs, state } = options;
  const distribution = state.distribution;
  if (distribution?.domainName) {
    // A URL for people (not an invalidation path): every segment URL-encoded.
    const path = relativeToOrigin(keyFor(inputs.prefix, ''), distribution.originPath);
    return `https://${distribution.domainName}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }
  const hasIndex = state.local.some((file) => file.relativePath === 'index.html');
  const key = keyFor(inputs.prefix, hasIndex ? 'index.html' : '');
  const endpoint = endpointFor('S3', options.env);
  const encoded = key.split('/').map(encodeURIComponent).join('/');
  return endpoint
    ? `${endpoint.replace(/\/+$/, '')}/${inputs.bucket}/${encoded}`
    : `https://${inputs.bucket}.s3.${options.region}.amazonaws.com/${encoded}`;
}

/** What a failed upload leaves, in the visitor's terms: the basis of a rerun. */
function uploadStopped(plan: Plan, written: ReadonlyMap<string, unknown>): string {
  const pagesWritten = plan.uploadPhases.pages.filter((upload) => written.has(upload.file.key));
  const pages =
    pagesWritten.length === 0
      ? 'No HTML page was replaced, so visitors still get the previous release whole.'
      : `${pagesWritten.length} of ${plan.uploadPhases.pages.length} HTML page(s) were replaced; every asset they reference was uploaded before them.`;
  return (
    `The upload stopped after ${written.size} of ${plan.uploads.length} file(s). ${pages} ` +
    'Nothing was deleted and no invalidation was made. Running the step again uploads only what is still missing or different.'
  );
}
