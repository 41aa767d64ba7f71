/**
 * Following the one deployment UpdateService started, until it succeeds or fails, the step's
 * deadline comes, or the job is cancelled: a look every 3–5 s (jittered, so many services'
 * deploys do not poll in step), each new service event printed once, and a progress line whenever
 * the counts or the stage change and at least every 15 s.
 *
 * Which deployment: UpdateService's `currentServiceDeployment`; else the newest of
 * ListServiceDeployments (created since the update) whose target revision runs our task
 * definition. Where those calls are missing (the local AWS), the PRIMARY deployment of
 * DescribeServices by id — see common/src/ecs/deployment-state.ts for the verdicts.
 */
import {
  type Deployment,
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import type { ActionContext } from '../../common/src/context.js';
import type { ServiceDeploymentApi } from '../../common/src/ecs/deployment-api.js';
import {
  describeProgress,
  judgeServiceDeployment,
  judgeServiceDeployments,
  type Verdict,
} from '../../common/src/ecs/deployment-state.js';
import { newestFirstReader } from '../../common/src/event-reader.js';
import { TimeoutError } from '../../common/src/errors.js';
import { formatDuration } from '../../common/src/format.js';

export const POLL_MIN_MS = 3_000;
export const POLL_MAX_MS = 5_000;
export const QUIET_MS = 15_000;
/** Kept back from the deadline for the failure report (stopped tasks, log tails, deregistering). */
export const REPORT_RESERVE_MS = 15_000;
/** ECS and the runner disagree on the time by a little; events and deployments this close before the update count as after it. */
const CLOCK_SKEW_MS = 60_000;

export type FollowOutcome = 'succeeded' | 'failed' | 'timeout' | 'cancelled';

export interface FollowResult {
  outcome: FollowOutcome;
  verdict?: Verdict;
  /** The DescribeServices deployment id (ecs-svc/…), when there is one. */
  deploymentId?: string;
  /** The service deployment ARN, when the service-deployment calls answered. */
  serviceDeploymentArn?: string;
  /** Every service event since the update, oldest first. */
  events: ServiceEvent[];
  /** The service as last described. */
  service?: Service;
  /** How long the wait took. */
  elapsedMs: number;
  /** True when the deployment was followed through DescribeServices only. */
  fallback: boolean;
}

export interface FollowOptions {
  context: ActionContext<unknown>;
  ecs: ECSClient;
  api: ServiceDeploymentApi;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  /** UpdateService's answer. */
  updated: Service;
  /** When UpdateService was called (the action's clock). */
  since: number;
  /** For tests and the benchmark: a number in [0, 1) choosing each interval's jitter. */
  random?: () => number;
}

/** The deployment UpdateService started, among the service's deployments. */
export function startedDeployment(
  service: Service,
  taskDefinitionArn: string,
): Deployment | undefined {
  const primaries = (service.deployments ?? []).filter((d) => d.status === 'PRIMARY');
  // moto keeps one deployment record and only changes the service's taskDefinition, so its
  // PRIMARY still names the old revision: take the PRIMARY one when none names ours.
  return primaries.find((d) => d.taskDefinition === taskDefinitionArn) ?? primaries[0];
}

export async function followDeployment(options: FollowOptions): Promise<FollowResult> {
  const { context, ecs, api, cluster, service, taskDefinitionArn } = options;
  const { clock, log, deadline } = context;
  const random = options.random ?? Math.random;
  const started = clock.now();
  const sinceDate = new Date(options.since - CLOCK_SKEW_MS);
  const deploymentId = startedDeployment(options.updated, taskDefinitionArn)?.id;
  let serviceDeploymentArn = options.updated.currentServiceDeployment;
  const reader = newestFirstReader<ServiceEvent>({
    id: (event) => event.id ?? `${event.createdAt?.toISOString()} ${event.message}`,
    isBefore: (event) => (event.createdAt?.getTime() ?? 0) < sinceDate.getTime(),
  });
  const events: ServiceEvent[] = [];
  let lastLineAt = started;
  let lastState: string | undefined;
  let stateSince = started;
  let saidFallback = false;
  let lastService: Service | undefined;
  let verdict: Verdict | undefined;
  const result = (outcome: FollowOutcome): FollowResult => ({
    outcome,
    ...(verdict ? { verdict } : {}),
    ...(deploymentId ? { deploymentId } : {}),
    ...(serviceDeploymentArn ? { serviceDeploymentArn } : {}),
    events,
    ...(lastService ? { service: lastService } : {}),
    elapsedMs: clock.now() - started,
    fallback: api.available === false || !serviceDeploymentArn,
  });
  const say = (line: string): void => {
    log.info(line);
    lastLineAt = clock.now();
  };

  for (;;) {
    if (context.cancelled.aborted) return result('cancelled');
    try {
      const signal = deadline.signal;
      const described = await ecs.send(
        new DescribeServicesCommand({ cluster, services: [service] }),
        {
          abortSignal: signal,
        },
      );
      lastService = described.services?.[0];
      for (const event of reader.fresh(lastService?.events ?? [])) {
        events.push(event);
        say(`event ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`.trim());
      }
      if (!serviceDeploymentArn && api.available !== false) {
        serviceDeploymentArn = await findServiceDeployment({
          api,
          cluster,
          service,
          since: sinceDate,
          taskDefinitionArn,
          signal,
        });
      }
      const serviceDeployment =
        serviceDeploymentArn && api.available !== false
          ? await api.describe({ arn: serviceDeploymentArn, abortSignal: signal })
          : undefined;
      if (api.available === false && !saidFallback) {
        saidFallback = true;
        say(
          `The service-deployment calls are not available here (${api.unavailableReason ?? 'not implemented'}); following deployment ${deploymentId ?? '(unknown)'} through DescribeServices instead.`,
        );
      }
      if (serviceDeployment) {
        verdict = judgeServiceDeployment(serviceDeployment);
      } else if (lastService && deploymentId) {
        verdict = judgeServiceDeployments({
          service: lastService,
          deploymentId,
          taskDefinitionArn,
        });
      } else {
        verdict = { kind: 'waiting', progress: { status: 'PENDING' } };
      }
    } catch (error) {
      if (deadline.signal.aborted || error instanceof TimeoutError) return result('timeout');
      if (context.cancelled.aborted) return result('cancelled');
      throw error;
    }

    const now = clock.now();
    const state = describeProgress(verdict.progress);
    if (verdict.kind !== 'waiting') {
      say(
        `Deployment ${verdict.kind === 'succeeded' ? 'succeeded' : 'failed'}: ${state}${verdict.kind === 'failed' ? ` — ${verdict.reason}` : ''}`,
      );
      return result(verdict.kind);
    }
    if (state !== lastState) {
      say(`Deployment ${deploymentId ?? serviceDeploymentArn ?? ''}: ${state}`.replace(/ +:/, ':'));
      if (verdict.progress.pausedHook)
        say(pausedHookAdvice(verdict.progress.pausedHook, serviceDeploymentArn));
      lastState = state;
      stateSince = now;
    } else if (now - lastLineAt >= QUIET_MS) {
      say(
        `Deployment still ${state} for ${formatDuration(now - stateSince)}; ${formatDuration(Math.max(0, deadline.remainingMs() - REPORT_RESERVE_MS))} left before timeout-minutes`,
      );
    }
    const left = deadline.remainingMs() - REPORT_RESERVE_MS;
    if (left <= 0) return result('timeout');
    const interval = POLL_MIN_MS + Math.floor(random() * (POLL_MAX_MS - POLL_MIN_MS));
    const wait = Math.max(0, Math.min(interval, left, lastLineAt + QUIET_MS - now));
    await sleepUnlessCancelled(context, wait);
  }
}

async function findServiceDeployment(options: {
  api: ServiceDeploymentApi;
  cluster: string;
  service: string;
  since: Date;
  taskDefinitionArn: string;
  signal: AbortSignal;
}): Promise<string | undefined> {
  const briefs = await options.api.list({
    cluster: options.cluster,
    service: options.service,
    since: options.since,
    abortSignal: options.signal,
  });
  if (!briefs || briefs.length === 0) return undefined;
  const targets = await options.api.taskDefinitionsOf({
    revisionArns: briefs.flatMap((b) =>
      b.targetServiceRevisionArn ? [b.targetServiceRevisionArn] : [],
    ),
    abortSignal: options.signal,
  });
  const matching = briefs.find(
    (brief) =>
      brief.targetServiceRevisionArn &&
      targets.get(brief.targetServiceRevisionArn) === options.taskDefinitionArn,
  );
  // Without DescribeServiceRevisions (not allowed to the role) the newest one since the update is ours.
  return (matching ?? (targets.size === 0 ? briefs[0] : undefined))?.serviceDeploymentArn;
}

function pausedHookAdvice(
  hook: NonNullable<Verdict['progress']['pausedHook']>,
  serviceDeploymentArn: string | undefined,
): string {
  const until = hook.expiresAt
    ? ` It times out at ${hook.expiresAt.toISOString()} and then ECS will ${hook.timeoutAction === 'ROLLBACK' ? 'roll back' : 'continue'}.`
    : '';
  return (
    `The deployment is paused at a lifecycle hook${hook.hookId ? ` (${hook.hookId})` : ''}: check the new revision (its test traffic), then continue it or roll it back in the ECS console's deployment page` +
    `${serviceDeploymentArn ? ` or with aws ecs continue-service-deployment --service-deployment-arn ${serviceDeploymentArn}${hook.hookId ? ` --hook-id ${hook.hookId}` : ''}` : ''}. This action waits and never continues it by itself.${until}`
  );
}

/** Sleeps, but wakes at once when the job is cancelled. */
async function sleepUnlessCancelled(context: ActionContext<unknown>, ms: number): Promise<void> {
  if (context.cancelled.aborted) return;
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<void>((resolve) => {
    onAbort = resolve;
    context.cancelled.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([context.clock.sleep(ms), cancelled]);
  } finally {
    if (onAbort) context.cancelled.removeEventListener('abort', onAbort);
  }
}
