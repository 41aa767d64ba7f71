/**
 * One factory for every AWS client the actions create, so that region, retries, user agent and
 * local endpoints (moto, LocalStack) behave the same in all of them.
 */
import { InputError } from './errors.js';
import { TOOLKIT_NAME, TOOLKIT_VERSION } from './version.js';

/**
 * The service part of `AWS_ENDPOINT_URL_<SERVICE>`, as the AWS SDKs spell it (the service id,
 * upper-case, spaces to underscores).
 */
export type ServiceEnvId =
  | 'CLOUDFORMATION'
  | 'S3'
  | 'CLOUDFRONT'
  | 'ECS'
  | 'ECR'
  | 'CLOUDWATCH_LOGS'
  | 'STS'
  | 'SECRETS_MANAGER'
  | 'ELASTIC_LOAD_BALANCING_V2'
  | 'EC2'
  | 'SSM';

export interface ClientContext {
  /** The action's name, sent in the user agent so CloudTrail shows which step made a call. */
  action: string;
  /** The `aws-region` input; falls back to AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  env?: NodeJS.ProcessEnv;
}

/** The shape of config every v3 client accepts that this factory sets. */
export interface FactoryClientConfig {
  region: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: [string, string][];
  endpoint?: string;
  forcePathStyle?: boolean;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function resolveRegion(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const region = input || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError(
      'aws-region',
      '',
      'a region such as eu-west-1: set the aws-region input, or AWS_REGION (aws-actions/configure-aws-credentials sets it)',
    );
  }
  if (!REGION_PATTERN.test(region)) {
    throw new InputError('aws-region', region, 'a region name such as eu-west-1 or us-east-1');
  }
  return region;
}

/** The endpoint for one service: its own variable first, then the global one; undefined for AWS itself. */
export function endpointFor(
  service: ServiceEnvId,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

export function clientConfig(service: ServiceEnvId, context: ClientContext): FactoryClientConfig {
  const env = context.env ?? process.env;
  const endpoint = endpointFor(service, env);
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region: resolveRegion(context.region, env),
    // Adaptive retries also slow the client down when AWS throttles, which matters for
    // actions that fan out (uploads, event polling) rather than only backing off.
    retryMode: 'adaptive',
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 8,
    customUserAgent: [
      [TOOLKIT_NAME, TOOLKIT_VERSION],
      ['action', context.action],
    ],
    ...(endpoint ? { endpoint } : {}),
    // A local endpoint such as http://127.0.0.1:5000 has no DNS for <bucket>.127.0.0.1, so S3
    // must address buckets by path whenever an endpoint is set.
    ...(endpoint && service === 'S3' ? { forcePathStyle: true } : {}),
  };
}

/** Creates a client of any v3 service with the toolkit's configuration. */
export function createClient<Client, Config>(
  ClientClass: new (...config: [] | [Config]) => Client,
  service: ServiceEnvId,
  context: ClientContext,
  extra: Partial<Config> = {},
): Client {
  return new ClientClass({ ...(clientConfig(service, context) as unknown as Config), ...extra });
}
