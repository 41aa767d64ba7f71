/**
 * publish-frontend: read inputs → check (and read both sides) → plan → upload (assets, then
 * HTML) → delete stale objects → save the manifest → invalidate → wait → report.
 */
import * as core from '@actions/core';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, endpointFor, resolveRegion } from '../../common/src/aws-client.js';
import type { MainContext } from '../../common/src/run-main.js';
import { writeSummary } from '../../common/src/summary.js';
import { readInputs, type PublishInputs } from './inputs.js';
import {
  callerReference,
  createInvalidation,
  urlPathFor,
  waitForInvalidation,
} from './invalidation.js';
import { keyFor, type LocalFile } from './local-files.js';
import { planPublish, type Plan } from './plan.js';
import type { DistributionInfo } from './preflight.js';
import { nextManifest, readBackWritten, writeManifest, type KnownState } from './remote-objects.js';
import { readState, type SiteState } from './state.js';
import { addReport } from './summary.js';
import { deleteAll, uploadAll, type UploadResult } from './upload.js';
import { formatBytes } from '../../common/src/format.js';

const ACTION = 'publish-frontend';

export async function run(context: MainContext = {}): Promise<void> {
  const inputs = readInputs();
  const region = resolveRegion(inputs.region);
  context.resource = `s3://${inputs.bucket}/${inputs.prefix}`;
  const s3 = createClient(
    S3Client,
    'S3',
    { action: ACTION, region },
    {
      // Integrity comes from Content-MD5 on each PUT; this keeps uploads plain streamed bodies
      // (no aws-chunked trailers), which every S3-compatible endpoint accepts.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  );
  const cloudfront = createClient(CloudFrontClient, 'CLOUDFRONT', { action: ACTION, region });

  const state = await readState({ inputs, s3, cloudfront, region });
  const plan = planPublish({
    local: state.local,
    remote: state.remote,
    delete: inputs.delete,
    maxDeletions: inputs.maxDeletions,
    invalidate: state.distribution ? inputs.invalidate : 'none',
    maxInvalidationPaths: inputs.maxInvalidationPaths,
    urlPathFor: (key) => urlPathFor(key, state.distribution?.originPath),
    keepPreviousAssets: {
      forMs: inputs.keepPreviousAssetsMs,
      now: Date.now(),
      since: state.manifest?.manifest.retained ?? {},
    },
    pendingInvalidation: state.manifest?.manifest.pendingInvalidation ?? [],
  });
  core.info(
    `${state.local.length} local file(s), ${state.remote.length} remote object(s): ${plan.uploads.length} to upload ` +
      `(${formatBytes(plan.bytesToUpload)}), ${plan.skipped.length} unchanged, ${plan.deletions.length} to delete` +
      (plan.kept.length > 0 ? `, ${plan.kept.length} earlier asset(s) kept for now.` : '.'),
  );
  const outcome: Outcome = {
    inputs,
    region,
    plan,
    url: siteUrl({ inputs, region, state }),
    uploaded: 0,
    bytes: 0,
    deleted: 0,
  };

  if (inputs.dryRun) {
    core.info('Dry run: nothing was changed.');
    report({
      ...outcome,
      uploaded: plan.uploads.length,
      bytes: plan.bytesToUpload,
      deleted: plan.deletions.length,
    });
    await writeSummary();
    return;
  }

  const log = (line: string): void => core.info(line);
  const uploaded: UploadResult = { written: new Map(), bytes: 0, copied: 0 };
  const tally = (): void => {
    Object.assign(outcome, {
      uploaded: uploaded.written.size,
      bytes: uploaded.bytes,
      copied: uploaded.copied,
    });
  };
  try {
    await uploadAll(plan.uploadPhases, {
      s3,
      bucket: inputs.bucket,
      concurrency: inputs.concurrency,
      log,
      result: uploaded,
    });
  } catch (error) {
    // Outputs and summary say how far it got; the visitor's site is whole either way.
    tally();
    report(outcome, uploadStopped(plan, uploaded.written));
    throw error;
  }
  tally();
  try {
    let failure: unknown;
    try {
      outcome.deleted = await deleteAll({
        s3,
        bucket: inputs.bucket,
        objects: plan.deletions,
        log,
      });
      if (state.distribution && inputs.distributionId && plan.invalidation.paths.length > 0) {
        outcome.invalidationId = await createInvalidation({
          cloudfront,
          distributionId: inputs.distributionId,
          paths: plan.invalidation.paths,
          callerReference: callerReference(plan.invalidation.paths),
          timeoutMs: inputs.invalidationTimeoutMs,
          log,
        });
        log(
          `Created invalidation ${outcome.invalidationId} for ${plan.invalidation.paths.join(' ')} (${plan.invalidation.reason}).`,
        );
      }
    } catch (error) {
      failure = error;
    }
    // Saved even after a failure above: a rerun finds the files already in place and would see
    // nothing to invalidate, so the manifest carries the paths still owed an invalidation.
    const owed = outcome.invalidationId
      ? []
      : plan.invalidation.paths.length > 0
        ? plan.invalidation.paths
        : (state.manifest?.manifest.pendingInvalidation ?? []);
    await saveManifest({
      s3,
      inputs,
      state,
      written: uploaded.written,
      retained: plan.retained,
      pendingInvalidation: owed,
    });
    if (failure !== undefined) throw failure;
    if (outcome.invalidationId && inputs.distributionId && inputs.waitForInvalidation) {
      await waitForInvalidation({
        cloudfront,
        distributionId: inputs.distributionId,
        invalidationId: outcome.invalidationId,
        timeoutMs: inputs.invalidationTimeoutMs,
        log,
      });
      outcome.invalidationStatus = 'Completed';
    }
  } catch (error) {
    // The files are published: the summary says what was done before the step fails.
    report(outcome);
    throw error;
  }
  report(outcome);
  await writeSummary();
}

interface Outcome {
  inputs: PublishInputs;
  region: string;
  plan: Plan;
  url: string;
  uploaded: number;
  bytes: number;
  copied?: number;
  deleted: number;
  invalidationId?: string;
  invalidationStatus?: string;
}

async function saveManifest(options: {
  s3: S3Client;
  inputs: PublishInputs;
  state: SiteState;
  written: ReadonlyMap<string, KnownState>;
  retained: Readonly<Record<string, string>>;
  pendingInvalidation: readonly string[];
}): Promise<void> {
  const { s3, inputs, state } = options;
  const keys = state.local.map((file) => file.key);
  const readBack = await readBackWritten({
    s3,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    keys: [...options.written.keys()],
    concurrency: inputs.concurrency,
  });
  const manifest = nextManifest({
    keys,
    written: options.written,
    readBack,
    before: state.remote,
    retained: options.retained,
    pendingInvalidation: options.pendingInvalidation,
  });
  // A run that changed nothing writes nothing, not even the same manifest again.
  if (JSON.stringify(manifest) === JSON.stringify(state.manifest?.manifest)) return;
  await writeManifest({ s3, bucket: inputs.bucket, prefix: inputs.prefix, manifest });
}

/** The distribution's URL of the site; without one, the S3 object URL of index.html. */
function siteUrl(options: { inputs: PublishInputs; region: string; state: SiteState }): string {
  const { inputs, state } = options;
  const distribution: DistributionInfo | undefined = state.distribution;
  if (distribution?.domainName) {
    return `https://${distribution.domainName}${urlPathFor(keyFor(inputs.prefix, ''), distribution.originPath)}`;
  }
  const hasIndex = state.local.some((file: LocalFile) => file.relativePath === 'index.html');
  const key = keyFor(inputs.prefix, hasIndex ? 'index.html' : '');
  const endpoint = endpointFor('S3');
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

function report(outcome: Outcome, stopped?: string): void {
  const { inputs } = outcome;
  core.setOutput('uploaded', outcome.uploaded);
  core.setOutput('skipped', outcome.plan.skipped.length);
  core.setOutput('deleted', outcome.deleted);
  core.setOutput('bytes-uploaded', outcome.bytes);
  core.setOutput('invalidation-id', outcome.invalidationId ?? '');
  core.setOutput('url', outcome.url);
  addReport({
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    region: outcome.region,
    distributionId: inputs.distributionId,
    dryRun: inputs.dryRun,
    plan: outcome.plan,
    uploaded: outcome.uploaded,
    bytesUploaded: outcome.bytes,
    copied: outcome.copied,
    deleted: outcome.deleted,
    invalidationId: outcome.invalidationId,
    invalidationStatus: outcome.invalidationStatus,
    url: outcome.url,
    stopped,
  });
}
