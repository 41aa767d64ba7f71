/**
 * The tunnel, as its steps: who am I → the environment's stacks → the service and its revision →
 * preflight → (print the plan | start the task → wait for its agent → session → stop the task).
 */
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeService, nameOf } from '../../../actions/common/src/ecs/service.js';
import {
  type TaskPlacement,
  taskPlacementFromService,
} from '../../../actions/common/src/ecs/network.js';
import { ActionError, errorMessage } from '../../../actions/common/src/errors.js';
import { formatDuration } from '../../../actions/common/src/format.js';
import type { TunnelArguments } from './args.js';
import { type Clients, createClients, destroyClients, resolveRegion } from './aws.js';
import { failedChecks, formatChecks } from './checks.js';
import { readEnvironment, type TunnelEnvironment } from './environment.js';
import {
  abortableSleep,
  InterruptedError,
  listenForInterrupt,
  signalExitCode,
  type SignalSource,
} from './interrupt.js';
import { preflight } from './preflight.js';
import { formatReport } from './report.js';
import { explainSessionFailure } from './session-failures.js';
import { startSessionProcess } from './session-process.js';
import { shellLine, startSessionArgv } from './session.js';
import { revisionOf, tunnelContainer, tunnelStartedBy, tunnelTaskRequest } from './tunnel-task.js';
import { waitForTarget } from './wait-for-target.js';
import { workbenchSettings } from './workbench.js';

export interface Terminal {
  out(line: string): void;
  err(line: string): void;
  /** The session's stderr, echoed as it comes. */
  errRaw(chunk: Buffer): void;
}

export interface TunnelDependencies {
  env: NodeJS.ProcessEnv;
  terminal: Terminal;
  signals: SignalSource;
  /** Leaves at once (a second Ctrl-C while the task is being stopped). */
  exit: (code: number) => never;
  now?: () => number;
}

export async function runTunnel(args: TunnelArguments, deps: TunnelDependencies): Promise<number> {
  const { terminal } = deps;
  const region = await resolveRegion({ region: args.region, profile: args.profile, env: deps.env });
  const clients = createClients({ region, profile: args.profile, env: deps.env });
  try {
    const caller = await clients.sts.send(new GetCallerIdentityCommand({}));
    const account = caller.Account ?? 'unknown';
    terminal.out(`AWS account ${account} as ${caller.Arn}, region ${region}.`);

    const environment = await readEnvironment({
      cloudformation: clients.cloudformation,
      environment: args.environment,
      user: args.user,
      where: `account ${account}, region ${region}`,
    });
    const plan = await planTunnel({ args, clients, environment, callerArn: caller.Arn ?? '' });
    terminal.out(
      `Service ${plan.service} in cluster ${plan.cluster} runs ${plan.revision}; the tunnel goes through container ${plan.container} to ${environment.writerEndpoint}:${environment.port}.`,
    );

    const checks = await preflight({
      clients,
      env: deps.env,
      region,
      localPort: args.localPort,
      container: plan.containerDefinition,
      taskRoleArn: plan.taskRoleArn,
      placement: plan.placement,
    });
    terminal.out('Preflight:');
    for (const line of formatChecks(checks)) terminal.out(line);
    const failed = failedChecks(checks);

    if (args.print) {
      printPlan({ terminal, plan, environment, args, region });
      return failed.length > 0 ? 1 : 0;
    }
    if (failed.length > 0) {
      terminal.err(
        `Nothing was started: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (the Fix lines above).`,
      );
      return 1;
    }
    return await openTunnel({ deps, clients, plan, environment, args, region });
  } finally {
    destroyClients(clients);
  }
}

interface TunnelPlan {
  cluster: string;
  service: string;
  revision: string;
  container: string;
  containerDefinition: ContainerDefinition;
  taskRoleArn?: string;
  placement: TaskPlacement;
  request: RunTaskCommandInput;
  startedBy: string;
}

