/**
 * deploy-ecs-service: check → heal the drift-trap invariant → plan the revision → register →
 * roll → follow the one deployment → report. On a failed or timed-out rollout the revision this
 * run registered is deregistered before the step fails, so the family's newest ACTIVE revision is
 * again the one the service runs.
 */
import * as core from '../../common/src/core.js';
import { type Service, type TaskDefinition, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ActionContext } from '../../common/src/context.js';
import { serviceDeploymentApi } from '../../common/src/ecs/deployment-api.js';
import { describeProgress, revisionName } from '../../common/src/ecs/deployment-state.js';
import {
  deregisterRevision,
  registeredByRun,
  registerRevision,
  runTagValue,
} from '../../common/src/ecs/task-definition.js';
import { ActionError, errorMessage, TimeoutError } from '../../common/src/errors.js';
import { formatDuration } from '../../common/src/format.js';
import { runIdentity } from '../../common/src/run-identity.js';
import { type Clients, createClients } from './clients.js';
import { BOOTSTRAP_DROPPED, revisionDiff } from './derive.js';
import { explainFailure, failureHint } from './diagnose.js';
import { type FollowResult, followDeployment, startedDeployment } from './follow.js';
import { healInvariant } from './heal.js';
import type { DeployInputs } from './inputs.js';
import { planRevision, type RevisionPlan } from './plan.js';
import { prepare, type Prepared } from './prepare.js';
import {
  reportEvents,
  reportFailureDetails,
  reportRevision,
  revisionConsoleUrl,
  serviceConsoleUrl,
} from './summary.js';

export const ACTION = 'deploy-ecs-service';

export interface RunOptions {
  /** Clients to use instead of the factory's (the benchmark points them at scripted answers). */
  clients?: Clients;
  /** The jitter source of the poll interval (tests, benchmark). */
  random?: () => number;
}

