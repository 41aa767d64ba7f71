/**
 * Reading where things stand, before any change: the local files (hashed) and the bucket
 * (listed, with the manifest and HeadObject where needed), overlapped because one is local CPU
 * and disk and the other waits on S3; plus the distribution, checked to serve the bucket.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../common/src/context.js';
import type { PublishInputs } from './inputs.js';
import { readLocalFiles, type LocalFile } from './local-files.js';
import { checkBucket, checkDistribution, checkSource, type DistributionInfo } from './preflight.js';
import {
  applyManifest,
  headObjects,
  listRemoteObjects,
  objectsToHead,
  readManifest,
  type RemoteObject,
  type StoredManifest,
} from './remote-objects.js';

export interface SiteState {
  local: LocalFile[];
  /** The objects under the prefix, with what is known about their content and headers. */
  remote: RemoteObject[];
  manifest?: StoredManifest;
  distribution?: DistributionInfo;
}

export async function readState(options: {
  inputs: PublishInputs;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  region: string;
  log: Logger;
}): Promise<SiteState> {
  const { inputs, s3, cloudfront, log } = options;
  const started = Date.now();
  const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(2)} s`;
  const where = `s3://${inputs.bucket}/${inputs.prefix ? `${inputs.prefix}/` : ''}`;
  const [local, distribution, listed] = await Promise.all([
    readLocalFiles(inputs).then((files) => {
      log.info(`Hashed ${files.length} local file(s) in ${seconds()}.`);
      return files;
    }),
    inputs.distributionId
      ? checkDistribution({
          cloudfront,
          distributionId: inputs.distributionId,
          bucket: inputs.bucket,
          prefix: inputs.prefix,
          region: options.region,
        })
      : undefined,
    checkBucket({ s3, bucket: inputs.bucket, region: options.region })
      .then(() => listBucket({ s3, inputs, log }))
      .then((remote) => {
        const note = remote.manifest ? '' : ' (no manifest yet)';
        log.info(
          `Listed ${remote.objects.length} object(s) under ${where} in ${seconds()}${note}.`,
        );
        return remote;
      }),
  ]);
  checkSource({
    source: inputs.source,
    files: local,
    requireIndex: inputs.requireIndex,
    prefix: inputs.prefix,
  });
  const remote = await verifyRemote({
    s3,
    inputs,
    local,
    listed: listed.objects,
    log,
    region: options.region,
  });
  return { local, remote, manifest: listed.manifest, distribution };
}

async function listBucket(options: {
  s3: S3Client;
  inputs: PublishInputs;
  log: Logger;
}): Promise<{ objects: RemoteObject[]; manifest?: StoredManifest }> {
  const { s3, inputs } = options;
  const [listed, manifest] = await Promise.all([
    listRemoteObjects({ s3, bucket: inputs.bucket, prefix: inputs.prefix }),
    readManifest({
      s3,
      bucket: inputs.bucket,
      prefix: inputs.prefix,
      warn: (line) => options.log.warning(line),
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
  log: Logger;
  region: string;
}): Promise<RemoteObject[]> {
  const { s3, inputs, listed } = options;
  const toHead = objectsToHead(options.local, listed);
  if (toHead.length === 0) return listed;
  options.log.info(`Reading headers of ${toHead.length} object(s) the manifest cannot vouch for.`);
  const heads = await headObjects({
    s3,
    bucket: inputs.bucket,
    objects: toHead,
    concurrency: inputs.concurrency,
    region: options.region,
  });
  return listed.map((object) =>
    heads.has(object.key) ? { ...object, known: heads.get(object.key) } : object,
  );
}
