/**
 * Following the task until it stops: its log lines as they arrive, its status as it changes, a
 * line at least every 15 s while nothing happens, and an end that says why it ended (stopped,
 * out of time, cancelled). After STOPPED the log stream is drained until its token stops moving,
 * so the last lines the awslogs driver flushes are printed too, each once.
 *
 * DescribeTasks: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
 * (a task just started can be MISSING for a moment: the API is eventually consistent).
 */
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { ActionContext } from '../../common/src/context.js';
import { ActionError, errorMessage } from '../../common/src/errors.js';
import type { LogFollower } from '../../common/src/ecs/log-stream.js';
import { formatDuration } from '../../common/src/format.js';

export type FollowEnd =
  | { kind: 'stopped'; task: Task }
  | { kind: 'timeout'; task?: Task }
  | { kind: 'cancelled'; task?: Task };

/** One look every 2 s: a line reaches the step's log within about one interval of its ingestion. */
export const POLL_INTERVAL_MS = 2_000;
export const QUIET_MS = 15_000;
/** After STOPPED, the stream counts as drained when its token has not moved for this long. */
export const DRAIN_SETTLE_MS = 3_000;
/** How long a task RunTask returned may stay invisible to DescribeTasks. */
export const MISSING_GRACE_MS = 60_000;

type FollowContext = Pick<ActionContext<unknown>, 'clock' | 'deadline' | 'log' | 'cancelled'>;

export async function followTask(options: {
  ecs: ECSClient;
  cluster: string;
  taskArn: string;
  follower?: LogFollower;
  context: FollowContext;
  intervalMs?: number;
}): Promise<FollowEnd> {
  const { ecs, cluster, taskArn, context } = options;
  const { clock, deadline, log, cancelled } = context;
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  const signal = AbortSignal.any([deadline.signal, cancelled]);
  let follower = options.follower;
  let task: Task | undefined;
  let status: string | undefined;
  let statusSince = clock.now();
  let lastLine = clock.now();
  const started = clock.now();
  const say = (line: string) => {
    log.info(line);
    lastLine = clock.now();
  };
  const ended = (): FollowEnd | undefined => {
    if (cancelled.aborted) return { kind: 'cancelled', task };
    if (deadline.expired()) return { kind: 'timeout', task };
    return undefined;
  };

  for (;;) {
    const end = ended();
    if (end) return end;
    try {
      if (follower) {
        const before = follower.count;
        follower = await readOrGiveUp({ follower, log, signal, over: () => ended() !== undefined });
        if (follower && follower.count > before) lastLine = clock.now();
      }
      const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }), {
        abortSignal: signal,
      });
      const seen = answer.tasks?.find((t) => t.taskArn === taskArn) ?? answer.tasks?.[0];
      if (seen) task = seen;
      else if (clock.now() - started > MISSING_GRACE_MS) {
        throw new ActionError(
          'The migration task disappeared',
          `DescribeTasks has not found task ${taskId} in cluster ${cluster} for ${formatDuration(clock.now() - started)} after RunTask started it (${answer.failures?.map((f) => f.reason).join(', ') || 'no reason given'}).`,
          'Look for the task in the ECS console; the cluster may have been deleted or the task stopped more than an hour ago.',
        );
      }
    } catch (error) {
      const end = ended();
      if (end) return end;
      throw error;
    }

    const now = clock.now();
    if (task?.lastStatus && task.lastStatus !== status) {
      status = task.lastStatus;
      statusSince = now;
      say(`Task ${taskId}: ${status}`);
    } else if (now - lastLine >= QUIET_MS) {
      say(
        `Task ${taskId}: ${status ?? 'not visible yet'} for ${formatDuration(now - statusSince)}, ` +
          `${formatDuration(deadline.remainingMs())} left of timeout-minutes`,
      );
    }
    if (task?.lastStatus === 'STOPPED') {
      if (follower) {
        await follower
          .drain({
            sleep: (ms) => pause(clock, ms, cancelled),
            now: clock.now,
            settleMs: DRAIN_SETTLE_MS,
            intervalMs: Math.min(intervalMs, 1_000),
            until: deadline.at,
            signal,
          })
          .catch((error: unknown) =>
            log.warning(`Could not read the rest of the log stream: ${errorMessage(error)}`),
          );
      }
      return { kind: 'stopped', task };
    }
    // Never past the deadline, so a timeout is noticed when it happens.
    await pause(clock, Math.min(intervalMs, Math.max(0, deadline.remainingMs())), cancelled);
  }
}

/** One read of the stream; an error other than "not yet" stops the following, not the migration. */
async function readOrGiveUp(options: {
  follower: LogFollower;
  log: FollowContext['log'];
  signal: AbortSignal;
  over: () => boolean;
}): Promise<LogFollower | undefined> {
  const { follower, log, over } = options;
  try {
    await follower.read({ signal: options.signal });
    return follower;
  } catch (error) {
    // Aborted by the deadline or a cancel: the caller ends the wait, with the logs as they are.
    if (over()) throw error;
    log.warning(
      `Stopped following the task's log stream: ${errorMessage(error)}. The task is still awaited; its log is in CloudWatch.`,
      'Log stream unreadable',
    );
    return undefined;
  }
}

/** The clock's sleep, cut short by a cancel. */
export function pause(
  clock: FollowContext['clock'],
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms).then(done);
  });
}
