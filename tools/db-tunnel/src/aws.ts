/**
 * The AWS clients of one run, from the toolkit's client factory (actions/common/src/aws-client.ts:
 * adaptive retries, the user agent, AWS_ENDPOINT_URL honoured so tests point it at moto), with the
 * person's profile and region.
 *
 * Region: --region, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's `region` in
 * ~/.aws/config, read by the SDK's own region chain (a person's profile usually carries it; a
 * workflow's environment never needs this step). Credentials: the SDK's default chain, with
 * --profile handed to every client as its `profile` (the same as AWS_PROFILE, for this run only).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { createClient, type ServiceEnvId } from '../../../actions/common/src/aws-client.js';
import { InputError } from '../../../actions/common/src/errors.js';
import { TOOL_NAME } from './args.js';

export interface Clients {
  cloudformation: CloudFormationClient;
  ecs: ECSClient;
  sts: STSClient;
  iam: IAMClient;
  ec2: EC2Client;
}

export async function resolveRegion(options: {
  region?: string;
  profile?: string;
  env: NodeJS.ProcessEnv;
}): Promise<string> {
  const fromEnv = options.region || options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const probe = new STSClient(options.profile ? { profile: options.profile } : {});
  try {
    return await probe.config.region();
  } catch {
    throw new InputError(
      '--region',
      '',
      `a region such as eu-west-1: pass --region, set AWS_REGION, or set region in ${options.profile ? `profile ${options.profile}` : 'your profile'} in ~/.aws/config`,
    );
  } finally {
    probe.destroy();
  }
}

export function createClients(options: {
  region: string;
  profile?: string;
  env: NodeJS.ProcessEnv;
}): Clients {
  const context = { action: TOOL_NAME, region: options.region, env: options.env };
  const extra = options.profile ? { profile: options.profile } : {};
  return {
    cloudformation: createClient(CloudFormationClient, 'CLOUDFORMATION', context, extra),
    ecs: createClient(ECSClient, 'ECS', context, extra),
    sts: createClient(STSClient, 'STS', context, extra),
    // The factory's service list has no IAM yet (requested); the id only names the
    // AWS_ENDPOINT_URL_IAM variable, which this spelling matches.
    iam: createClient(IAMClient, 'IAM' as ServiceEnvId, context, extra),
    ec2: createClient(EC2Client, 'EC2', context, extra),
  };
}

export function destroyClients(clients: Clients): void {
  for (const client of Object.values(clients)) client.destroy();
}