/** The service's current revision and network, and the RunTask request for the tunnel task. */
async function planTunnel(options: {
  args: TunnelArguments;
  clients: Clients;
  environment: TunnelEnvironment;
  callerArn: string;
}): Promise<TunnelPlan> {
  const { args, clients, environment } = options;
  const service = await describeService({
    ecs: clients.ecs,
    cluster: environment.cluster,
    service: environment.service,
    inputNames: {
      cluster: `${environment.appStack} output ClusterName`,
      service: `${environment.appStack} output ServiceName`,
    },
  });
  const { taskDefinition } = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinitionArn }),
  );
  if (!taskDefinition) {
    throw new ActionError(
      'No task definition',
      `Service ${service.name} names ${service.taskDefinitionArn}, which DescribeTaskDefinition does not know.`,
    );
  }
  const container = tunnelContainer({
    taskDefinition,
    ...(args.container || environment.container
      ? { wanted: args.container ?? environment.container }
      : {}),
  });
  const placement = taskPlacementFromService(service.service, {
    ...(taskDefinition.networkMode ? { taskNetworkMode: taskDefinition.networkMode } : {}),
  });
  const startedBy = tunnelStartedBy(options.callerArn);
  return {
    cluster: service.clusterName,
    service: service.name,
    revision: revisionOf(taskDefinition),
    container: container.name ?? '',
    containerDefinition: container,
    ...(taskDefinition.taskRoleArn ? { taskRoleArn: taskDefinition.taskRoleArn } : {}),
    placement,
    startedBy,
    request: tunnelTaskRequest({
      cluster: service.clusterArn,
      taskDefinitionArn: taskDefinition.taskDefinitionArn ?? service.taskDefinitionArn,
      container: container.name ?? '',
      placement,
      ttlMs: args.ttlMs,
      startedBy,
    }),
  };
}

function printPlan(options: {
  terminal: Terminal;
  plan: TunnelPlan;
  environment: TunnelEnvironment;
  args: TunnelArguments;
  region: string;
}): void {
  const { terminal, plan, environment, args, region } = options;
  const profile = args.profile ? ['--profile', args.profile] : [];
  terminal.out('');
  terminal.out(
    `The tunnel task it would start (--print starts nothing), lives at most ${formatDuration(args.ttlMs)}:`,
  );
  terminal.out(
    `  ${shellLine(['aws', 'ecs', 'run-task', '--cli-input-json', JSON.stringify(plan.request), '--region', region, ...profile])}`,
  );
  terminal.out(
    `Once it is RUNNING with its ExecuteCommandAgent RUNNING, the runtime id of container ${plan.container}:`,
  );
  terminal.out(
    `  ${shellLine(['aws', 'ecs', 'describe-tasks', '--cluster', plan.cluster, '--tasks', '<task-id>', '--query', `tasks[0].containers[?name=='${plan.container}'].runtimeId`, '--output', 'text', '--region', region, ...profile])}`,
  );
  terminal.out('The session it would run:');
  const argv = startSessionArgv({
    target: `ecs:${plan.cluster}_<task-id>_<runtime-id>`,
    host: environment.writerEndpoint,
    remotePort: environment.port,
    localPort: args.localPort,
    region,
    ...(args.profile ? { profile: args.profile } : {}),
    reason: `db-tunnel ${environment.name} by ${plan.startedBy}`,
  });
  terminal.out(`  ${shellLine(['aws', ...argv])}`);
  terminal.out('');
  for (const line of workbenchSettings({
    environment,
    localPort: args.localPort,
    region,
    profile: args.profile,
  })) {
    terminal.out(line);
  }
}

