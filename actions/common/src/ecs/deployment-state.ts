/**
 * Where one ECS deployment stands, judged from what ECS says about it: done, failed (with why and
 * where ECS rolls back to), or still going (counts, lifecycle stage, a paused hook). Pure: the
 * SDK reads are in deployment-api.ts, the wait loop in the action.
 *
 * Two sources, the same verdicts:
 * - a service deployment (DescribeServiceDeployments,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html):
 *   `status` PENDING / IN_PROGRESS → waiting; SUCCESSFUL → done; STOP_REQUESTED, STOPPED and every
 *   ROLLBACK_* → failed at once (the rollback is ECS's reaction to a failure: waiting for it to
 *   settle, as waiters do, only delays the bad news); the circuit breaker or an alarm TRIGGERED →
 *   failed even while the status still says IN_PROGRESS.
 * - the service's own deployments list (DescribeServices `deployments`,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html), where the
 *   service-deployment calls are missing (the local AWS): the followed deployment by id —
 *   `rolloutState` COMPLETED → done, FAILED → failed; the deployment gone, or the service's
 *   revision no longer the one deployed → failed (ECS rolled back or someone replaced it).
 */
import type {
  Deployment,
  DeploymentLifecycleHookDetail,
  Service,
  ServiceDeployment,
} from '@aws-sdk/client-ecs';

export interface DeploymentProgress {
  /** The deployment's status in ECS's words (IN_PROGRESS, ROLLBACK_REQUESTED, COMPLETED…). */
  status: string;
  /** Blue/green, linear and canary stages (SCALE_UP, TEST_TRAFFIC_SHIFT, BAKE_TIME…). */
  stage?: string;
  running?: number;
  pending?: number;
  desired?: number;
  /** Tasks the circuit breaker counted as failed to start. */
  failedTasks?: number;
  /** A PAUSE lifecycle hook waiting for someone to continue or roll back the deployment. */
  pausedHook?: {
    hookId?: string;
    expiresAt?: Date;
    timeoutAction?: string;
  };
}

export type Verdict =
  | { kind: 'waiting'; progress: DeploymentProgress }
  | { kind: 'succeeded'; progress: DeploymentProgress }
  | {
      kind: 'failed';
      progress: DeploymentProgress;
      /** Why, in ECS's words where it gave some. */
      reason: string;
      /** The service revision ECS rolls back to (a service-revision ARN), when it says. */
      rollbackRevisionArn?: string;
      /** The task definition the service runs now, when it reverted (the fallback's evidence). */
      revertedTo?: string;
    };

const FAILED_STATUSES = new Set([
  'STOP_REQUESTED',
  'STOPPED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
]);

/** The verdict on a service deployment (DescribeServiceDeployments). */
export function judgeServiceDeployment(deployment: ServiceDeployment): Verdict {
  const target = deployment.targetServiceRevision;
  const status = deployment.status ?? 'PENDING';
  const progress: DeploymentProgress = {
    status,
    ...(deployment.lifecycleStage ? { stage: deployment.lifecycleStage } : {}),
    ...(target?.runningTaskCount !== undefined ? { running: target.runningTaskCount } : {}),
    ...(target?.pendingTaskCount !== undefined ? { pending: target.pendingTaskCount } : {}),
    ...(target?.requestedTaskCount !== undefined ? { desired: target.requestedTaskCount } : {}),
    ...(deployment.deploymentCircuitBreaker?.failureCount
      ? { failedTasks: deployment.deploymentCircuitBreaker.failureCount }
      : {}),
  };
  const paused = pausedHook(deployment.lifecycleHookDetails);
  if (paused) progress.pausedHook = paused;
  if (status === 'SUCCESSFUL') return { kind: 'succeeded', progress };
  const rollbackRevisionArn = deployment.rollback?.serviceRevisionArn;
  if (FAILED_STATUSES.has(status) || status.startsWith('ROLLBACK_')) {
    return {
      kind: 'failed',
      progress,
      reason:
        deployment.statusReason ||
        deployment.rollback?.reason ||
        `the deployment is ${status}${status.startsWith('STOP') ? ' (stopped before it completed)' : ''}`,
      ...(rollbackRevisionArn ? { rollbackRevisionArn } : {}),
    };
  }
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.status === 'TRIGGERED') {
    return {
      kind: 'failed',
      progress,
      reason:
        deployment.statusReason ||
        `the deployment circuit breaker triggered: ${breaker.failureCount ?? '?'} tasks failed to start (threshold ${breaker.threshold ?? '?'})`,
      ...(rollbackRevisionArn ? { rollbackRevisionArn } : {}),
    };
  }
  const alarms = deployment.alarms;
  if (alarms?.status === 'TRIGGERED') {
    return {
      kind: 'failed',
      progress,
      reason:
        deployment.statusReason ||
        `deployment alarm${(alarms.triggeredAlarmNames ?? []).length === 1 ? '' : 's'} in ALARM: ${(alarms.triggeredAlarmNames ?? []).join(', ') || 'unnamed'}`,
      ...(rollbackRevisionArn ? { rollbackRevisionArn } : {}),
    };
  }
  return { kind: 'waiting', progress };
}

