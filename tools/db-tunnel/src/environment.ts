/**
 * What the tunnel needs to know about an environment, read from its CloudFormation stacks
 * (cloudformation/README.md: stacks `<env>-network`, `<env>-data`, `<env>-app`, `<env>-edge`):
 * the app stack's ClusterName, ServiceName and ContainerName, the data stack's WriterEndpoint,
 * Port and DatabaseName, and the user to connect as with its secret: the master user by default
 * (SecretArn, "for people and emergencies (the database tunnel)" in data.yaml; its name is the
 * MasterUsername parameter), or the application's user with `--user app` (AppUsername,
 * AppUserSecretArn). The secrets hold the names too, but the tunnel never reads a secret.
 *
 * DescribeStacks: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 * (Outputs[].OutputKey/OutputValue, Parameters[].ParameterKey/ParameterValue; an unknown stack is
 * a ValidationError "Stack with id X does not exist").
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { ActionError, isAwsError } from '../../../actions/common/src/errors.js';

export interface StackValues {
  name: string;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
}

export interface TunnelEnvironment {
  name: string;
  appStack: string;
  dataStack: string;
  cluster: string;
  service: string;
  /** The app container's name in the task definition, when the app stack says it. */
  container?: string;
  writerEndpoint: string;
  port: number;
  databaseName?: string;
  /** Which MySQL user the Workbench settings are for. */
  user: DatabaseUser;
  /** That user's secret (JSON with username and password), read by the person, never by the tunnel. */
  secretArn: string;
  /** That user's name, when the data stack says it. */
  username?: string;
}

/** `master`: the cluster's master user (people, emergencies); `app`: the application's own user. */
export type DatabaseUser = 'master' | 'app';

export function stackNames(environment: string): { app: string; data: string } {
  return { app: `${environment}-app`, data: `${environment}-data` };
}

/** Outputs and parameters of one stack as maps. */
export function stackValues(stack: Stack): StackValues {
  return {
    name: stack.StackName ?? '',
    outputs: Object.fromEntries(
      (stack.Outputs ?? [])
        .filter((output) => output.OutputKey && output.OutputValue !== undefined)
        .map((output) => [output.OutputKey as string, output.OutputValue as string]),
    ),
    parameters: Object.fromEntries(
      (stack.Parameters ?? [])
        .filter((parameter) => parameter.ParameterKey)
        .map((parameter) => [
          parameter.ParameterKey as string,
          parameter.ResolvedValue ?? parameter.ParameterValue ?? '',
        ]),
    ),
  };
}

/**
 * The environment from the two stacks' values. A missing output is an ActionError naming the
 * stack and every output it lacks: a stack deployed from an older template, or the wrong stack.
 */
export function tunnelEnvironment(options: {
  environment: string;
  app: StackValues;
  data: StackValues;
  user?: DatabaseUser;
}): TunnelEnvironment {
  const { app, data } = options;
  const user = options.user ?? 'master';
  const secretOutput = user === 'app' ? 'AppUserSecretArn' : 'SecretArn';
  const missing = (stack: StackValues, keys: string[]) =>
    keys.filter((key) => !stack.outputs[key]).map((key) => `${stack.name} output ${key}`);
  const absent = [
    ...missing(app, ['ClusterName', 'ServiceName']),
    ...missing(data, ['WriterEndpoint', 'Port', secretOutput]),
  ];
  if (absent.length > 0) {
    throw new ActionError(
      'The stacks lack outputs the tunnel needs',
      `Missing: ${absent.join(', ')}.`,
      `Update the stacks with this repository's cloudformation/app.yaml and data.yaml (provision-stack), or check that --environment ${options.environment} names the right stacks.`,
    );
  }
  const port = Number(data.outputs.Port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ActionError(
      'The data stack gives no usable port',
      `${data.name} output Port is ${JSON.stringify(data.outputs.Port)}, not a port number.`,
      'Check the data stack: its Port output is the Aurora cluster endpoint port (3306).',
    );
  }
  const username =
    user === 'app'
      ? data.outputs.AppUsername || data.parameters.AppUsername || undefined
      : data.outputs.MasterUsername || data.parameters.MasterUsername || undefined;
  return {
    name: options.environment,
    appStack: app.name,
    dataStack: data.name,
    cluster: app.outputs.ClusterName as string,
    service: app.outputs.ServiceName as string,
    ...(app.outputs.ContainerName ? { container: app.outputs.ContainerName } : {}),
    writerEndpoint: data.outputs.WriterEndpoint as string,
    port,
    ...(data.outputs.DatabaseName ? { databaseName: data.outputs.DatabaseName } : {}),
    user,
    secretArn: data.outputs[secretOutput] as string,
    ...(username ? { username } : {}),
  };
}

/** Reads both stacks. An unknown stack says which, in which account and region, and what to check. */
export async function readEnvironment(options: {
  cloudformation: CloudFormationClient;
  environment: string;
  user?: DatabaseUser;
  where: string;
}): Promise<TunnelEnvironment> {
  const names = stackNames(options.environment);
  const [app, data] = await Promise.all([
    readStack(options.cloudformation, names.app),
    readStack(options.cloudformation, names.data),
  ]);
  if (!app || !data) {
    const missing = [app ? undefined : names.app, data ? undefined : names.data].filter(Boolean);
    throw new ActionError(
      `No stack ${missing.join(' or ')}`,
      `There is no CloudFormation stack ${missing.join(' and no stack ')} in ${options.where}.`,
      `Check --environment (${options.environment}: the stacks are <environment>-app and <environment>-data) and the account and region (--profile, --region).`,
    );
  }
  return tunnelEnvironment({
    environment: options.environment,
    app,
    data,
    ...(options.user ? { user: options.user } : {}),
  });
}

/** The stack's values, or undefined when there is no such stack. */
async function readStack(
  cloudformation: CloudFormationClient,
  name: string,
): Promise<StackValues | undefined> {
  try {
    const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    const stack = answer.Stacks?.[0];
    return stack ? stackValues(stack) : undefined;
  } catch (error) {
    if (isAwsError(error, 'ValidationError') && /does not exist/i.test(String(error))) {
      return undefined;
    }
    throw error;
  }
}
