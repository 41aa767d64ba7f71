/**
 * Why a task stopped, in the user's words: its exit code when the container ran, otherwise the
 * stop code, the stopped reason and each container's reason, and a hint for the causes people
 * actually hit (an image that cannot be pulled, secrets or network out of reach, out of memory,
 * a task that never started, failed health checks).
 *
 * Pure: it reads one DescribeTasks task. Field meanings:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (stopCode, stoppedReason)
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html (exitCode, reason)
 * Error prefixes and their causes:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 * https://repost.aws/knowledge-center/ecs-task-stopped
 */
import type { Container, Task } from '@aws-sdk/client-ecs';

/** What the hint is about, for callers that act on it (and for tests). */
export type StopCause =
  | 'succeeded'
  | 'exited'
  | 'image-pull'
  | 'secrets'
  | 'logging'
  | 'network'
  | 'out-of-memory'
  | 'failed-to-start'
  | 'elb-health-check'
  | 'container-health-check'
  | 'spot-interruption'
  | 'stopped-by-user'
  | 'unknown';

export interface StoppedTaskExplanation {
  /** True only when the container that decides exited with 0. */
  succeeded: boolean;
  /** The container whose exit code decides (the named one, or the only one). */
  container?: string;
  /** Its exit code; undefined when it never ran to an exit (pull failed, task never started). */
  exitCode?: number;
  cause: StopCause;
  /** One line: `container migrate exited with code 1`. */
  headline: string;
  /** Every fact DescribeTasks gave: stop code, stopped reason, each container's status, exit code and reason. */
  lines: string[];
  /** What to do about it, when the cause is one we recognise. */
  hint?: string;
}

export interface ExplainOptions {
  /** The container whose exit code is the task's outcome (a migration's container). */
  container?: string;
}

const HINTS: Record<Exclude<StopCause, 'succeeded' | 'unknown'>, string> = {
  exited:
    'The command itself failed: its log lines above (and the log tail in the job summary) say why.',
  'image-pull':
    "The image could not be pulled: check that the tag or digest exists in the repository, that the task execution role may read it (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and that the task's subnets reach ECR (a NAT gateway, or VPC endpoints for ecr.api, ecr.dkr and S3).",
  secrets:
    "The task could not read its secrets: the task execution role needs secretsmanager:GetSecretValue (or ssm:GetParameters) on each secret and kms:Decrypt on a customer-managed key, and the task's subnets must reach Secrets Manager / SSM (a NAT gateway or VPC endpoints).",
  logging:
    'The awslogs log driver could not start: check that the log group exists (or awslogs-create-group is set with logs:CreateLogGroup allowed), that the task execution role may call logs:CreateLogStream and logs:PutLogEvents, and that the subnets reach CloudWatch Logs.',
  network:
    "The task's network could not be set up: the subnets need a route to ECR, CloudWatch Logs and Secrets Manager (a NAT gateway or VPC endpoints), the VPC needs DNS resolution and DNS hostnames, and the security groups must allow HTTPS out.",
  'out-of-memory':
    "The container ran out of memory and was killed: raise the task definition's memory (task level and container level), or make the command use less.",
  'failed-to-start':
    'ECS could not start the task: the stopped reason above names why (no free IP addresses in the subnets, ENI limits, capacity, an inactive task definition); fix that and run again.',
  'elb-health-check':
    "The load balancer's health checks failed: check the target group's health check path and the security group rule from the load balancer to the task, or raise the service's health check grace period.",
  'container-health-check':
    "The container's own health check failed: check the healthCheck command in the task definition and that the app answers it within its timeout.",
  'spot-interruption':
    'Fargate Spot reclaimed the capacity: run one-off work such as a migration on FARGATE, not FARGATE_SPOT.',
  'stopped-by-user':
    'StopTask stopped it (a timeout, a cancelled job, or someone else); the reason above says who.',
};

export function explainStoppedTask(
  task: Task,
  options: ExplainOptions = {},
): StoppedTaskExplanation {
  const containers = task.containers ?? [];
  const deciding =
    options.container !== undefined
      ? containers.find((container) => container.name === options.container)
      : containers.length === 1
        ? containers[0]
        : undefined;
  const exitCode = deciding?.exitCode ?? undefined;
  const lines = factLines(task, containers);
  const reasons = [task.stoppedReason, ...containers.map((container) => container.reason)]
    .filter((reason): reason is string => Boolean(reason))
    .join('\n');
  const cause = causeOf({ task, exitCode, reasons, containers });
  const name = deciding?.name ?? options.container;
  const headline =
    exitCode !== undefined
      ? `container ${name} exited with code ${exitCode}${signalWords(exitCode)}`
      : `${name ? `container ${name}` : 'the task'} stopped without an exit code (${task.stopCode ?? 'no stop code'}${task.stoppedReason ? `: ${task.stoppedReason}` : ''})`;
  return {
    succeeded: cause === 'succeeded',
    ...(name !== undefined ? { container: name } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    cause,
    headline,
    lines,
    ...(cause !== 'succeeded' && cause !== 'unknown' ? { hint: HINTS[cause] } : {}),
  };
}

function causeOf(facts: {
  task: Task;
  exitCode: number | undefined;
  reasons: string;
  containers: Container[];
}): StopCause {
  const { task, exitCode, reasons, containers } = facts;
  if (exitCode === 0) return 'succeeded';
  // The agent's error prefixes are the most precise signal; they come before the stop code.
  if (/CannotPullContainerError/i.test(reasons)) return 'image-pull';
  if (/ResourceInitializationError/i.test(reasons)) {
    if (/secret|ssm|parameter store|kms/i.test(reasons)) return 'secrets';
    if (/logging driver|log driver|awslogs|log group|log stream/i.test(reasons)) return 'logging';
    return 'network';
  }
  if (/OutOfMemoryError|out of memory|OOM/i.test(reasons)) return 'out-of-memory';
  if (task.stopCode === 'SpotInterruption') return 'spot-interruption';
  if (/ELB health checks/i.test(reasons)) return 'elb-health-check';
  if (/container health checks/i.test(reasons)) return 'container-health-check';
  if (task.stopCode === 'TaskFailedToStart') return 'failed-to-start';
  if (task.stopCode === 'UserInitiated') return 'stopped-by-user';
  // 137 is SIGKILL: without a StopTask behind it, the kernel's OOM killer is the usual sender.
  if (exitCode === 137) return 'out-of-memory';
  if (exitCode !== undefined) return 'exited';
  if (containers.some((container) => (container.exitCode ?? 0) !== 0)) return 'exited';
  return 'unknown';
}

function factLines(task: Task, containers: Container[]): string[] {
  const lines: string[] = [];
  if (task.stopCode) lines.push(`stop code: ${task.stopCode}`);
  if (task.stoppedReason) lines.push(`stopped reason: ${task.stoppedReason}`);
  for (const container of containers) {
    const parts = [
      container.lastStatus ? `status ${container.lastStatus}` : '',
      container.exitCode !== undefined && container.exitCode !== null
        ? `exit code ${container.exitCode}${signalWords(container.exitCode)}`
        : 'no exit code',
      container.reason ? `reason: ${container.reason}` : '',
    ].filter((part) => part !== '');
    lines.push(`container ${container.name ?? '?'}: ${parts.join(', ')}`);
  }
  return lines;
}

/** 128 + n is "killed by signal n": say which, since 137 and 143 mean different things. */
function signalWords(code: number): string {
  if (code === 137) return ' (SIGKILL: out of memory, or not stopped within the stop timeout)';
  if (code === 143) return ' (SIGTERM: the task was stopped)';
  return '';
}
