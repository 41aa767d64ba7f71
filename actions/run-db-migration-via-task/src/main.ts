/**
 * The migration as one pipeline: read what the service runs and check every input against it →
 * start one task in the service's network → follow its log and status until it stops (or time
 * runs out, or the job is cancelled: then stop it) → judge the exit code → report, and withdraw a
 * register-only revision whose migration failed.
 */
import { createHash } from 'node:crypto';
import * as core from '../../common/src/core.js';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type Task } from '@aws-sdk/client-ecs';
import { createClient, resolveRegion } from '../../common/src/aws-client.js';
import { type ActionContext, createDeadline } from '../../common/src/context.js';
import { ActionError } from '../../common/src/errors.js';
import {
  followLogStream,
  type LogFollower,
  logConsoleUrl,
  logStreamOf,
  taskIdOf,
} from '../../common/src/ecs/log-stream.js';
import { runTagValue } from '../../common/src/ecs/task-definition.js';
import { formatDuration } from '../../common/src/format.js';
import { clientToken, describeRun, runIdentity, startedBy } from '../../common/src/run-identity.js';
import { type FollowEnd, followTask } from './follow.js';
import type { MigrationInputs } from './inputs.js';
import { outcomeOf } from './outcome.js';
import { type MigrationPlan, prepare } from './prepare.js';
import { printLogEvents } from './print.js';
import { type RevisionFacts, withdrawRevision } from './revision.js';
import { displayCommand } from './secrets.js';
import { STATE } from './state.js';
import { runTaskRequest, startTask } from './start-task.js';
import { type StopResult, stopTask } from './stop-task.js';
import { addMigrationSummary } from './summary.js';

export const ACTION = 'run-db-migration-via-task';
/**
 * After a timeout's StopTask, how long the step waits to see the task stop: with StopTask's 4 s
 * and a deregistration's 4 s it stays within runMain's 30 s grace after the deadline.
 */
export const STOP_WAIT_MS = 15_000;

export async function run(context: ActionContext<MigrationInputs>): Promise<void> {
  const { inputs, log, clock } = context;
  const region = resolveRegion(inputs.region, context.env);
  const ecs = createClient(ECSClient, 'ECS', { action: ACTION, region, env: context.env });
  const identity = runIdentity(context.env);
  const command = displayCommand(inputs.command, inputs.secrets);

  const plan = await prepare({
    ecs,
    inputs,
    runTag: runTagValue(identity),
    abortSignal: context.deadline.signal,
  });
  reportPlan(context, plan, command);
  if (context.cancelled.aborted)
    throw new ActionError(
      'Migration cancelled',
      'The job was cancelled before the migration task started; nothing was started.',
    );

  const revision = revisionFacts(plan);
  const summary = { plan, command, secrets: inputs.secrets, region };
  const request = runTaskRequest({
    plan,
    startedBy: startedBy(identity, 'migrate'),
    clientToken: clientToken(identity, tokenPurpose(plan, inputs)),
  });
  const startedAt = clock.now();
  let task: Task;
  try {
    task = await startTask({
      ecs,
      request,
      revision: plan.revision,
      abortSignal: context.deadline.signal,
    });
  } catch (error) {
    const withdrawal = await withdrawRevision({
      ecs,
      facts: revision,
      deregisterOnFailure: inputs.deregisterOnFailure,
    });
    addMigrationSummary({
      ...summary,
      status: 'did not start',
      tail: [],
      succeeded: false,
      revisionNote: withdrawal.note,
    });
    if (withdrawal.note) log.info(withdrawal.note);
    throw withNote(error, withdrawal.note);
  }
  const taskArn = task.taskArn as string;
  const taskId = taskIdOf(taskArn);
  context.state.save(STATE.taskArn, taskArn);
  context.state.save(STATE.cluster, plan.service.clusterArn);
  if (plan.registeredHere) context.state.save(STATE.revision, JSON.stringify(revision));
  core.setOutput('task-arn', taskArn);
  log.info(`Started task ${taskId} (startedBy ${request.startedBy}); following it.`);

  const location = logStreamOf({
    taskDefinition: plan.taskDefinition,
    container: plan.container.name as string,
    taskId,
    region,
  });
  const logUrl = location ? logConsoleUrl(location) : undefined;
  if (logUrl) core.setOutput('log-url', logUrl);
  const follower = location
    ? followLogStream({
        logs: createClient(CloudWatchLogsClient, 'CLOUDWATCH_LOGS', {
          action: ACTION,
          region: location.region,
          env: context.env,
        }),
        location,
        onEvents: (events) => printLogEvents(log, events),
      })
    : undefined;

  let end = await followTask({ ecs, cluster: plan.service.clusterArn, taskArn, follower, context });
  let stop: StopResult | undefined;
  const statusWhenEnded = end.task?.lastStatus;
  if (end.kind === 'cancelled') {
    if (inputs.stopOnCancel) {
      stop = await stopTask({
        ecs,
        cluster: plan.service.clusterArn,
        taskArn,
        reason: `${ACTION}: the job was cancelled (${describeRun(identity)})`,
      });
      log.info(
        stop.stopped
          ? `The job was cancelled: stopped task ${taskId} (StopTask).`
          : `The job was cancelled: ${stop.problem}`,
      );
    } else {
      log.info(`The job was cancelled; stop-on-cancel is false, so task ${taskId} keeps running.`);
    }
  } else if (end.kind === 'timeout') {
    log.info(
      `timeout-minutes (${formatDuration(inputs.timeoutMs)}) ran out: stopping task ${taskId}.`,
    );
    stop = await stopTask({
      ecs,
      cluster: plan.service.clusterArn,
      taskArn,
      reason: `${ACTION}: timeout-minutes (${formatDuration(inputs.timeoutMs)}) ran out (${describeRun(identity)})`,
    });
    if (stop.stopped)
      end = await awaitStop({
        ecs,
        context,
        taskArn,
        cluster: plan.service.clusterArn,
        follower,
        end,
      });
    else log.warning(stop.problem as string, 'Migration task not stopped');
  }

  const outcome = outcomeOf({
    end,
    statusWhenEnded,
    container: plan.container.name as string,
    taskId,
    timeoutMs: inputs.timeoutMs,
    stop,
    stopOnCancel: inputs.stopOnCancel,
  });
  const durationMs = durationOf(end.task, clock.now() - startedAt);
  core.setOutput('exit-code', outcome.exitCode !== undefined ? String(outcome.exitCode) : '');
  core.setOutput('duration-seconds', String(Math.round(durationMs / 1000)));
  if (outcome.succeeded) {
    context.state.save(STATE.settled, 'true');
    log.info(
      `Migration succeeded: task ${taskId} exited with code 0 after ${formatDuration(durationMs)}.`,
    );
    addMigrationSummary({
      ...summary,
      status: outcome.status,
      taskArn,
      durationMs,
      exitCode: 0,
      logUrl,
      tail: follower?.tail() ?? [],
      succeeded: true,
    });
    return;
  }
  const withdrawal = await withdrawRevision({
    ecs,
    facts: revision,
    deregisterOnFailure: inputs.deregisterOnFailure,
  });
  // Settled unless a StopTask failed: then the post step tries again.
  if (!stop || stop.stopped) context.state.save(STATE.settled, 'true');
  if (outcome.explanation && outcome.exitCode === undefined) {
    for (const line of outcome.explanation.lines) log.info(line);
  }
  addMigrationSummary({
    ...summary,
    status: outcome.status,
    taskArn,
    durationMs,
    ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
    logUrl,
    tail: follower?.tail() ?? [],
    succeeded: false,
    revisionNote: withdrawal.note,
  });
  const failure = outcome.failure as NonNullable<typeof outcome.failure>;
  throw new ActionError(
    failure.title,
    withdrawal.note ? `${failure.message}\n${withdrawal.note}` : failure.message,
    failure.hint,
  );
}