export async function run(
  context: ActionContext<DeployInputs>,
  options: RunOptions = {},
): Promise<void> {
  const { inputs, log } = context;
  const clients =
    options.clients ??
    createClients({ action: context.action, region: inputs.region, env: context.env });
  const identity = runIdentity(context.env);
  const runTag = runTagValue(identity);
  const abortSignal = context.deadline.signal;

  // 1. Check everything before changing anything.
  const prepared = await prepare({ context, clients, identity, runTag });
  const { live, service } = prepared;
  log.info(
    `Service ${service.name} in cluster ${service.clusterName} runs ${revisionName(live.arn)}${live.active ? '' : ' (INACTIVE)'}.`,
  );

  // 2. Heal the invariant an earlier failed run may have broken.
  const heal = await healInvariant({
    ecs: clients.ecs,
    liveArn: live.arn,
    ...(prepared.requested ? { requestedArn: prepared.requested.arn } : {}),
    runTag,
    log,
    abortSignal,
  });

  // 3. Plan, 4. register.
  const plan = planRevision({
    live,
    ...(heal.newest ? { newest: heal.newest } : {}),
    runTag,
    ...(prepared.derived ? { derived: prepared.derived } : {}),
    ...(prepared.requested
      ? { requested: prepared.requested, requestedRequest: prepared.requestedRequest }
      : {}),
  });
  const target = await applyPlan({ plan, prepared, heal, clients, context });
  const ownRevision =
    target.registered || (plan.kind === 'existing' && registeredByRun(target.tags) === runTag);

  const image =
    target.definition.containerDefinitions?.find((c) => c.name === prepared.container)?.image ?? '';
  core.setOutput('task-definition-arn', target.arn);
  core.setOutput('previous-task-definition-arn', live.arn);
  core.setOutput('registered', String(target.registered));
  core.setOutput('image', image);
  const region = clients.region;
  const diff = revisionDiff({
    before: live.definition,
    after: target.definition,
    container: prepared.container,
  });
  const facts: Record<string, string | undefined> = {
    Service: `${service.name} (cluster ${service.clusterName})`,
    Revision:
      target.arn === live.arn
        ? `${revisionName(live.arn)} (unchanged)`
        : `${revisionName(live.arn)} → ${revisionName(target.arn)}${target.registered ? ' (registered by this run)' : ''}`,
    Why: plan.why,
    Image:
      diff.imageBefore === diff.imageAfter
        ? image
        : `${diff.imageBefore ?? ''} → ${diff.imageAfter ?? ''}`,
    'Image tag': prepared.origin.imageTag,
    Release: prepared.origin.release,
    'First release': prepared.bootstrapDropped ? BOOTSTRAP_DROPPED : undefined,
    'Deregistered leftovers': heal.deregistered.map(revisionName).join(', ') || undefined,
    'Service console': serviceConsoleUrl(region, service.clusterName, service.name),
    'Revision console': revisionConsoleUrl(region, target.arn),
  };

  // 5. register-only: the migration step runs the revision; the deploy step rolls it.
  if (inputs.registerOnly) {
    log.info(
      `register-only: the service stays on ${revisionName(live.arn)}; ${revisionName(target.arn)} is the revision to migrate with and deploy.`,
    );
    core.setOutput('deployment-id', '');
    reportRevision({
      log,
      heading: `Registered ${revisionName(target.arn)} (register-only)`,
      facts,
      diff,
    });
    return;
  }
  if (plan.kind === 'unchanged' && !inputs.forceNewDeployment) {
    log.info(
      `Nothing to deploy: ${plan.why}. Set force-new-deployment to restart the tasks anyway.`,
    );
    core.setOutput('deployment-id', service.primary?.id ?? '');
    reportRevision({
      log,
      heading: `No change: ${service.name} already runs ${revisionName(live.arn)}`,
      facts,
      diff,
    });
    return;
  }

  // 6. Roll.
  const since = context.clock.now();
  let updated: Service;
  try {
    const answer = await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: inputs.cluster,
        service: service.name,
        taskDefinition: target.arn,
        ...(inputs.forceNewDeployment ? { forceNewDeployment: true } : {}),
      }),
      { abortSignal },
    );
    updated = answer.service ?? service.service;
  } catch (error) {
    // Never live: the service did not take the update.
    const note = ownRevision ? await deregister({ clients, arn: target.arn, log }) : '';
    throw new ActionError(
      `UpdateService failed: ${service.name}`,
      `ECS refused to update service ${service.name} to ${revisionName(target.arn)}: ${errorMessage(error)}${note ? ` ${note}` : ''}`,
      'The message above names what ECS refused; the service still runs the revision it ran before.',
    );
  }
  const deploymentId = startedDeployment(updated, target.arn)?.id ?? '';
  core.setOutput('deployment-id', deploymentId);
  facts.Deployment = deploymentId || updated.currentServiceDeployment;
  log.info(
    `Updated service ${service.name} to ${revisionName(target.arn)}: deployment ${deploymentId || updated.currentServiceDeployment || '(id not returned)'}.`,
  );
  if (!inputs.wait) {
    log.info(
      `wait is false: not following the deployment. Watch it at ${serviceConsoleUrl(region, service.clusterName, service.name)}`,
    );
    reportRevision({
      log,
      heading: `Rolling ${service.name} to ${revisionName(target.arn)} (not waited for)`,
      facts,
      diff,
    });
    return;
  }

  // 7. Follow the one deployment.
  const followed = await followDeployment({
    context,
    ecs: clients.ecs,
    api: serviceDeploymentApi(clients.ecsProbe),
    cluster: inputs.cluster,
    service: service.name,
    taskDefinitionArn: target.arn,
    updated,
    since,
    ...(options.random ? { random: options.random } : {}),
  });
  if (followed.serviceDeploymentArn) {
    core.setOutput(
      'deployment-id',
      deploymentId ||
        followed.serviceDeploymentArn.slice(followed.serviceDeploymentArn.lastIndexOf('/') + 1),
    );
    facts['Service deployment'] = followed.serviceDeploymentArn;
  }
  facts.Waited = formatDuration(followed.elapsedMs);

  // 8. Report.
  if (followed.outcome === 'succeeded') {
    facts.Outcome = `succeeded (${describeProgress(followed.verdict!.progress)})`;
    reportRevision({
      log,
      heading: `Deployed ${revisionName(target.arn)} to ${service.name}`,
      facts,
      diff,
    });
    reportEvents(followed.events);
    return;
  }
  if (followed.outcome === 'cancelled') {
    const watch = serviceConsoleUrl(region, service.clusterName, service.name);
    const message = `The job was cancelled while waiting. The deployment of ${revisionName(target.arn)} goes on in ECS (nothing was rolled back); watch it at ${watch}`;
    log.info(message);
    facts.Outcome = 'cancelled while waiting; the deployment goes on in ECS';
    reportRevision({
      log,
      heading: `Cancelled while rolling ${service.name} to ${revisionName(target.arn)}`,
      facts,
      diff,
    });
    reportEvents(followed.events);
    throw new ActionError(
      'Cancelled while waiting for the deployment',
      message,
      `Watch the deployment in the console; run this step again to follow a new one. If it fails, ECS's circuit breaker rolls back and the next run deregisters ${revisionName(target.arn)}.`,
    );
  }
  await reportFailure({
    followed,
    target,
    prepared,
    clients,
    context,
    facts,
    diff,
    ownRevision,
    since,
  });
}

interface Target {
  arn: string;
  definition: TaskDefinition;
  tags: { key?: string; value?: string }[];
  registered: boolean;
}

