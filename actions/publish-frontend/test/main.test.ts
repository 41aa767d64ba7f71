/**
 * The whole pipeline of run(context) in-process, against mocked S3 and CloudFront
 * (aws-sdk-client-mock) with a fake clock, for what the moto ring cannot show: CloudFront's
 * TooManyInvalidationsInProgress and an invalidation that stays InProgress, S3 HEAD answers
 * without a body, and the one timeout the whole step has. Response shapes from the API
 * references: HeadBucket, ListObjectsV2, GetObject, PutObject, HeadObject
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/), GetDistribution, CreateInvalidation,
 * GetInvalidation (https://docs.aws.amazon.com/cloudfront/latest/APIReference/).
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError, TimeoutError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { parseFileCommand } from '../../../test-support/run-action.js';
import { fakeClock, testContext } from '../../../test-support/action-context.js';
import { definition } from '../src/main.js';
import { MANIFEST_NAME } from '../src/remote-objects.js';
import { writeSite } from './helpers.js';

const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);
const BUCKET = 'site';
const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const START = Date.UTC(2026, 0, 1);

const dir = mkdtempSync(path.join(tmpdir(), 'publish-main-'));
const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };

beforeEach(() => {
  s3.reset();
  cloudfront.reset();
  core.summary.emptyBuffer();
  writeFileSync(files.output, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  // The previous release's index.html (another size: changed), no manifest yet.
  s3.on(HeadBucketCommand).resolves({});
  s3.on(ListObjectsV2Command).resolves({
    Contents: [{ Key: 'index.html', Size: 5, ETag: '"old"', LastModified: new Date(START) }],
    IsTruncated: false,
  });
  s3.on(GetObjectCommand).rejects(
    new S3ServiceException({
      name: 'NoSuchKey',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
      message: 'The specified key does not exist.',
    }),
  );
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string }) => ({
    ETag: `"etag-${input.Key}"`,
  }));
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string }) => ({
    ETag: `"etag-${input.Key}"`,
    LastModified: new Date(START),
  }));
  cloudfront.on(GetDistributionCommand).resolves({
    Distribution: {
      Id: DISTRIBUTION,
      ARN: `arn:aws:cloudfront::123456789012:distribution/${DISTRIBUTION}`,
      Status: 'Deployed',
      LastModifiedTime: new Date(START),
      InProgressInvalidationBatches: 0,
      DomainName: 'd111111abcdef8.cloudfront.net',
      DistributionConfig: {
        CallerReference: 'edge',
        Comment: '',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 's3', DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`, OriginPath: '' }],
        },
        DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https' },
      },
    },
  });
});

const invalidation = (Status: string) => ({
  Invalidation: {
    Id: 'I2J3K4',
    Status,
    CreateTime: new Date(START),
    InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 1, Items: ['/*'] } },
  },
});
const tooMany = () =>
  new CloudFrontServiceException({
    name: 'TooManyInvalidationsInProgress',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message:
      'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
  });

/** run(context) as runMain calls it, with the inputs read from `values` and a fake clock. */
function start(values: Record<string, string>) {
  const source = writeSite({ 'index.html': '<title>v1</title>', 'app.3f9a2c1b.js': 'v1()' });
  const env = { AWS_REGION: 'us-east-1', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1' };
  const inputs = definition.readInputs(
    new Inputs((name) => ({ source, bucket: BUCKET, ...values })[name] ?? '', '/'),
    env,
  );
  const context = testContext(inputs, { action: definition.name, env, clock: fakeClock(START) });
  return { context, running: definition.run(context) };
}
const outputs = () => parseFileCommand(readFileSync(files.output, 'utf8'));
const manifestPuts = () =>
  s3
    .commandCalls(PutObjectCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Key === MANIFEST_NAME)
    .map((input) => JSON.parse(String(input.Body)) as { pendingInvalidation?: string[] });

describe('run(context)', () => {
  it('publishes, invalidates, waits and reports, on the fake clock', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(invalidation('InProgress'));
    cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce(invalidation('InProgress'))
      .resolves(invalidation('Completed'));
    const { context, running } = start({
      'distribution-id': DISTRIBUTION,
      'wait-for-invalidation': 'true',
    });
    await running;
    expect(outputs()).toMatchObject({ uploaded: '2', 'invalidation-id': 'I2J3K4' });
    expect(manifestPuts()).toHaveLength(1);
    const sent = cloudfront.commandCalls(CreateInvalidationCommand)[0]?.args[0].input;
    // The run's identity, not process.env, made the reference.
    expect(sent?.InvalidationBatch?.CallerReference).toMatch(/^publish-frontend-42-1-/);
    expect(context.clock.sleeps.length).toBeGreaterThan(0);
    expect(core.summary.stringify()).toContain('I2J3K4 (Completed)');
  });

  it('gives the back-off and the wait one timeout-minutes between them, never twice', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .rejectsOnce(tooMany())
      .rejectsOnce(tooMany())
      .rejectsOnce(tooMany())
      .resolves(invalidation('InProgress'));
    cloudfront.on(GetInvalidationCommand).resolves(invalidation('InProgress'));
    const { context, running } = start({
      'distribution-id': DISTRIBUTION,
      'wait-for-invalidation': 'true',
      'timeout-minutes': '2',
    });
    const failure = await running.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toMatch(/invalidation I2J3K4 .*last state: InProgress/);
    // 5 + 10 + 20 s of back-off, then the wait until the step's two minutes are used up.
    expect(context.clock.sleeps.slice(0, 3)).toEqual([5000, 10_000, 20_000]);
    expect(context.clock.now() - START).toBe(120_000);
    // The files are published and the summary says so, timeout or not.
    expect(outputs()).toMatchObject({ uploaded: '2', 'invalidation-id': 'I2J3K4' });
  });

  it('saves the manifest after a failed invalidation, with the paths still owed one', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(
      new CloudFrontServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: cloudfront:CreateInvalidation',
      }),
    );
    const { running } = start({ 'distribution-id': DISTRIBUTION });
    await expect(running).rejects.toThrow('cloudfront:CreateInvalidation');
    const saved = manifestPuts();
    expect(saved).toHaveLength(1);
    expect(saved[0]?.pendingInvalidation?.length).toBeGreaterThan(0);
    expect(outputs()).toMatchObject({ uploaded: '2', 'invalidation-id': '' });
  });

  it('saves no manifest when an upload fails, and says what the visitors still get', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );
    const { running } = start({});
    await expect(running).rejects.toThrow('Access Denied');
    expect(manifestPuts()).toHaveLength(0);
    expect(core.summary.stringify()).toContain('No HTML page was replaced');
  });

  it('changes nothing in a dry run and reports what a run would do', async () => {
    const { running } = start({ 'dry-run': 'true' });
    await running;
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(outputs()).toMatchObject({ uploaded: '2', deleted: '0' });
    expect(core.summary.stringify()).toContain('Dry run: would publish');
  });

  it('names the bucket and the permission when HeadBucket answers 403 without a body', async () => {
    const forbidden = new S3ServiceException({
      name: 'Unknown',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'UnknownError',
    });
    s3.on(HeadBucketCommand).rejects(forbidden);
    const { running } = start({});
    const failure = (await running.catch((error: unknown) => error)) as ActionError;
    expect(failure).toBeInstanceOf(ActionError);
    expect(failure.title).toBe(`Access denied: s3:ListBucket on ${BUCKET}`);
    expect(failure.message).toContain('Nothing was changed');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
