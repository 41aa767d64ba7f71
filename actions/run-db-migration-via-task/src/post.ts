/**
 * The post step (action.yml `post:` with `post-if: always()`): the runner runs the bundle again
 * after the job's steps, cancelled or not. When the main step ended before its task did — the job
 * was cancelled, or the runner killed the step at its own timeout — the task is stopped (with
 * stop-on-cancel) and a register-only revision withdrawn, and it says so. After a main step that
 * saw its task's end, there is nothing to do.
 */
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createClient, resolveRegion } from '../../common/src/aws-client.js';
import type { ActionContext } from '../../common/src/context.js';
import { ActionError, errorMessage } from '../../common/src/errors.js';
import { taskIdOf } from '../../common/src/ecs/log-stream.js';
import type { MigrationInputs } from './inputs.js';
import { ACTION } from './main.js';
import { type RevisionFacts, withdrawRevision } from './revision.js';
import { STATE } from './state.js';
import { stopTask } from './stop-task.js';

export async function post(context: ActionContext<MigrationInputs>): Promise<void> {
  const { inputs, log, state } = context;
  const taskArn = state.get(STATE.taskArn);
  if (!taskArn) {
    log.info('No migration task was started; nothing to clean up.');
    return;
  }
  const taskId = taskIdOf(taskArn);
  if (state.get(STATE.settled) === 'true') {
    log.info(`The main step saw migration task ${taskId} to its end; nothing to clean up.`);
    return;
  }
  const cluster = state.get(STATE.cluster);
  const region = resolveRegion(inputs.region, context.env);
  const ecs = createClient(ECSClient, 'ECS', { action: ACTION, region, env: context.env });
  log.info(
    `The main step ended before migration task ${taskId} did (the job was cancelled or timed out).`,
  );

  let status = 'unknown';
  try {
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }), {
      abortSignal: context.deadline.signal,
    });
    const task = answer.tasks?.[0];
    status =
      task?.desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED'
        ? `${task.lastStatus ?? 'unknown'}, stopping`
        : (task?.lastStatus ?? 'not found');
  } catch (error) {
    log.warning(`Could not look at task ${taskId}: ${errorMessage(error)}`);
  }
  let problem: string | undefined;
  if (status === 'STOPPED' || status.endsWith('stopping') || status === 'not found') {
    log.info(`Task ${taskId} is ${status}: nothing to stop.`);
  } else if (inputs.stopOnCancel) {
    const stop = await stopTask({
      ecs,
      cluster,
      taskArn,
      reason: `${ACTION} post step: the main step ended before the task (cancelled or timed out)`,
    });
    if (stop.stopped) log.info(`Stopped task ${taskId} (StopTask; it was ${status}).`);
    else problem = stop.problem;
  } else {
    log.info(`Task ${taskId} is ${status}; stop-on-cancel is false, so it keeps running.`);
  }

  const saved = state.get(STATE.revision);
  if (saved) {
    const facts = JSON.parse(saved) as RevisionFacts;
    const withdrawal = await withdrawRevision({
      ecs,
      facts,
      deregisterOnFailure: inputs.deregisterOnFailure,
    });
    if (withdrawal.note) log.info(withdrawal.note);
  }
  if (problem)
    throw new ActionError(
      'Migration task not stopped',
      problem,
      'Stop the task by hand with the command above, before the next deploy runs its migration.',
    );
}
