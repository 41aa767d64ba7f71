// moto runs no containers. The stand-ins run them on this machine instead: they watch the local
// ECS and, for each task started with RunTask (the migration), run its container's command with
// the revision's environment, write its output to the task's CloudWatch log stream (where the
// action reads it, as on AWS) and stop the task with the command's exit code; for the service,
// they run the revision the service names as a local process and roll to each new revision once
// it answers its health check. Each stand-in is announced in one line.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { freePort } from '../../test-support/moto-server.mjs';

/**
 * @typedef {{ workdir: string, env: Record<string, string>, cmd: string[], commit: string }} LocalImage
 * @typedef {{
 *   aws: ReturnType<typeof import('./aws-clients.mjs').awsClients>,
 *   cluster: string,
 *   service: string,
 *   images: Map<string, LocalImage>,
 *   exits: { setExit: (taskArn: string, exit: { container: string, exitCode: number }) => void },
 *   environment: (env: Record<string, string>) => { env: Record<string, string>, changed: string[] },
 *   announce: (line: string) => void,
 * }} StandInOptions
 */

/** @param {StandInOptions} options */
export function startStandIns(options) {
  const { aws, cluster, service, announce } = options;
  const seenTasks = new Set();
  /** @type {{ revision: string, process: LocalProcess, url: string } | undefined} */
  let live;
  /** @type {string | undefined} */
  let rolling;
  const running = /** @type {Set<Promise<unknown>>} */ (new Set());
  let stopped = false;
  let problem = /** @type {Error | undefined} */ (undefined);

  const track = (/** @type {Promise<unknown>} */ work) => {
    const tracked = work.catch((error) => {
      problem ??= error;
      announce(`stand-in failed: ${error.message}`);
    });
    running.add(tracked);
    tracked.finally(() => running.delete(tracked));
  };

  const tick = async () => {
    const listed = await aws.ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }));
    const fresh = (listed.taskArns ?? []).filter((arn) => !seenTasks.has(arn));
    if (fresh.length > 0) {
      const { tasks = [] } = await aws.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: fresh }),
      );
      for (const task of tasks) {
        seenTasks.add(task.taskArn);
        if (task.group?.startsWith('service:')) continue;
        track(runTask(task));
      }
    }
    const described = await aws.ecs.send(
      new DescribeServicesCommand({ cluster, services: [service] }),
    );
    const revision = described.services?.[0]?.taskDefinition;
    if (revision && revision !== live?.revision && revision !== rolling) {
      rolling = revision;
      track(rollTo(revision).finally(() => (rolling = undefined)));
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await tick();
      } catch (error) {
        if (!stopped)
          announce(
            `stand-ins: reading the local ECS failed (${/** @type {Error} */ (error).message}); trying again`,
          );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  /** The container a task runs, how, and where its log goes. */
  async function containerOf(
    /** @type {string} */ taskDefinitionArn,
    /** @type {string | undefined} */ name,
  ) {
    const { taskDefinition } = await aws.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
    );
    const containers = taskDefinition?.containerDefinitions ?? [];
    const container =
      containers.find((candidate) => candidate.name === name) ??
      containers.find((candidate) => candidate.essential !== false) ??
      containers[0];
    if (!taskDefinition || !container) throw new Error(`${taskDefinitionArn} has no container`);
    const image = options.images.get(String(container.image));
    const logOptions = container.logConfiguration?.options ?? {};
    return { taskDefinition, container, image, logOptions };
  }

  /** @param {import('@aws-sdk/client-ecs').Task} task */
  async function runTask(task) {
    const taskArn = /** @type {string} */ (task.taskArn);
    const taskId = taskArn.split('/').pop() ?? taskArn;
    const override = task.overrides?.containerOverrides?.[0];
    const { taskDefinition, container, image, logOptions } = await containerOf(
      /** @type {string} */ (task.taskDefinitionArn),
      override?.name,
    );
    const command = override?.command ?? container.command ?? image?.cmd ?? [];
    const base = {
      ...(image?.env ?? {}),
      ...pairs(container.environment),
      ...pairs(override?.environment),
    };
    const { env, changed } = options.environment(base);
    const stream = `${logOptions['awslogs-stream-prefix']}/${container.name}/${taskId}`;
    announce(
      `stand-in: task ${taskId} of ${taskDefinition.family}:${taskDefinition.revision} runs \`${command.join(' ')}\` on this machine` +
        ` (in ${image ? path.relative(process.cwd(), image.workdir) || '.' : 'a temporary folder'}, the revision's environment${changed.length ? `; ${changed.join(', ')} changed for this machine` : ''}), its output to log stream ${stream}`,
    );
    const log = await logWriter({ aws, group: logOptions['awslogs-group'], stream });
    const child = runLocal({ command, env, cwd: image?.workdir, onLine: log.write });
    const exitCode = await child.exited;
    await log.close();
    options.exits.setExit(taskArn, { container: /** @type {string} */ (container.name), exitCode });
    await aws.ecs.send(
      new StopTaskCommand({ cluster, task: taskArn, reason: 'Essential container in task exited' }),
    );
    announce(
      `stand-in: task ${taskId} exited with code ${exitCode}; stopped it in the local ECS with that exit code`,
    );
  }

  async function rollTo(/** @type {string} */ revision) {
    const { taskDefinition, container, image, logOptions } = await containerOf(revision, undefined);
    let command = container.command ?? image?.cmd ?? [];
    if (image && container.command && (await keepsBootstrapCommand(taskDefinition, container))) {
      // app.yaml's bootstrap server exits 1 in any other image (it reads the task metadata).
      announce(
        `⚠ ${taskDefinition.family}:${taskDefinition.revision} keeps the bootstrap revision's command with image ${image.commit.slice(0, 12)} (deploy-ecs-service does not drop it yet, requests-demo.md 3): on AWS its tasks would exit 1; the stand-in runs the image's own CMD ${JSON.stringify(image.cmd)} instead`,
      );
      command = image.cmd;
    }
    const port = await freePort();
    const { env, changed } = options.environment({
      ...(image?.env ?? {}),
      ...pairs(container.environment),
      PORT: String(port),
    });
    const taskId = randomUUID().replace(/-/g, '');
    const stream = `${logOptions['awslogs-stream-prefix']}/${container.name}/${taskId}`;
    const label = `${taskDefinition.family}:${taskDefinition.revision}`;
    announce(
      `stand-in: service ${service} runs ${label} as a local process: \`${command.join(' ').slice(0, 60)}${command.join(' ').length > 60 ? '…' : ''}\`` +
        ` on 127.0.0.1:${port}${image ? ` (image ${image.commit.slice(0, 12)}, built here)` : ` (image ${container.image}: its command runs with this machine's node)`}` +
        `${changed.length ? `; ${changed.join(', ')} changed for this machine` : ''}; output to log stream ${stream}`,
    );
    const log = await logWriter({ aws, group: logOptions['awslogs-group'], stream });
    const child = runLocal({ command, env, cwd: image?.workdir, onLine: log.write });
    const url = `http://127.0.0.1:${port}`;
    const healthy = await healthCheck({ url, child });
    if (!healthy) {
      child.stop();
      await log.close();
      throw new Error(`${label} did not answer /api/health on ${url} (see log stream ${stream})`);
    }
    const previous = live;
    live = { revision, process: child, url };
    if (previous) {
      previous.process.stop();
      await previous.process.exited;
    }
    announce(
      `stand-in: ${label} answers /api/health on ${url}; the local edge sends /api there${previous ? " (the previous revision's process stopped)" : ''}`,
    );
    // The process outlives this function; its last lines are flushed when it exits.
    child.exited.then(() => log.close()).catch(() => undefined);
  }

  /** Whether a revision's container runs the same command as the family's first (bootstrap) revision. */
  async function keepsBootstrapCommand(
    /** @type {import('@aws-sdk/client-ecs').TaskDefinition} */ taskDefinition,
    /** @type {import('@aws-sdk/client-ecs').ContainerDefinition} */ container,
  ) {
    if (taskDefinition.revision === 1) return false;
    const first = await aws.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: `${taskDefinition.family}:1` }),
    );
    const bootstrap = first.taskDefinition?.containerDefinitions?.find(
      (c) => c.name === container.name,
    );
    return (
      bootstrap?.image !== container.image &&
      JSON.stringify(bootstrap?.command) === JSON.stringify(container.command)
    );
  }

  return {
    /** The URL of the service's live local process. */
    apiUrl: () => live?.url,
    /** The revision the live local process runs. */
    liveRevision: () => live?.revision,
    /** Waits until the service's local process runs `revision` (or fails). */
    async waitForRevision(/** @type {string} */ revision, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (problem) throw problem;
        if (live && (live.revision === revision || live.revision.endsWith(revision)))
          return live.url;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `the service's stand-in did not reach ${revision} within ${timeoutMs / 1000} s`,
      );
    },
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(running);
      if (live) {
        live.process.stop();
        await live.process.exited;
      }
    },
  };
}

