/**
 * Starting the migration: one RunTask with a clientToken deterministic for this run attempt (an
 * SDK retry or a re-entered step gets the first task back instead of starting a second migration),
 * startedBy naming the run, the overrides and the service's placement. A 200 answer can still
 * carry no task and `failures[]` instead: each is reported with its reason and a hint.
 *
 * RunTask: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 * Idempotency (clientToken ≤ 64 ASCII 33-126, 24 h, ConflictException on other parameters):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html
 * Failure reasons: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
 */
import {
  type ECSClient,
  type Failure,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { ActionError, isAwsError } from '../../common/src/errors.js';
import type { MigrationPlan } from './prepare.js';

export function runTaskRequest(options: {
  plan: MigrationPlan;
  startedBy: string;
  clientToken: string;
}): RunTaskCommandInput {
  const { plan } = options;
  const { networkConfiguration, launchType, capacityProviderStrategy, platformVersion } =
    plan.placement;
  return {
    cluster: plan.service.clusterArn,
    taskDefinition: plan.taskDefinition.taskDefinitionArn,
    count: 1,
    startedBy: options.startedBy,
    clientToken: options.clientToken,
    overrides: plan.overrides,
    ...(networkConfiguration ? { networkConfiguration } : {}),
    ...(launchType ? { launchType } : {}),
    ...(capacityProviderStrategy ? { capacityProviderStrategy } : {}),
    ...(platformVersion ? { platformVersion } : {}),
  };
}

export async function startTask(options: {
  ecs: ECSClient;
  request: RunTaskCommandInput;
  revision: string;
  abortSignal?: AbortSignal;
}): Promise<Task> {
  let answer;
  try {
    answer = await options.ecs.send(new RunTaskCommand(options.request), {
      abortSignal: options.abortSignal,
    });
  } catch (error) {
    throw explainRunTaskError(error, options.revision);
  }
  const task = answer.tasks?.[0];
  const failures = answer.failures ?? [];
  if (task?.taskArn && failures.length === 0) return task;
  throw runTaskFailed({ failures, revision: options.revision });
}

/** One ActionError for a RunTask answer without a task: every failure, each with its hint. */
export function runTaskFailed(options: { failures: Failure[]; revision: string }): ActionError {
  const { failures } = options;
  const lines = failures.map((failure) => {
    const detail = failure.detail ? ` (${failure.detail})` : '';
    return `- ${failure.reason ?? 'no reason given'}${detail}${failure.arn ? ` on ${failure.arn}` : ''}`;
  });
  const hints = [
    ...new Set(
      failures.map((failure) => hintForFailure(failure, options.revision)).filter(Boolean),
    ),
  ];
  return new ActionError(
    'The migration task did not start',
    failures.length > 0
      ? `RunTask started no task for ${options.revision}:\n${lines.join('\n')}`
      : `RunTask answered without a task and without a failure for ${options.revision}.`,
    hints.length > 0
      ? hints.join(' ')
      : 'Run the step again; if it keeps failing, the ECS failure reasons page explains each reason.',
  );
}

/** A hint for one `failures[]` entry, by its reason (api_failures_messages.html). */
export function hintForFailure(failure: Failure, revision: string): string | undefined {
  const text = `${failure.reason ?? ''} ${failure.detail ?? ''}`;
  if (/RESOURCE:ENI/i.test(text)) {
    return 'The container instances have no free network interface for an awsvpc task: enable awsvpcTrunking, use larger instances, or run the task on Fargate.';
  }
  if (/RESOURCE:(CPU|MEMORY|PORTS|GPU)/i.test(text)) {
    return "No container instance has the CPU or memory the task asks for: add capacity (the capacity provider's Auto Scaling group) or lower the task definition's cpu and memory.";
  }
  if (/capacity is unavailable|insufficient capacity/i.test(text)) {
    return "Fargate had no capacity in the subnets' Availability Zones at that moment: run the step again, or give subnets in more zones.";
  }
  if (/service.linked role|network interface|CreateNetworkInterface/i.test(text)) {
    return "ECS could not create the task's network interface: the ECS service-linked role (AWSServiceRoleForECS) must exist in the account (aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com), and the subnets must have free IP addresses.";
  }
  if (/inactive/i.test(text)) {
    return `Task definition ${revision} is INACTIVE (deregistered): pass the revision registered for this release.`;
  }
  if (/^\s*AGENT/i.test(text))
    return 'The ECS agent of the chosen container instance was disconnected for a moment: run the step again.';
  if (/ATTRIBUTE/i.test(text)) {
    return "No container instance has an attribute the task definition requires (requiresAttributes, placement constraints): check them against the cluster's instances.";
  }
  if (/MISSING/i.test(text))
    return 'ECS could not find the cluster or container instance named: check the cluster input.';
  return undefined;
}

function explainRunTaskError(error: unknown, revision: string): unknown {
  if (isAwsError(error, 'ConflictException')) {
    return new ActionError(
      'A migration with this token already ran',
      `RunTask refused the clientToken of this run attempt: a migration task was already started with it, with other parameters (${(error as Error).message}).`,
      'A step of one run attempt starts its migration once. To run it again with other inputs, re-run the workflow (a new attempt gets a new token).',
    );
  }
  if (error instanceof Error && /service.linked role/i.test(error.message)) {
    const hint = hintForFailure({ reason: error.message }, revision);
    return new ActionError('The migration task did not start', `RunTask: ${error.message}`, hint);
  }
  return error;
}
