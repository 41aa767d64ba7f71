/**
 * What the migration's end means for the pipeline, as data: success only for exit code 0 of the
 * migration's container; anything else a failure with a title, the facts and a hint. Pure.
 */
import type { Task } from '@aws-sdk/client-ecs';
import {
  explainStoppedTask,
  type StoppedTaskExplanation,
} from '../../common/src/ecs/stopped-task.js';
import { formatDuration } from '../../common/src/format.js';
import type { FollowEnd } from './follow.js';
import type { StopResult } from './stop-task.js';

export interface MigrationOutcome {
  succeeded: boolean;
  /** In a word or three, for the summary: `succeeded`, `failed (exit code 1)`, `timed out`. */
  status: string;
  exitCode?: number;
  explanation?: StoppedTaskExplanation;
  failure?: { title: string; message: string; hint?: string };
}

export function outcomeOf(options: {
  end: FollowEnd;
  /** The task's status when the wait ended (before a StopTask changed it). */
  statusWhenEnded?: string;
  container: string;
  taskId: string;
  timeoutMs: number;
  /** What StopTask did after a timeout or a cancel; undefined when it was not called. */
  stop?: StopResult;
  stopOnCancel: boolean;
}): MigrationOutcome {
  const { end, container, taskId } = options;
  const was = options.statusWhenEnded ?? end.task?.lastStatus ?? 'starting';
  const explanation =
    end.task?.lastStatus === 'STOPPED' ? explainStoppedTask(end.task, { container }) : undefined;
  const exitCode = explanation?.exitCode;
  const facts = explanation ? `\n${explanation.lines.join('\n')}` : '';
  if (end.kind === 'stopped' && explanation) {
    if (explanation.succeeded)
      return { succeeded: true, status: 'succeeded', exitCode: 0, explanation };
    const ran = exitCode !== undefined;
    return {
      succeeded: false,
      status: ran
        ? `failed (exit code ${exitCode})`
        : `did not run (${end.task.stopCode ?? 'stopped'})`,
      ...(ran ? { exitCode } : {}),
      explanation,
      failure: {
        title: ran
          ? `Migration failed: exit code ${exitCode}`
          : `Migration task stopped: ${stopWords(end.task)}`,
        message: `Migration task ${taskId}: ${explanation.headline}.${facts}`,
        ...(explanation.hint ? { hint: explanation.hint } : {}),
      },
    };
  }
  const stopped = options.stop?.stopped
    ? 'the step stopped it (StopTask)'
    : (options.stop?.problem ?? 'it was not stopped');
  if (end.kind === 'timeout') {
    return {
      succeeded: false,
      status: 'timed out',
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(explanation ? { explanation } : {}),
      failure: {
        title: 'Migration timed out',
        message: `Migration task ${taskId} was still ${was} when timeout-minutes (${formatDuration(options.timeoutMs)}) ran out; ${stopped}.${facts}`,
        hint: "Look at the migration's last log lines for where it waited (a table lock held by the running service?); raise timeout-minutes if it is known to take longer.",
      },
    };
  }
  return {
    succeeded: false,
    status: 'cancelled',
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(explanation ? { explanation } : {}),
    failure: {
      title: 'Migration cancelled',
      message: options.stopOnCancel
        ? `The job was cancelled while migration task ${taskId} was ${was}; ${stopped}.${facts}`
        : `The job was cancelled while migration task ${taskId} was ${was}; stop-on-cancel is false, so it keeps running: its end shows in the ECS console and its log stream.`,
    },
  };
}

function stopWords(task: Task): string {
  const reason = task.stoppedReason ?? '';
  const prefix = /^(\w+Error)\b/.exec(reason)?.[1];
  return prefix ?? task.stopCode ?? 'no exit code';
}
