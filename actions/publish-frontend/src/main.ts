/**
 * publish-frontend: read inputs → check → plan → upload (assets, then HTML) → delete stale →
 * invalidate → wait → report.
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
import { keyFor, readLocalFiles, type LocalFile } from './local-files.js';
import { planPublish } from './plan.js';
import { checkBucket, checkDistribution, checkSource, type DistributionInfo } from './preflight.js';
import {
  applyManifest,
  headObjects,
  listRemoteObjects,
  nextManifest,
  objectsToHead,
  readManifest,
  writeManifest,
  type KnownState,
  type RemoteObject,
  type StoredManifest,
} from './remote-objects.js';
import { addReport } from './summary.js';
import { deleteAll, formatBytes, uploadAll } from './upload.js';

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

  // Check, before any change. Hashing the files and listing the bucket are independent reads,
  // so they overlap (one is local CPU and disk, the other waits on S3).
  const started = Date.now();
  const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(2)} s`;
  const [local, distribution, listed] = await Promise.all([
    readLocalFiles({ ...inputs }).then((files) => {
      core.info(`Hashed ${files.length} local file(s) in ${seconds()}.`);
      return files;
    }),
    inputs.distributionId
      ? checkDistribution({
          cloudfront,
          distributionId: inputs.distributionId,
          bucket: inputs.bucket,
          region,
        })
      : undefined,
    checkBucket(s3, inputs.bucket)
      .then(() => listRemote({ s3, inputs }))
      .then((remote) => {
        core.info(
          `Listed ${remote.objects.length} object(s) under s3://${inputs.bucket}/${inputs.prefix ? `${inputs.prefix}/` : ''} in ${seconds()}` +
            `${remote.manifest ? '' : ' (no manifest yet)'}.`,
        );
        return remote;
      }),
  ]);
  checkSource({ source: inputs.source, files: local, requireIndex: inputs.requireIndex });

  // Plan.
  const remote = await verifyRemote({ s3, inputs, local, listed: listed.objects });
  const plan = planPublish({
    local,
    remote,
    delete: inputs.delete,
    maxDeletions: inputs.maxDeletions,
    invalidate: distribution ? inputs.invalidate : 'none',
    maxInvalidationPaths: inputs.maxInvalidationPaths,
    urlPathFor: (key) => urlPathFor(key, distribution?.originPath),
  });
  core.info(
    `${local.length} local file(s), ${remote.length} remote object(s): ${plan.uploads.length} to upload ` +
      `(${formatBytes(plan.bytesToUpload)}), ${plan.skipped.length} unchanged, ${plan.deletions.length} to delete.`,
  );
  const url = siteUrl({ inputs, region, distribution, local });

  if (inputs.dryRun) {
    core.info('Dry run: nothing was changed.');
    report({
      inputs,
      region,
      plan,
      url,
      uploaded: plan.uploads.length,
      bytes: plan.bytesToUpload,
      deleted: plan.deletions.length,
    });
    await writeSummary();
    return;
  }

  // Apply: assets, then pages, then deletions, then the manifest that lets the next run skip.
  const log = (line: string): void => core.info(line);
  const uploaded = await uploadAll(plan.uploadPhases, {
    s3,
    bucket: inputs.bucket,
    concurrency: inputs.concurrency,
    log,
  });
  const deleted = await deleteAll({ s3, bucket: inputs.bucket, objects: plan.deletions, log });
  await saveManifest({
    s3,
    inputs,
    local,
    written: uploaded.written,
    before: remote,
    previous: listed.manifest,
  });

  // Invalidate, and wait when asked.
  let invalidationId: string | undefined;
  let invalidationStatus: string | undefined;
  if (distribution && inputs.distributionId && plan.invalidation.paths.length > 0) {
    invalidationId = await createInvalidation({
      cloudfront,
      distributionId: inputs.distributionId,
      paths: plan.invalidation.paths,
      callerReference: callerReference(plan.invalidation.paths),
      timeoutMs: inputs.invalidationTimeoutMs,
      log,
    });
    core.info(
      `Created invalidation ${invalidationId} for ${plan.invalidation.paths.join(' ')} (${plan.invalidation.reason}).`,
    );
    if (inputs.waitForInvalidation) {
      await waitForInvalidation({
        cloudfront,
        distributionId: inputs.distributionId,
        invalidationId,
        timeoutMs: inputs.invalidationTimeoutMs,
        log,
      });
      invalidationStatus = 'Completed';
    }
  }

  report({
    inputs,
    region,
    plan,
    url,
    uploaded: uploaded.written.size,
    bytes: uploaded.bytes,
    deleted,
    invalidationId,
    invalidationStatus,
  });
  await writeSummary();
}

async function listRemote(options: {
  s3: S3Client;
  inputs: PublishInputs;
}): Promise<{ objects: RemoteObject[]; manifest?: StoredManifest }> {
  const { s3, inputs } = options;
  const [listed, manifest] = await Promise.all([
    listRemoteObjects({ s3, bucket: inputs.bucket, prefix: inputs.prefix }),
    readManifest({
      s3,
      bucket: inputs.bucket,
      prefix: inputs.prefix,
      warn: (line) => core.warning(line),
    }),
  ]);
  return { objects: applyManifest(listed, manifest), manifest };
}

/** Reads with HeadObject what neither the listing nor the manifest tells about a same-size object. */
async function verifyRemote(options: {
  s3: S3Client;
  inputs: PublishInputs;
  local: readonly LocalFile[];
  listed: RemoteObject[];
}): Promise<RemoteObject[]> {
  const { s3, inputs, listed } = options;
  const toHead = objectsToHead(options.local, listed);
  if (toHead.length === 0) return listed;
  core.info(`Reading headers of ${toHead.length} object(s) the manifest cannot vouch for.`);
  const heads = await headObjects({
    s3,
    bucket: inputs.bucket,
    objects: toHead,
    concurrency: inputs.concurrency,
  });
  return listed.map((object) =>
    heads.has(object.key) ? { ...object, known: heads.get(object.key) } : object,
  );
}

