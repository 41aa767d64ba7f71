/**
 * The Session Manager target of an ECS container: `ecs:<cluster-name>_<task-id>_<runtime-id>`,
 * where the runtime id is the container's own id from DescribeTasks (`containers[].runtimeId`).
 * Widely copied guides build `ecs:<cluster>_<service>_<task>`, which SSM rejects; the AWS CLI's
 * own `ecs execute-command` builds the target exactly like this (awscli/customizations/ecs/
 * executecommand.py: cluster name and task id from the ARNs, runtime id from DescribeTasks).
 *
 * Pure: it reads one DescribeTasks task and says whether a session can start yet.
 * Shapes: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (lastStatus,
 * enableExecuteCommand), https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html
 * (runtimeId, managedAgents), https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedAgent.html
 * (name `ExecuteCommandAgent`, lastStatus, reason).
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import { ActionError } from '../../../actions/common/src/errors.js';
import { nameOf } from '../../../actions/common/src/ecs/service.js';

export const EXEC_AGENT = 'ExecuteCommandAgent';

/** Task states after RUNNING, on the way to STOPPED (task lifecycle). */
const ENDING = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED', 'DELETED']);

export type TargetState =
  | { ready: true; target: string; runtimeId: string; taskId: string }
  /** Not yet: `state` says where things stand, for the progress line. */
  | { ready: false; ended: false; state: string }
  /** The task is stopping or stopped: it will never be a target. */
  | { ready: false; ended: true; state: string };

/** `ecs:<cluster-name>_<task-id>_<runtime-id>` from the ARNs and the container's runtime id. */
export function sessionTarget(options: {
  clusterArn: string;
  taskArn: string;
  runtimeId: string;
}): string {
  return `ecs:${nameOf(options.clusterArn)}_${nameOf(options.taskArn)}_${options.runtimeId}`;
}

/**
 * Where the tunnel task stands. Ready only when the task is RUNNING, the container has a runtime
 * id and its ExecuteCommandAgent is RUNNING: before that, StartSession fails with
 * TargetNotConnectedException. An agent that STOPPED, or a task started without ECS Exec, is an
 * ActionError: waiting longer cannot help.
 */
export function targetState(options: { task: Task; container: string }): TargetState {
  const { task, container: name } = options;
  const status = task.lastStatus ?? 'PROVISIONING';
  if (ENDING.has(status) || task.desiredStatus === 'STOPPED') {
    return { ready: false, ended: true, state: `task ${status.toLowerCase()}` };
  }
  const container = findContainer(task, name);
  if (status !== 'RUNNING') return { ready: false, ended: false, state: `task ${status}` };
  if (!container.runtimeId) {
    return {
      ready: false,
      ended: false,
      state: `task RUNNING, container ${name} has no runtime id yet`,
    };
  }
  const agent = container.managedAgents?.find((candidate) => candidate.name === EXEC_AGENT);
  if (!agent) {
    if (task.enableExecuteCommand === false) {
      throw new ActionError(
        'ECS Exec is off in the tunnel task',
        `Task ${nameOf(task.taskArn ?? '')} runs without ECS Exec (enableExecuteCommand is false), so it has no ${EXEC_AGENT} to connect to.`,
        'This is a bug in db-tunnel (it starts the task with enableExecuteCommand); report it with this message.',
      );
    }
    return {
      ready: false,
      ended: false,
      state: `task RUNNING, container ${name} reports no ${EXEC_AGENT} yet`,
    };
  }
  const agentStatus = agent.lastStatus ?? 'PENDING';
  if (agentStatus === 'STOPPED') {
    throw new ActionError(
      `The ECS Exec agent stopped in container ${name}`,
      `The ${EXEC_AGENT} of container ${name} in task ${nameOf(task.taskArn ?? '')} is STOPPED${agent.reason ? `: ${agent.reason}` : ''}.`,
      "The agent needs the task role's ssmmessages permissions (CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) and HTTPS to ssmmessages.<region>.amazonaws.com (NAT or an ssmmessages VPC endpoint), and a writable root file system in the container.",
    );
  }
  if (agentStatus !== 'RUNNING') {
    return { ready: false, ended: false, state: `task RUNNING, ${EXEC_AGENT} ${agentStatus}` };
  }
  return {
    ready: true,
    target: sessionTarget({
      clusterArn: task.clusterArn ?? '',
      taskArn: task.taskArn ?? '',
      runtimeId: container.runtimeId,
    }),
    runtimeId: container.runtimeId,
    taskId: nameOf(task.taskArn ?? ''),
  };
}

function findContainer(task: Task, name: string): Container {
  const containers = task.containers ?? [];
  const found = containers.find((container) => container.name === name);
  if (found) return found;
  // DescribeTasks lists the containers as soon as the task exists; one missing is not "later".
  throw new ActionError(
    `No container ${name} in the tunnel task`,
    `Task ${nameOf(task.taskArn ?? '')} has no container named ${name}; it has ${containers.map((container) => container.name).join(', ') || 'none'}.`,
    'Pass --container with one of those names.',
  );
}