function reportPlan(
  context: ActionContext<MigrationInputs>,
  plan: MigrationPlan,
  command: string,
): void {
  const { log } = context;
  const where = plan.placement.describe;
  log.info(`Migration: ${command}`);
  log.info(
    `  service ${plan.service.name} (cluster ${plan.service.clusterName}), task definition ${plan.revision}, container ${plan.container.name}`,
  );
  log.info(`  subnets: ${where.subnets}`);
  log.info(`  security groups: ${where.securityGroups}`);
  log.info(`  public IP: ${where.publicIp}; ${where.capacity}`);
  if (plan.live)
    log.info(
      `  the service runs ${plan.live.revision}; this revision is not live yet${plan.registeredHere ? ' (registered by this run)' : ''}`,
    );
  if (plan.logProblem)
    log.warning(
      `${plan.logProblem}: the migration's output will not be shown here.`,
      'Migration log not followed',
    );
}

/** After a timeout's StopTask: see the task stop (and print its last lines), within a short wait of its own. */
async function awaitStop(options: {
  ecs: ECSClient;
  context: ActionContext<MigrationInputs>;
  taskArn: string;
  cluster: string;
  follower?: LogFollower;
  end: FollowEnd;
}): Promise<FollowEnd> {
  const { context } = options;
  const deadline = createDeadline({ clock: context.clock, budgetMs: STOP_WAIT_MS });
  const after = await followTask({ ...options, context: { ...context, deadline } });
  // Still a timeout, now with the stopped task's facts (its exit code, if SIGTERM ended it).
  return { kind: 'timeout', task: after.task ?? options.end.task };
}

function revisionFacts(plan: MigrationPlan): RevisionFacts {
  const image = plan.container.image;
  return {
    revision: plan.revision,
    registeredHere: plan.registeredHere,
    ...(plan.live ? { live: plan.live } : {}),
    serviceName: plan.service.name,
    taskDefinitionArn: plan.taskDefinition.taskDefinitionArn as string,
    ...(image ? { image } : {}),
  };
}

/**
 * What makes this migration this one within a run attempt: the service, the revision, the
 * container and the command with its environment. The same step asking again gets the same
 * token (and so the task it started); a second, different migration step of the job its own.
 */
function tokenPurpose(plan: MigrationPlan, inputs: MigrationInputs): string {
  const what = createHash('sha256')
    .update(
      JSON.stringify([
        plan.taskDefinition.taskDefinitionArn,
        plan.container.name,
        inputs.command,
        inputs.environment,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return `migrate ${plan.service.name} ${what}`;
}

/** The task's own start-to-stop time when ECS reports it, else the step's. */
function durationOf(task: Task | undefined, measured: number): number {
  const from = task?.startedAt ?? task?.createdAt;
  const to = task?.stoppedAt;
  if (from instanceof Date && to instanceof Date && to >= from)
    return to.getTime() - from.getTime();
  return measured;
}

function withNote(error: unknown, note: string): unknown {
  if (!note || !(error instanceof ActionError)) return error;
  return new ActionError(error.title, `${error.message}\n${note}`, error.hint);
}
