/**
 * How the template reaches CloudFormation: inline when it fits, otherwise uploaded to the
 * template bucket under a content-addressed key (a re-run uploads the same object again rather
 * than a new one). Then ValidateTemplate, which changes nothing, as the last check before any
 * change.
 */
import { type CloudFormationClient, ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as core from '../../common/src/core.js';
import { ActionError, errorMessage, InputError, isAwsError } from '../../common/src/errors.js';
import type { Capability } from './inputs.js';
import type { TemplateSource } from './change-set.js';
import type { Template } from './template.js';

export interface SourceOptions {
  template: Template;
  stackName: string;
  bucket?: string;
  region: string;
  /** Created only when the template needs the bucket. */
  s3: () => S3Client;
}

export function templateKey(stackName: string, template: Template): string {
  return `provision-stack/${stackName}/${template.sha256.slice(0, 16)}.template`;
}

/**
 * Path-style URL on the regional endpoint: valid for bucket names with dots (virtual-hosted
 * https fails on them) and also what local endpoints such as moto resolve.
 */
export function templateUrl(bucket: string, key: string, region: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://s3.${region}.${domain}/${bucket}/${key}`;
}

export async function templateSource(options: SourceOptions): Promise<TemplateSource> {
  if (!options.template.needsBucket) return { TemplateBody: options.template.body };
  const bucket = options.bucket as string;
  const key = templateKey(options.stackName, options.template);
  try {
    await options.s3().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: options.template.body,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket')) {
      throw new InputError(
        'template-bucket',
        bucket,
        'an existing S3 bucket in this account (this one does not exist)',
      );
    }
    throw error;
  }
  core.info(`Uploaded the template (${options.template.bytes} bytes) to s3://${bucket}/${key}`);
  return { TemplateURL: templateUrl(bucket, key, options.region) };
}

export interface ValidateOptions {
  client: CloudFormationClient;
  source: TemplateSource;
  /** The template input, for messages. */
  input: string;
  capabilities: readonly Capability[];
}

/** ValidateTemplate; the capabilities it says the template needs must all have been granted. */
export async function validateTemplate(options: ValidateOptions): Promise<void> {
  let needed: string[];
  let reason: string | undefined;
  try {
    const response = await options.client.send(new ValidateTemplateCommand(options.source));
    needed = response.Capabilities ?? [];
    reason = response.CapabilitiesReason;
  } catch (error) {
    if (isAwsError(error, 'ValidationError')) {
      throw new ActionError(
        'Template rejected by CloudFormation',
        `ValidateTemplate rejected ${options.input}: ${errorMessage(error)}`,
        `Fix the template (cfn-lint ${options.input} shows most such problems locally); nothing was changed.`,
      );
    }
    throw error;
  }
  const missing = needed.filter(
    (capability) =>
      !options.capabilities.includes(capability as Capability) &&
      // NAMED_IAM includes what IAM allows.
      !(capability === 'CAPABILITY_IAM' && options.capabilities.includes('CAPABILITY_NAMED_IAM')),
  );
  if (missing.length > 0) {
    throw new InputError(
      'capabilities',
      options.capabilities.join(','),
      `a list including ${missing.join(', ')}: ${reason ?? 'the template requires it'}`,
    );
  }
}
