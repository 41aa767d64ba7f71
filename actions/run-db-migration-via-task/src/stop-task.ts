/**
 * Stopping the migration task when the step gives up on it (timeout) or the job is cancelled.
 * StopTask sends SIGTERM, then SIGKILL after the container's stop timeout; the example app's
 * migration exits cleanly on SIGTERM. The reason shows in DescribeTasks and the console.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html (reason: up to 255
 * characters).
 */
import { type ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../common/src/errors.js';

export const STOP_REASON_LIMIT = 255;
/** A StopTask call gets this long: on cancel the runner kills the step a few seconds later. */
export const STOP_CALL_MS = 4_000;

export interface StopResult {
  stopped: boolean;
  /** When StopTask failed: why, and the command that stops it by hand. */
  problem?: string;
}

export async function stopTask(options: {
  ecs: ECSClient;
  cluster: string;
  taskArn: string;
  reason: string;
}): Promise<StopResult> {
  const reason = options.reason.slice(0, STOP_REASON_LIMIT);
  try {
    // Not the step's deadline signal: on a timeout that one has already fired.
    await options.ecs.send(
      new StopTaskCommand({ cluster: options.cluster, task: options.taskArn, reason }),
      { abortSignal: AbortSignal.timeout(STOP_CALL_MS) },
    );
    return { stopped: true };
  } catch (error) {
    return {
      stopped: false,
      problem: `StopTask failed (${errorMessage(error)}); the task may still be running: aws ecs stop-task --cluster ${options.cluster} --task ${options.taskArn}`,
    };
  }
}
