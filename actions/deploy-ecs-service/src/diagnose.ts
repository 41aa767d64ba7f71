/**
 * Why a deployment failed, gathered once it has: each stopped task of the new revision (stop code,
 * stopped reason, each container's reason and exit code, with a hint for the known causes), the
 * last 20 log lines of its container, and the load balancer's view of the new targets. Every part
 * is best effort: a part that cannot be read becomes a note, never a second failure.
 *
 * ListTasks (`desiredStatus: STOPPED`, a service's stopped tasks stay listed for about an hour):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html; DescribeTasks:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html;
 * DescribeTargetHealth:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  logConsoleUrl,
  logStreamOf,
  tailLogStream,
  taskIdOf,
} from '../../common/src/ecs/log-stream.js';
import {
  explainStoppedTask,
  type StoppedTaskExplanation,
} from '../../common/src/ecs/stopped-task.js';
import { errorMessage } from '../../common/src/errors.js';

export const LOG_TAIL_LINES = 20;
const MAX_TASKS = 5;
const MAX_LOG_TAILS = 3;

export interface StoppedTaskReport {
  taskArn: string;
  taskId: string;
  stoppedAt?: Date;
  explanation: StoppedTaskExplanation;
  logTail?: string[];
  logUrl?: string;
}

export interface TargetReport {
  targetGroupArn: string;
  id: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
  /** The target is one of the new revision's tasks. */
  isNew: boolean;
}

export interface FailureReport {
  stoppedTasks: StoppedTaskReport[];
  targets: TargetReport[];
  /** Parts that could not be read, in words. */
  notes: string[];
}

export async function explainFailure(options: {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  logs: (region: string) => CloudWatchLogsClient;
  region: string;
  cluster: string;
  service: Service;
  taskDefinition: TaskDefinition;
  container: string;
  /** Tasks that started before this (the runner's clock, minus skew) belong to earlier deploys. */
  since: number;
}): Promise<FailureReport> {
  const report: FailureReport = { stoppedTasks: [], targets: [], notes: [] };
  let tasks: Task[] = [];
  try {
    tasks = await stoppedTasksOf(options);
  } catch (error) {
    report.notes.push(`Could not list the stopped tasks: ${errorMessage(error)}`);
  }
  for (const [index, task] of tasks.entries()) {
    const taskArn = task.taskArn ?? '';
    const entry: StoppedTaskReport = {
      taskArn,
      taskId: taskIdOf(taskArn),
      ...(task.stoppedAt ? { stoppedAt: task.stoppedAt } : {}),
      explanation: explainStoppedTask(task, { container: options.container }),
    };
    const location = logStreamOf({
      taskDefinition: options.taskDefinition,
      container: options.container,
      taskId: entry.taskId,
      region: options.region,
    });
    if (location && index < MAX_LOG_TAILS) {
      entry.logUrl = logConsoleUrl(location);
      try {
        entry.logTail = await tailLogStream({
          logs: options.logs(location.region),
          location,
          lines: LOG_TAIL_LINES,
        });
      } catch (error) {
        report.notes.push(`Could not read the log of task ${entry.taskId}: ${errorMessage(error)}`);
      }
    }
    report.stoppedTasks.push(entry);
  }
  const newIps = new Set(tasks.flatMap(privateIpsOf));
  for (const balancer of options.service.loadBalancers ?? []) {
    if (!balancer.targetGroupArn) continue;
    try {
      const health = await options.elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: balancer.targetGroupArn }),
      );
      for (const description of health.TargetHealthDescriptions ?? []) {
        const id = description.Target?.Id ?? '';
        const state = description.TargetHealth?.State ?? 'unknown';
        const isNew = newIps.has(id);
        if (!isNew && state === 'healthy') continue;
        report.targets.push({
          targetGroupArn: balancer.targetGroupArn,
          id,
          ...(description.Target?.Port !== undefined ? { port: description.Target.Port } : {}),
          state,
          ...(description.TargetHealth?.Reason ? { reason: description.TargetHealth.Reason } : {}),
          ...(description.TargetHealth?.Description
            ? { description: description.TargetHealth.Description }
            : {}),
          isNew,
        });
      }
    } catch (error) {
      report.notes.push(
        `Could not read the health of target group ${balancer.targetGroupArn}: ${errorMessage(error)}`,
      );
    }
  }
  return report;
}

/** The service's stopped tasks of the new revision, newest first, at most MAX_TASKS. */
async function stoppedTasksOf(options: {
  ecs: ECSClient;
  cluster: string;
  service: Service;
  taskDefinition: TaskDefinition;
  since: number;
}): Promise<Task[]> {
  const listed = await options.ecs.send(
    new ListTasksCommand({
      cluster: options.cluster,
      serviceName: options.service.serviceName,
      desiredStatus: 'STOPPED',
      maxResults: 100,
    }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await options.ecs.send(
    new DescribeTasksCommand({ cluster: options.cluster, tasks: arns.slice(0, 100) }),
  );
  const since = options.since - 60_000;
  return (described.tasks ?? [])
    .filter((task) => task.taskDefinitionArn === options.taskDefinition.taskDefinitionArn)
    .filter((task) => (task.createdAt?.getTime() ?? Number.MAX_SAFE_INTEGER) >= since)
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, MAX_TASKS);
}

/** A Fargate task's private IP (its ENI attachment), the target id in an `ip` target group. */
function privateIpsOf(task: Task): string[] {
  return (task.attachments ?? []).flatMap((attachment) =>
    (attachment.details ?? [])
      .filter((detail) => detail.name === 'privateIPv4Address' && detail.value)
      .map((detail) => detail.value as string),
  );
}

/** The first hint of the stopped tasks, or one from the target health, for the annotation's Fix. */
export function failureHint(report: FailureReport): string | undefined {
  const fromTask = report.stoppedTasks.find((task) => task.explanation.hint)?.explanation.hint;
  if (fromTask) return fromTask;
  const unhealthy = report.targets.find((target) => target.isNew && target.state === 'unhealthy');
  if (unhealthy) {
    return `The load balancer found the new tasks unhealthy (${unhealthy.reason ?? 'health checks failed'}${unhealthy.description ? `: ${unhealthy.description}` : ''}): check the target group's health check path and port, the security group rule from the load balancer to the tasks, and the service's health check grace period.`;
  }
  return undefined;
}