/** Starts the task, waits for its agent, runs the session, and stops the task whatever happens. */
async function openTunnel(options: {
  deps: TunnelDependencies;
  clients: Clients;
  plan: TunnelPlan;
  environment: TunnelEnvironment;
  args: TunnelArguments;
  region: string;
}): Promise<number> {
  const { deps, clients, plan, environment, args, region } = options;
  const { terminal } = deps;
  const now = deps.now ?? Date.now;
  const interrupt = listenForInterrupt(deps.signals);
  let taskArn: string | undefined;
  interrupt.onSecondSignal(() => {
    terminal.err(
      taskArn
        ? `Interrupted again: not waiting. The task ends itself by ${clockTime(now() + args.ttlMs)}, or stop it now: ${stopCommand(plan.cluster, taskArn, region, args.profile)}`
        : 'Interrupted again.',
    );
    deps.exit(130);
  });
  try {
    const started = await clients.ecs.send(new RunTaskCommand(plan.request));
    taskArn = started.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const failure = started.failures?.[0];
      throw new ActionError(
        'ECS did not start the tunnel task',
        `RunTask answered ${failure ? `${failure.reason}${failure.detail ? ` (${failure.detail})` : ''}` : 'no task'}.`,
        'Run again in a minute; if it persists, the reason above names what is missing (capacity, an inactive revision).',
      );
    }
    terminal.out(
      `Started tunnel task ${nameOf(taskArn)} (startedBy ${plan.startedBy}); it ends itself by ${clockTime(now() + args.ttlMs)} (--ttl ${formatDuration(args.ttlMs)}).`,
    );
    const ready = await waitForTarget({
      ecs: clients.ecs,
      cluster: plan.cluster,
      taskArn,
      container: plan.container,
      timeoutMs: args.startTimeoutMs,
      log: (line) => terminal.out(line),
      signal: interrupt.signal,
      sleep: abortableSleep(interrupt.signal),
    });
    terminal.out(`Tunnel task ready: target ${ready.target}.`);
    terminal.out('');
    for (const line of workbenchSettings({
      environment,
      localPort: args.localPort,
      region,
      profile: args.profile,
    })) {
      terminal.out(line);
    }
    terminal.out('');
    terminal.out(
      `Opening 127.0.0.1:${args.localPort} → ${environment.writerEndpoint}:${environment.port}. Ctrl-C closes the tunnel and stops the task.`,
    );

    const session = startSessionProcess({
      command: 'aws',
      argv: startSessionArgv({
        target: ready.target,
        host: environment.writerEndpoint,
        remotePort: environment.port,
        localPort: args.localPort,
        region,
        ...(args.profile ? { profile: args.profile } : {}),
        reason: `db-tunnel ${environment.name} by ${plan.startedBy}`,
      }),
      env: deps.env,
      echo: (chunk) => terminal.errRaw(chunk),
    });
    interrupt.onSignal((signal) => session.kill(signal));
    const outcome = await session.done;
    const signal = interrupt.received();
    if (signal) return signalExitCode(signal);
    if (outcome.code === 0) {
      terminal.out(
        'The session ended (Session Manager closes idle sessions after its idle timeout, 20 minutes by default). Run db-tunnel again to reconnect.',
      );
      return 0;
    }
    const failure = explainSessionFailure(outcome.stderr);
    for (const line of formatReport({
      title:
        failure?.title ??
        `aws ssm start-session failed (exit code ${outcome.code ?? outcome.signal})`,
      message: 'The lines above are what the AWS CLI and the Session Manager plugin said.',
      ...(failure ? { hint: failure.hint } : {}),
    })) {
      terminal.err(line);
    }
    return 1;
  } catch (error) {
    const signal = interrupt.received();
    if (signal && (error instanceof InterruptedError || interrupt.signal.aborted)) {
      return signalExitCode(signal);
    }
    throw error;
  } finally {
    if (taskArn) await stopTunnelTask({ clients, terminal, plan, taskArn, region, args });
    interrupt.dispose();
  }
}

async function stopTunnelTask(options: {
  clients: Clients;
  terminal: Terminal;
  plan: TunnelPlan;
  taskArn: string;
  region: string;
  args: TunnelArguments;
}): Promise<void> {
  const { clients, terminal, plan, taskArn } = options;
  try {
    await clients.ecs.send(
      new StopTaskCommand({
        cluster: plan.cluster,
        task: taskArn,
        reason: `db-tunnel: session ended (${plan.startedBy})`,
      }),
      { abortSignal: AbortSignal.timeout(20_000) },
    );
    terminal.out(`Stopped tunnel task ${nameOf(taskArn)}.`);
  } catch (error) {
    terminal.err(
      `Could not stop tunnel task ${nameOf(taskArn)} (${errorMessage(error)}); it ends itself at its TTL, or stop it: ${stopCommand(plan.cluster, taskArn, options.region, options.args.profile)}`,
    );
  }
}

function stopCommand(cluster: string, taskArn: string, region: string, profile?: string): string {
  return shellLine([
    'aws',
    'ecs',
    'stop-task',
    '--cluster',
    cluster,
    '--task',
    nameOf(taskArn),
    '--region',
    region,
    ...(profile ? ['--profile', profile] : []),
  ]);
}

function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 5);
}