function pausedHook(
  hooks: DeploymentLifecycleHookDetail[] | undefined,
): DeploymentProgress['pausedHook'] | undefined {
  const waiting = (hooks ?? []).find(
    (hook) =>
      hook.status === 'AWAITING_ACTION' ||
      (hook.targetType === 'PAUSE' && hook.status === 'IN_PROGRESS'),
  );
  if (!waiting) return undefined;
  return {
    ...(waiting.hookId ? { hookId: waiting.hookId } : {}),
    ...(waiting.expiresAt ? { expiresAt: waiting.expiresAt } : {}),
    ...(waiting.timeoutAction ? { timeoutAction: waiting.timeoutAction } : {}),
  };
}

/**
 * The verdict from DescribeServices alone, following the deployment `deploymentId` that rolls
 * the service to `taskDefinitionArn`.
 */
export function judgeServiceDeployments(options: {
  service: Service;
  deploymentId: string;
  taskDefinitionArn: string;
}): Verdict {
  const { service, deploymentId, taskDefinitionArn } = options;
  const deployments = service.deployments ?? [];
  const followed = deployments.find((deployment) => deployment.id === deploymentId);
  const progress = followed ? progressOf(followed) : { status: 'GONE' };
  const serviceRevision = service.taskDefinition;
  if (serviceRevision && serviceRevision !== taskDefinitionArn) {
    return {
      kind: 'failed',
      progress,
      reason: `the service went back to ${revisionName(serviceRevision)} (a rollback, or another update replaced this one)`,
      revertedTo: serviceRevision,
    };
  }
  if (!followed) {
    return {
      kind: 'failed',
      progress,
      reason: `deployment ${deploymentId} is no longer among the service's deployments (ECS replaced it: a rollback or a newer update)`,
    };
  }
  if (followed.rolloutState === 'FAILED') {
    return {
      kind: 'failed',
      progress,
      reason: followed.rolloutStateReason || 'the deployment failed (rolloutState FAILED)',
    };
  }
  if (followed.rolloutState === 'COMPLETED') return { kind: 'succeeded', progress };
  // No rolloutState (a Classic Load Balancer, an external controller): steady once it is the only
  // deployment left and every desired task runs, which is what "services stable" means.
  if (
    followed.rolloutState === undefined &&
    deployments.length === 1 &&
    followed.desiredCount !== undefined &&
    followed.runningCount === followed.desiredCount &&
    (followed.pendingCount ?? 0) === 0
  ) {
    return { kind: 'succeeded', progress };
  }
  return { kind: 'waiting', progress };
}

function progressOf(deployment: Deployment): DeploymentProgress {
  return {
    status: deployment.rolloutState ?? deployment.status ?? 'UNKNOWN',
    ...(deployment.runningCount !== undefined ? { running: deployment.runningCount } : {}),
    ...(deployment.pendingCount !== undefined ? { pending: deployment.pendingCount } : {}),
    ...(deployment.desiredCount !== undefined ? { desired: deployment.desiredCount } : {}),
    ...(deployment.failedTasks ? { failedTasks: deployment.failedTasks } : {}),
  };
}

/** `IN_PROGRESS, stage SCALE_UP: 1 running, 1 pending of 2 desired, 2 failed to start`. */
export function describeProgress(progress: DeploymentProgress): string {
  const parts: string[] = [];
  if (progress.running !== undefined || progress.desired !== undefined) {
    const counts = [
      `${progress.running ?? 0} running`,
      ...(progress.pending ? [`${progress.pending} pending`] : []),
    ].join(', ');
    parts.push(
      progress.desired !== undefined ? `${counts} of ${progress.desired} desired` : counts,
    );
  }
  if (progress.failedTasks) parts.push(`${progress.failedTasks} failed to start`);
  const head = progress.stage ? `${progress.status}, stage ${progress.stage}` : progress.status;
  const paused = progress.pausedHook ? ', paused at a lifecycle hook' : '';
  return parts.length > 0 ? `${head}${paused}: ${parts.join(', ')}` : `${head}${paused}`;
}

/** `api:7` from a task-definition ARN. */
export function revisionName(taskDefinitionArn: string): string {
  return taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
}
