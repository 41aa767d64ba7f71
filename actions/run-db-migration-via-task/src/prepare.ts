/**
 * Everything checked on AWS before the task starts, so that a wrong input fails with a message
 * naming it and nothing has changed: the cluster and the service exist and are active, the task
 * definition exists and is ACTIVE, the container is in it, the network comes from the service or
 * the inputs, and the overrides fit RunTask's size limit. Also what the summary and a failure need
 * later: the revision the service runs now (the old image) and whether this run registered the
 * migration's revision without it going live (register-only).
 */
import type {
  ContainerDefinition,
  ECSClient,
  TaskDefinition,
  TaskOverride,
} from '@aws-sdk/client-ecs';
import { ActionError } from '../../common/src/errors.js';
import { logConfigurationProblem } from '../../common/src/ecs/log-stream.js';
import { taskPlacementFromService, type TaskPlacement } from '../../common/src/ecs/network.js';
import { type DescribedService, describeService } from '../../common/src/ecs/service.js';
import {
  describeTaskDefinition,
  findContainer,
  registeredByRun,
} from '../../common/src/ecs/task-definition.js';
import type { MigrationInputs } from './inputs.js';

export interface MigrationPlan {
  service: DescribedService;
  taskDefinition: TaskDefinition;
  /** `family:revision`, for messages. */
  revision: string;
  container: ContainerDefinition;
  placement: TaskPlacement;
  overrides: TaskOverride;
  /** Why the container's output cannot be followed; undefined when it can. */
  logProblem?: string;
  /** The revision the service runs now, when the migration runs another one. */
  live?: { revision: string; image?: string };
  /**
   * Set when the migration's revision is not live and was registered by this run (the
   * register-only revision of deploy-ecs-service): a failed migration deregisters it.
   */
  registeredHere: boolean;
}

/** RunTask: "A total of 8192 characters are allowed for overrides" (API_RunTask.html, overrides). */
export const OVERRIDES_LIMIT = 8192;

export async function prepare(options: {
  ecs: ECSClient;
  inputs: MigrationInputs;
  /** This run's tag value (task-definition.ts runTagValue), to recognise its own revisions. */
  runTag: string;
  abortSignal?: AbortSignal;
}): Promise<MigrationPlan> {
  const { ecs, inputs, abortSignal } = options;
  const service = await describeService({
    ecs,
    cluster: inputs.cluster,
    service: inputs.service,
    abortSignal,
  });
  const named = inputs.taskDefinition ?? service.taskDefinitionArn;
  const { taskDefinition, tags } = await describeTaskDefinition({
    ecs,
    taskDefinition: named,
    ...(inputs.taskDefinition ? { input: 'task-definition' } : {}),
    abortSignal,
  });
  const revision = revisionName(taskDefinition);
  if (taskDefinition.status && taskDefinition.status !== 'ACTIVE') {
    throw new ActionError(
      `Task definition ${revision} is ${taskDefinition.status}`,
      `Task definition ${revision} (input 'task-definition') is ${taskDefinition.status}: it was deregistered, and RunTask cannot start new tasks from it.`,
      "Pass the revision deploy-ecs-service registered for this release (its task-definition-arn output with register-only), or leave task-definition empty for the service's current revision.",
    );
  }
  const container = findContainer({
    taskDefinition,
    name: inputs.containerName,
    input: 'container-name',
  });
  const placement = taskPlacementFromService(service.service, {
    subnets: inputs.subnets,
    securityGroups: inputs.securityGroups,
    taskNetworkMode: taskDefinition.networkMode,
  });
  const overrides = overridesFor({ container: container.name as string, inputs });
  const size = JSON.stringify(overrides).length;
  if (size > OVERRIDES_LIMIT) {
    throw new ActionError(
      'Command and environment too long',
      `The command and environment overrides come to ${size} characters of JSON; RunTask accepts at most ${OVERRIDES_LIMIT}.`,
      'Shorten the command (a script in the image can hold the long part) or move environment values into the task definition or a secret.',
    );
  }

  const isLive =
    taskDefinition.taskDefinitionArn === service.taskDefinitionArn ||
    service.deployments.some(
      (deployment) => deployment.taskDefinition === taskDefinition.taskDefinitionArn,
    );
  let live: MigrationPlan['live'];
  if (!isLive && service.taskDefinitionArn) {
    live = await liveRevision({
      ecs,
      arn: service.taskDefinitionArn,
      container: container.name as string,
      abortSignal,
    });
  }
  return {
    service,
    taskDefinition,
    revision,
    container,
    placement,
    overrides,
    ...(logConfigurationProblem(container)
      ? { logProblem: logConfigurationProblem(container) }
      : {}),
    ...(live ? { live } : {}),
    registeredHere: !isLive && registeredByRun(tags) === options.runTag,
  };
}

function overridesFor(options: { container: string; inputs: MigrationInputs }): TaskOverride {
  const environment = Object.entries(options.inputs.environment).map(([name, value]) => ({
    name,
    value,
  }));
  return {
    containerOverrides: [
      {
        name: options.container,
        command: options.inputs.command,
        ...(environment.length > 0 ? { environment } : {}),
      },
    ],
  };
}

/** The service's current revision and its image, for "the service still runs …". */
async function liveRevision(options: {
  ecs: ECSClient;
  arn: string;
  container: string;
  abortSignal?: AbortSignal;
}): Promise<{ revision: string; image?: string }> {
  try {
    const { taskDefinition } = await describeTaskDefinition({
      ecs: options.ecs,
      taskDefinition: options.arn,
      abortSignal: options.abortSignal,
    });
    const image = taskDefinition.containerDefinitions?.find(
      (c) => c.name === options.container,
    )?.image;
    return { revision: revisionName(taskDefinition), ...(image ? { image } : {}) };
  } catch {
    // Only for the words of a message: an unreadable live revision must not stop the migration.
    return { revision: options.arn.slice(options.arn.lastIndexOf('/') + 1) };
  }
}

export function revisionName(taskDefinition: TaskDefinition): string {
  if (taskDefinition.family && taskDefinition.revision !== undefined)
    return `${taskDefinition.family}:${taskDefinition.revision}`;
  const arn = taskDefinition.taskDefinitionArn ?? '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}
