/**
 * Waits until the tunnel task can take a session: RUNNING, with its container's runtime id and a
 * RUNNING ExecuteCommandAgent (target.ts decides from each DescribeTasks answer). Polls every 3 s
 * with the toolkit's poller, which prints each change and a line at least every 15 s. A task that
 * stops on the way is explained from its stop code and reasons (ecs/stopped-task.ts).
 *
 * DescribeTasks: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
 */
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { ActionError } from '../../../actions/common/src/errors.js';
import { explainStoppedTask } from '../../../actions/common/src/ecs/stopped-task.js';
import { poll } from '../../../actions/common/src/poller.js';
import { targetState } from './target.js';

export interface ReadyTarget {
  target: string;
  taskId: string;
  runtimeId: string;
}

export async function waitForTarget(options: {
  ecs: ECSClient;
  cluster: string;
  taskArn: string;
  container: string;
  timeoutMs: number;
  log: (line: string) => void;
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  intervalMs?: number;
}): Promise<ReadyTarget> {
  return poll<ReadyTarget>({
    what: 'tunnel task',
    intervalMs: options.intervalMs ?? 3000,
    timeoutMs: options.timeoutMs,
    log: options.log,
    sleep: options.sleep,
    ...(options.now ? { now: options.now } : {}),
    check: async () => {
      const answer = await options.ecs.send(
        new DescribeTasksCommand({ cluster: options.cluster, tasks: [options.taskArn] }),
        { abortSignal: options.signal },
      );
      const task = answer.tasks?.[0];
      if (!task) {
        // Right after RunTask, DescribeTasks may not know the task yet (eventual consistency).
        return { done: false, state: 'task not visible yet' };
      }
      const state = targetState({ task, container: options.container });
      if (state.ready) {
        return {
          done: true,
          state: 'ready',
          value: { target: state.target, taskId: state.taskId, runtimeId: state.runtimeId },
        };
      }
      if (state.ended) throw stoppedError(task, options.container);
      return { done: false, state: state.state };
    },
  });
}

function stoppedError(task: Task, container: string): ActionError {
  const explanation = explainStoppedTask(task, { container });
  return new ActionError(
    'The tunnel task stopped before the session could start',
    [explanation.headline, ...explanation.lines].join('\n'),
    explanation.hint,
  );
}