async function saveManifest(options: {
  s3: S3Client;
  inputs: PublishInputs;
  local: readonly LocalFile[];
  written: ReadonlyMap<string, KnownState>;
  before: readonly RemoteObject[];
  previous?: StoredManifest;
}): Promise<void> {
  const { s3, inputs } = options;
  const keys = options.local.map((file) => file.key);
  const manifest = nextManifest({ keys, written: options.written, before: options.before });
  // A run that changed nothing writes nothing, not even the same manifest again. (Objects last
  // written in the manifest's own second are then read with HeadObject on each run: a few.)
  if (JSON.stringify(manifest) === JSON.stringify(options.previous?.manifest)) return;
  await writeManifest({ s3, bucket: inputs.bucket, prefix: inputs.prefix, manifest });
}

function siteUrl(options: {
  inputs: PublishInputs;
  region: string;
  distribution?: DistributionInfo;
  local: readonly LocalFile[];
}): string {
  const { inputs } = options;
  if (options.distribution?.domainName) {
    return `https://${options.distribution.domainName}${urlPathFor(keyFor(inputs.prefix, ''), options.distribution.originPath)}`;
  }
  const hasIndex = options.local.some((file) => file.relativePath === 'index.html');
  const key = keyFor(inputs.prefix, hasIndex ? 'index.html' : '');
  const endpoint = endpointFor('S3');
  const encoded = key.split('/').map(encodeURIComponent).join('/');
  return endpoint
    ? `${endpoint.replace(/\/+$/, '')}/${inputs.bucket}/${encoded}`
    : `https://${inputs.bucket}.s3.${options.region}.amazonaws.com/${encoded}`;
}

function report(options: {
  inputs: PublishInputs;
  region: string;
  plan: ReturnType<typeof planPublish>;
  url: string;
  uploaded: number;
  bytes: number;
  deleted: number;
  invalidationId?: string;
  invalidationStatus?: string;
}): void {
  const { inputs } = options;
  core.setOutput('uploaded', options.uploaded);
  core.setOutput('skipped', options.plan.skipped.length);
  core.setOutput('deleted', options.deleted);
  core.setOutput('bytes-uploaded', options.bytes);
  core.setOutput('invalidation-id', options.invalidationId ?? '');
  core.setOutput('url', options.url);
  addReport({
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    region: options.region,
    distributionId: inputs.distributionId,
    dryRun: inputs.dryRun,
    plan: options.plan,
    uploaded: options.uploaded,
    bytesUploaded: options.bytes,
    deleted: options.deleted,
    invalidationId: options.invalidationId,
    invalidationStatus: options.invalidationStatus,
    url: options.url,
  });
}
