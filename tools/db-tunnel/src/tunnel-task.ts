/**
 * The dedicated tunnel task: the service's current revision, in the service's subnets and security
 * groups (so it reaches the database exactly as the app does), ECS Exec on, `startedBy` naming the
 * tool and the person, and a command that ends the task by itself after the TTL.
 *
 * Why a task of its own and not `execute-command` into a service task: a deploy or a scale-in stops
 * service tasks at any time and would cut the session; a standalone task belongs to no service, so
 * nothing but its own command, StopTask or its TTL ends it. It does not register with the load
 * balancer (only service tasks do), and a container healthCheck going UNHEALTHY (the app is not
 * running in it) does not stop a standalone task: "if a task is run manually, and not as part of a
 * service, the task will continue its lifecycle regardless of its health status"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).
 *
 * The command: `sleep <ttl seconds>`. The app image is node:alpine based, whose busybox has
 * `sleep`, and node's docker-entrypoint.sh runs a command that is not a node flag as it is. When
 * sleep exits the essential container has exited and ECS stops the task, laptop or not. sleep
 * needs nothing of the app (no database connection, no port): the ECS Exec agent that carries the
 * port forwarding runs beside it, bind-mounted into the container by ECS.
 *
 * RunTask: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 * (enableExecuteCommand; startedBy up to 128 of letters, digits, `-`, `/`, `_`; overrides.
 * containerOverrides[].command replaces the image's CMD, never its ENTRYPOINT).
 */
import type { ContainerDefinition, RunTaskCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TaskPlacement } from '../../../actions/common/src/ecs/network.js';
import { ActionError } from '../../../actions/common/src/errors.js';
import { TOOL_NAME } from './args.js';

/** `startedBy` for the person behind `callerArn`: `db-tunnel/<who>`, at most 128 of [A-Za-z0-9_/-]. */
export function tunnelStartedBy(callerArn: string): string {
  return `${TOOL_NAME}/${personOf(callerArn)}`.replace(/[^A-Za-z0-9_/-]/g, '-').slice(0, 128);
}

/**
 * The person in a caller ARN, as CloudTrail shows them: the session name of an assumed role (IAM
 * Identity Center sets it to the user's name or e-mail), the user of an IAM user, `root`.
 *   arn:aws:sts::123:assumed-role/AWSReservedSSO_Dev_abc/alice@example.com → alice@example.com
 *   arn:aws:iam::123:user/ops/bob → bob
 */
export function personOf(callerArn: string): string {
  const resource = callerArn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  if (parts[0] === 'assumed-role' && parts.length >= 3) return parts.slice(2).join('/');
  if (resource === 'root') return 'root';
  return parts[parts.length - 1] || 'unknown';
}

/** The command that keeps the container alive for the TTL and then ends the task. */
export function ttlCommand(ttlMs: number): string[] {
  return ['sleep', String(Math.ceil(ttlMs / 1000))];
}

/**
 * The app container: `--container`, else the app stack's ContainerName, else the one essential
 * container. Returns its definition so that preflight can look at it.
 */
export function tunnelContainer(options: {
  taskDefinition: TaskDefinition;
  wanted?: string;
}): ContainerDefinition {
  const containers = options.taskDefinition.containerDefinitions ?? [];
  if (options.wanted) {
    const found = containers.find((container) => container.name === options.wanted);
    if (!found) {
      throw new ActionError(
        `No container ${options.wanted}`,
        `The task definition ${revisionOf(options.taskDefinition)} has no container ${options.wanted}; it has ${names(containers)}.`,
        'Pass --container with one of them.',
      );
    }
    return found;
  }
  const essential = containers.filter((container) => container.essential !== false);
  if (essential.length === 1) return essential[0] as ContainerDefinition;
  throw new ActionError(
    'Which container?',
    `The task definition ${revisionOf(options.taskDefinition)} has ${essential.length} essential containers (${names(essential)}) and the app stack names none (ContainerName output).`,
    'Pass --container with the one to tunnel through.',
  );
}

export function revisionOf(taskDefinition: TaskDefinition): string {
  return `${taskDefinition.family}:${taskDefinition.revision}`;
}

function names(containers: readonly ContainerDefinition[]): string {
  return containers.map((container) => container.name).join(', ') || 'none';
}

/** The RunTask request, as data (printed by --print, sent otherwise). */
export function tunnelTaskRequest(options: {
  cluster: string;
  taskDefinitionArn: string;
  container: string;
  placement: TaskPlacement;
  ttlMs: number;
  startedBy: string;
}): RunTaskCommandInput {
  const { placement } = options;
  return {
    cluster: options.cluster,
    taskDefinition: options.taskDefinitionArn,
    count: 1,
    startedBy: options.startedBy,
    enableExecuteCommand: true,
    ...(placement.networkConfiguration
      ? { networkConfiguration: placement.networkConfiguration }
      : {}),
    ...(placement.launchType ? { launchType: placement.launchType } : {}),
    ...(placement.capacityProviderStrategy
      ? { capacityProviderStrategy: placement.capacityProviderStrategy }
      : {}),
    ...(placement.platformVersion ? { platformVersion: placement.platformVersion } : {}),
    overrides: {
      containerOverrides: [{ name: options.container, command: ttlCommand(options.ttlMs) }],
    },
  };
}