/** ECS's [{ name, value }] as an object. */
function pairs(/** @type {{ name?: string, value?: string }[] | undefined} */ list) {
  return Object.fromEntries((list ?? []).map((entry) => [entry.name, entry.value ?? '']));
}

/**
 * @typedef {{ exited: Promise<number>, stop: () => void }} LocalProcess
 * @param {{ command: string[], env: Record<string, string>, cwd?: string, onLine: (line: string) => void }} options
 * @returns {LocalProcess}
 */
function runLocal({ command, env, cwd, onLine }) {
  const [file, ...args] = command;
  const child = spawn(file, args, {
    cwd: cwd ?? mkdtempSync(path.join(tmpdir(), 'stand-in-')),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    stream.on('end', () => partial && onLine(partial));
  }
  const exited = new Promise((resolve) => {
    child.once('error', (error) => {
      onLine(`cannot start ${file}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : 137)));
  });
  return {
    exited: /** @type {Promise<number>} */ (exited),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** GET /api/health until it answers 200, the process exits, or 30 s pass. */
async function healthCheck({ url, child }) {
  let exited = false;
  child.exited.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  while (!exited && Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Writes lines to a CloudWatch log stream in small batches, in order.
 * @param {{ aws: StandInOptions['aws'], group: string, stream: string }} options
 */
async function logWriter({ aws, group, stream }) {
  await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  /** @type {{ timestamp: number, message: string }[]} */
  let pending = [];
  let flushing = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return flushing;
    const batch = pending;
    pending = [];
    flushing = flushing.then(() =>
      aws.logs
        .send(
          new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: batch }),
        )
        .then(() => undefined),
    );
    return flushing;
  };
  const timer = setInterval(flush, 200);
  return {
    write: (/** @type {string} */ line) => pending.push({ timestamp: Date.now(), message: line }),
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