async function applyPlan(options: {
  plan: RevisionPlan;
  prepared: Prepared;
  heal: Awaited<ReturnType<typeof healInvariant>>;
  clients: Clients;
  context: ActionContext<DeployInputs>;
}): Promise<Target> {
  const { plan, prepared, heal, clients, context } = options;
  const { live } = prepared;
  if (plan.kind === 'unchanged') {
    context.log.info(`No new revision: ${plan.why}.`);
    return {
      arn: live.arn,
      definition: live.definition,
      tags: prepared.liveTags,
      registered: false,
    };
  }
  if (plan.kind === 'existing') {
    context.log.info(`Deploying ${revisionName(plan.arn)}: ${plan.why}.`);
    const existing = prepared.requested?.arn === plan.arn ? prepared.requested : heal.newest;
    return {
      arn: plan.arn,
      definition: existing!.definition,
      tags: existing!.tags,
      registered: false,
    };
  }
  const registered = await registerRevision({
    ecs: clients.ecs,
    request: plan.request,
    abortSignal: context.deadline.signal,
  });
  const arn = registered.taskDefinition.taskDefinitionArn as string;
  context.log.info(`Registered ${revisionName(arn)}: ${plan.why}.`);
  return { arn, definition: registered.taskDefinition, tags: registered.tags, registered: true };
}

async function deregister(options: {
  clients: Clients;
  arn: string;
  log: ActionContext<unknown>['log'];
}): Promise<string> {
  try {
    await deregisterRevision({ ecs: options.clients.ecs, taskDefinitionArn: options.arn });
    const note = `Deregistered ${revisionName(options.arn)}, which did not go live, so a stack update cannot roll the service to it.`;
    options.log.info(note);
    return note;
  } catch (error) {
    const note = `Could not deregister ${revisionName(options.arn)} (${errorMessage(error)}): deregister it by hand (aws ecs deregister-task-definition --task-definition ${options.arn}), or the next run of this action will.`;
    options.log.warning(note, 'Revision left ACTIVE');
    return note;
  }
}

async function reportFailure(options: {
  followed: FollowResult;
  target: Target;
  prepared: Prepared;
  clients: Clients;
  context: ActionContext<DeployInputs>;
  facts: Record<string, string | undefined>;
  diff: ReturnType<typeof revisionDiff>;
  ownRevision: boolean;
  since: number;
}): Promise<never> {
  const { followed, target, prepared, clients, context, facts, diff } = options;
  const { log } = context;
  const serviceName = prepared.service.name;
  const report = await explainFailure({
    ecs: clients.ecs,
    elb: clients.elb,
    logs: clients.logs,
    region: clients.region,
    cluster: context.inputs.cluster,
    service: followed.service ?? prepared.service.service,
    taskDefinition: target.definition,
    container: prepared.container,
    since: options.since,
  });
  const note = options.ownRevision ? await deregister({ clients, arn: target.arn, log }) : '';
  const verdict = followed.verdict;
  let rollbackTo = verdict?.kind === 'failed' ? verdict.revertedTo : undefined;
  if (!rollbackTo && verdict?.kind === 'failed' && verdict.rollbackRevisionArn) {
    const api = serviceDeploymentApi(clients.ecsProbe);
    rollbackTo = (
      await api
        .taskDefinitionsOf({ revisionArns: [verdict.rollbackRevisionArn] })
        .catch(() => undefined)
    )?.get(verdict.rollbackRevisionArn);
  }
  const firstTask = report.stoppedTasks[0]?.explanation.headline;
  const what =
    `deployment ${followed.deploymentId ?? followed.serviceDeploymentArn ?? ''} of ${serviceName} to ${revisionName(target.arn)}`.replace(
      '  ',
      ' ',
    );
  facts.Outcome =
    followed.outcome === 'timeout'
      ? 'timed out'
      : `failed: ${verdict?.kind === 'failed' ? verdict.reason : 'unknown'}`;
  reportRevision({
    log,
    heading: `Failed to deploy ${revisionName(target.arn)} to ${serviceName}`,
    facts,
    diff,
  });
  reportEvents(followed.events);
  reportFailureDetails(report, log);
  const taskWords = firstTask ? ` First stopped task: ${firstTask}.` : '';
  if (followed.outcome === 'timeout') {
    throw new TimeoutError(
      `Gave up waiting for the ${what} after ${formatDuration(followed.elapsedMs)} (timeout-minutes ${formatDuration(context.deadline.budgetMs)}); last state: ${verdict ? describeProgress(verdict.progress) : 'unknown'}.${taskWords} ${note} The deployment may go on in ECS: if it still completes, the service runs a deregistered revision, and the next run of this action registers its content again as the newest.`.trim(),
    );
  }
  const reason = verdict?.kind === 'failed' ? verdict.reason : 'the deployment failed';
  throw new ActionError(
    `Deployment failed: ${serviceName}`,
    `The ${what} failed: ${reason}.${rollbackTo ? ` ECS rolls the service back to ${revisionName(rollbackTo)}.` : ''}${taskWords}${note ? ` ${note}` : ''}`,
    failureHint(report) ??
      'The service events, the stopped tasks and their log tails in the job summary say what went wrong.',
  );
}
