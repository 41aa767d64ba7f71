/**
 * The action's inputs as one typed object, each checked without AWS: the command splits into
 * words, the environment is KEY=VALUE lines with valid names, subnets and security groups look
 * like their ids. Secrets in the command and the environment are masked before the command is
 * parsed, so not even a parse error can print them.
 */
import * as core from '../../common/src/core.js';
import { parseCommand } from '../../common/src/command.js';
import { InputError } from '../../common/src/errors.js';
import type { Inputs } from '../../common/src/inputs.js';
import { secretsInCommand, secretsInEnvironment } from './secrets.js';
import {
  readClusterAndService,
  readContainerName,
  readEnvironment,
} from '../../common/src/ecs/inputs.js';

export interface MigrationInputs {
  cluster: string;
  service: string;
  /** ARN, family:revision or family; undefined: the service's current revision. */
  taskDefinition?: string;
  /** undefined: the task definition's only essential container. */
  containerName?: string;
  command: string[];
  environment: Record<string, string>;
  /** Values masked in the log and shown as *** in the summary. */
  secrets: string[];
  subnets: string[];
  securityGroups: string[];
  stopOnCancel: boolean;
  deregisterOnFailure: boolean;
  timeoutMs: number;
  region?: string;
}

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const TASK_DEFINITION =
  /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+|[A-Za-z0-9_-]{1,255}(:\d+)?)$/;

export function readInputs(inputs: Inputs): MigrationInputs {
  const { cluster, service } = readClusterAndService(inputs);
  const taskDefinition = inputs.matching(
    'task-definition',
    TASK_DEFINITION,
    "a task definition ARN, family:revision or family (usually deploy-ecs-service's task-definition-arn output with register-only), or empty for the service's current revision",
  );
  const containerName = readContainerName(inputs);

  // Masked first: the environment and the command's secrets are registered before anything
  // (a parse error included) could print them.
  const environment = readEnvironment(inputs);
  const rawCommand = inputs.raw('command');
  const rawSecrets = secretsInCommand(
    rawCommand.split(/\s+/).map((word) => word.replace(/^['"]|['"]$/g, '')),
  );
  const secrets = new Set([...secretsInEnvironment(environment), ...rawSecrets]);
  for (const secret of secrets) core.setSecret(secret);
  if (rawCommand === '') {
    throw new InputError(
      'command',
      '',
      'the migration command, e.g. npm run migrate (split like a shell would) or ["npm", "run", "migrate"]; the command is empty',
    );
  }
  const command = parseCommand('command', rawCommand);
  for (const secret of secretsInCommand(command)) {
    if (!secrets.has(secret)) core.setSecret(secret);
    secrets.add(secret);
  }

  const subnets = inputs.list('subnets');
  for (const subnet of subnets) {
    if (!SUBNET.test(subnet))
      throw new InputError(
        'subnets',
        subnet,
        "subnet ids such as subnet-0a1b2c3d4e5f67890, comma or newline separated (empty copies the service's)",
      );
  }
  const securityGroups = inputs.list('security-groups');
  for (const group of securityGroups) {
    if (!SECURITY_GROUP.test(group))
      throw new InputError(
        'security-groups',
        group,
        "security group ids such as sg-0a1b2c3d4e5f67890, comma or newline separated (empty copies the service's)",
      );
  }

  return {
    cluster,
    service,
    taskDefinition,
    containerName,
    command,
    environment,
    secrets: [...secrets],
    subnets,
    securityGroups,
    stopOnCancel: inputs.boolean('stop-on-cancel', true),
    deregisterOnFailure: inputs.boolean('deregister-on-failure', true),
    timeoutMs: inputs.duration('timeout-minutes', {
      default: DEFAULT_TIMEOUT_MS,
      bareUnit: 'minutes',
      max: 24 * 60 * 60_000,
    }),
    region: inputs.string('aws-region'),
  };
}
