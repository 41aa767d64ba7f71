/**
 * The bundled action (dist/index.js) run as the Actions runner runs it, against moto over HTTP,
 * with an ECS cluster, service and task definitions created here with the SDK (test/moto-ecs.mjs).
 *
 * What moto 5.2 cannot show, and how these tests get it anyway (each gap named at its test):
 * - tasks never run: the test writes the task's log stream itself, as the awslogs driver would;
 * - the exit code is always 0: a non-zero one comes from the fault proxy rewriting moto's real
 *   DescribeTasks answer (`transform`);
 * - failures[] is never filled: the fault proxy answers RunTask with the documented shape;
 * - clientToken is ignored: idempotency is in the unit tests (main.test.ts).
 * Task states are driven with moto's state manager (`ecs::task` transitions).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import {
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  type FaultProxy,
  jsonResponse,
  jsonTarget,
  startFaultProxy,
} from '../../../test-support/fault-proxy.js';
import { motoUrl, setTransition, unsetTransition } from '../../../test-support/moto.js';
import {
  type ActionResult,
  inputVariable,
  parseAnnotation,
  parseFileCommand,
  REPO_ROOT,
  runAction,
} from '../../../test-support/run-action.js';
import { createMigrationFixture } from './moto-ecs.mjs';

type Fixture = Awaited<ReturnType<typeof createMigrationFixture>>;
let fixture: Fixture;
let proxy: FaultProxy | undefined;
const RUN_ID = '424242';
const RUN_TAG = { key: 'three-tier-deploy:run', value: `example/three-tier-app/${RUN_ID}/1` };

beforeAll(async () => {
  fixture = await createMigrationFixture({ endpoint: motoUrl(), name: 'mig' });
});
afterAll(() => fixture.destroy());
/** Bundles spawned by the cancel tests, killed and cleaned up whatever the test's end. */
const spawned: { child: { kill: (signal: NodeJS.Signals) => boolean }; cleanup: () => void }[] = [];
afterEach(async () => {
  for (const run of spawned.splice(0)) {
    run.child.kill('SIGKILL');
    run.cleanup();
  }
  await unsetTransition('ecs::task');
  await proxy?.stop();
  proxy = undefined;
});

/** Keeps every task RUNNING until `release()` lets the next DescribeTasks find it STOPPED. */
async function holdTasksRunning(): Promise<void> {
  await setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
}
const releaseTasks = () => setTransition('ecs::task', { progression: 'immediate' });

function migrate(
  inputs: Record<string, string>,
  options: {
    env?: Record<string, string>;
    onLine?: (line: string) => void;
    endpoint?: string;
  } = {},
) {
  return runAction(
    'run-db-migration-via-task',
    { cluster: fixture.cluster, service: fixture.service, command: 'npm run migrate', ...inputs },
    {
      env: {
        GITHUB_RUN_ID: RUN_ID,
        ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
        ...options.env,
      },
      ...(options.onLine ? { onLine: options.onLine } : {}),
      timeoutMs: 90_000,
    },
  );
}

async function describeTask(taskArn: string): Promise<Task> {
  const { tasks } = await fixture.ecs.send(
    new DescribeTasksCommand({ cluster: fixture.cluster, tasks: [taskArn] }),
  );
  return tasks?.[0] as Task;
}

async function taskCount(): Promise<number> {
  const { taskArns } = await fixture.ecs.send(new ListTasksCommand({ cluster: fixture.cluster }));
  return taskArns?.length ?? 0;
}

const startedTask = (line: string) => /^Started task ([0-9a-f-]+) /.exec(line)?.[1];
const errorOf = (result: ActionResult) => {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
};

describe('a migration against moto', () => {
  it('runs the task in the service subnets and security groups with the command, printing the lines written to its stream once, in order', async () => {
    await holdTasksRunning();
    const written = Array.from(
      { length: 30 },
      (_, i) => `line ${i}: applied migration ${String(i).padStart(4, '0')}`,
    );
    const late = ['line 30: done, exiting 0'];
    let taskId: string | undefined;
    let described: Promise<Task> | undefined;
    let writing: Promise<void> = Promise.resolve();
    const result = await migrate(
      { command: 'npm run migrate -- --to "v 2"', environment: 'LOG_LEVEL=debug' },
      {
        onLine: (line) => {
          const id = startedTask(line);
          if (id) {
            taskId = id;
            described = describeTask(line.split(' ')[2] as string).catch(() =>
              describeTaskById(id),
            );
            // moto runs no container: the test writes the stream the awslogs driver would write.
            writing = (async () => {
              await new Promise((resolve) => setTimeout(resolve, 500));
              await fixture.createStream(id);
              await fixture.write(id, written.slice(0, 10));
              await new Promise((resolve) => setTimeout(resolve, 2_500));
              await fixture.write(id, written.slice(10));
              await new Promise((resolve) => setTimeout(resolve, 2_500));
              await releaseTasks();
            })();
          }
          // Written after the action saw STOPPED: the drain must still print it.
          if (taskId && line === `Task ${taskId}: STOPPED`)
            writing = writing.then(() => fixture.write(taskId as string, late));
        },
      },
    );
    await writing;
    expect(result.exitCode).toBe(0);
    const printed = result.lines.filter((line) => line.startsWith('line '));
    expect(printed).toEqual([...written, ...late]);

    const task = await (described as Promise<Task>);
    expect(task.overrides?.containerOverrides).toEqual([
      expect.objectContaining({
        name: 'api',
        command: ['npm', 'run', 'migrate', '--', '--to', 'v 2'],
        environment: [{ name: 'LOG_LEVEL', value: 'debug' }],
      }),
    ]);
    expect(task.launchType).toBe('FARGATE');
    expect(task.startedBy).toBe(`three-tier-deploy/migrate/${RUN_ID}-1`);
    const eni = task.attachments?.[0]?.details;
    expect(fixture.subnets).toContain(eni?.find((detail) => detail.name === 'subnetId')?.value);
    const eniId = eni?.find((detail) => detail.name === 'networkInterfaceId')?.value as string;
    const { NetworkInterfaces } = await fixture.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }),
    );
    expect(NetworkInterfaces?.[0]?.Groups?.map((group) => group.GroupId)).toEqual(
      fixture.securityGroups,
    );

    expect(result.outputs['task-arn']).toMatch(new RegExp(`:task/mig/${taskId}$`));
    expect(result.outputs['exit-code']).toBe('0');
    expect(result.outputs['log-url']).toContain(`log-events/api$252Fapi$252F${taskId}`);
    expect(result.summary).toContain('Database migration: succeeded');
    expect(result.summary).toContain("npm run migrate -- --to 'v 2'");
    expect(result.summary).toContain('line 30: done, exiting 0');
    expect(result.state.settled).toBe('true');
  });

  it("follows the task through moto's state transitions to STOPPED and succeeds on exit code 0", async () => {
    // Each DescribeTasks moves the task one state on from RUNNING (moto counts the call before it
    // answers, so the first answer is already DEACTIVATING), through STOPPING and DEPROVISIONING.
    await setTransition('ecs::task', { progression: 'manual', times: 1 });
    const result = await migrate({});
    expect(result.exitCode).toBe(0);
    const states = result.lines
      .map((line) => /^Task [0-9a-f-]+: ([A-Z]+)$/.exec(line)?.[1])
      .filter(Boolean);
    expect(states).toEqual(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
    expect(result.lines).toContainEqual(
      expect.stringMatching(
        /^Migration succeeded: task [0-9a-f-]+ exited with code 0 after \d+s\.$/,
      ),
    );
    expect(result.annotations.filter((annotation) => annotation.level === 'error')).toEqual([]);
  });

  it('stops the task when timeout-minutes runs out, and fails', async () => {
    await holdTasksRunning();
    const result = await migrate({ 'timeout-minutes': '6s' });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).title).toBe('Migration timed out');
    const task = await describeTask(result.outputs['task-arn'] as string);
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stoppedReason).toMatch(
      new RegExp(
        `^run-db-migration-via-task: timeout-minutes \\(6s\\) ran out \\(example/three-tier-app run ${RUN_ID} attempt 1\\)$`,
      ),
    );
  });
});

describe('failures moto cannot produce, through the fault proxy', () => {
  it('fails on a non-zero exit code, says the service still runs the old image and deregisters the register-only revision', async () => {
    // moto gap: every task's container reports exit code 0. The proxy rewrites moto's real
    // DescribeTasks answer once the task is STOPPED to what ECS says of a failed migration.
    const registered = await fixture.register({ image: 'mig/api:v2', tags: [RUN_TAG] });
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeTasks'),
          times: Infinity,
          transform: (_request, upstream) => {
            const body = JSON.parse(upstream.body) as { tasks: Task[] };
            for (const task of body.tasks) {
              if (task.lastStatus !== 'STOPPED') continue;
              task.stopCode = 'EssentialContainerExited';
              task.stoppedReason = 'Essential container in task exited';
              for (const container of task.containers ?? []) container.exitCode = 3;
            }
            return jsonResponse(body, upstream.status);
          },
        },
      ],
    });
    const result = await migrate({ 'task-definition': registered }, { endpoint: proxy.url });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Migration failed: exit code 3');
    expect(error.message).toContain(
      'Service mig-api still runs mig-api:1 (image mig/api:v1): revision mig-api:2 (image mig/api:v2) did not go live.',
    );
    expect(error.message).toContain('mig-api:2 was deregistered');
    expect(result.outputs['exit-code']).toBe('3');
    const { taskDefinition } = await fixture.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: registered }),
    );
    expect(taskDefinition?.status).toBe('INACTIVE');
  });

  it('reports failures[] of a RunTask that started nothing, with the hint', async () => {
    // moto gap: RunTask never fills failures[]; the proxy answers with the documented shape.
    const before = await taskCount();
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.RunTask'),
          times: Infinity,
          response: jsonResponse({
            tasks: [],
            failures: [
              {
                reason:
                  'Capacity is unavailable at this time. Please try again later or in a different availability zone',
              },
            ],
          }),
        },
      ],
    });
    const result = await migrate({}, { endpoint: proxy.url });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('The migration task did not start');
    expect(error.message).toContain('Capacity is unavailable at this time');
    expect(error.message).toContain('Fix: Fargate had no capacity');
    expect(await taskCount()).toBe(before);
  });
});

describe('bad inputs: one annotation naming the fix, and no task started', () => {
  let noNetworkService: string;
  beforeAll(async () => {
    noNetworkService = 'mig-bridge';
    await fixture.ecs.send(
      new CreateServiceCommand({
        cluster: fixture.cluster,
        serviceName: noNetworkService,
        taskDefinition: fixture.liveTaskDefinition,
        desiredCount: 0,
        launchType: 'EC2',
      }),
    );
  });

  it.each([
    ['an empty command', { command: '' }, 'Invalid input: command', /the command is empty/],
    [
      'an unbalanced quote',
      { command: 'npm run migrate -- --to "v 2' },
      'Invalid input: command',
      /a " quote is not closed/,
    ],
    [
      'an unknown container',
      { 'container-name': 'migrator' },
      'Unknown container: migrator',
      /has no container 'migrator' \(input 'container-name'\); it has api/,
    ],
    [
      'an unknown task definition',
      { 'task-definition': 'mig-api:77' },
      'Unknown task definition: mig-api:77',
      /input 'task-definition'/,
    ],
    [
      'a service without awsvpc configuration and no subnets',
      { service: 'mig-bridge' },
      'No network for the task',
      /Service mig-bridge has no awsvpc network configuration/,
    ],
  ])('refuses %s', async (_what, inputs, title, message) => {
    const before = await taskCount();
    const result = await migrate(inputs as Record<string, string>);
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe(title);
    expect(error.message).toMatch(message);
    expect(result.summary).toContain(`Failed: ${title}`);
    expect(await taskCount()).toBe(before);
  });
});

describe('cancel', () => {
  it('stops the task when the runner sends SIGTERM to the main step', async () => {
    await holdTasksRunning();
    const run = await spawnAction({
      cluster: fixture.cluster,
      service: fixture.service,
      command: 'npm run migrate',
    });
    const taskArn = await run
      .waitFor((line) => /^Started task /.test(line))
      .then(() => run.taskArn());
    await run.waitFor((line) => / RUNNING$/.test(line));
    run.child.kill('SIGTERM');
    const exitCode = await run.exited;
    expect(exitCode).toBe(1);
    expect(run.lines()).toContainEqual(
      expect.stringMatching(/^The job was cancelled: stopped task [0-9a-f-]+ \(StopTask\)\.$/),
    );
    const task = await describeTask(taskArn);
    expect(task.desiredStatus).toBe('STOPPED');
    expect(task.stoppedReason).toMatch(/^run-db-migration-via-task: the job was cancelled/);
    expect(run.state().settled).toBe('true');
  });

  it('stops, in the post step, a task a killed main step left running', async () => {
    await holdTasksRunning();
    const run = await spawnAction({
      cluster: fixture.cluster,
      service: fixture.service,
      command: 'npm run migrate',
    });
    await run.waitFor((line) => / RUNNING$/.test(line));
    const taskArn = run.taskArn();
    // The runner's own step timeout kills without a signal the action could act on.
    run.child.kill('SIGKILL');
    await run.exited;
    const saved = run.state();
    expect(saved['task-arn']).toBe(taskArn);
    expect(saved.settled).toBeUndefined();
    // The post step: the same bundle, with the saved state as STATE_* variables.
    const post = await migrate(
      {},
      {
        env: Object.fromEntries(
          Object.entries(saved).map(([name, value]) => [`STATE_${name}`, value]),
        ),
      },
    );
    expect(post.exitCode).toBe(0);
    expect(post.lines).toContainEqual(
      expect.stringMatching(/^Stopped task [0-9a-f-]+ \(StopTask; it was RUNNING\)\.$/),
    );
    const task = await describeTask(taskArn);
    expect(task.stoppedReason).toBe(
      'run-db-migration-via-task post step: the main step ended before the task (cancelled or timed out)',
    );
  });
});

async function describeTaskById(id: string): Promise<Task> {
  const { taskArns } = await fixture.ecs.send(new ListTasksCommand({ cluster: fixture.cluster }));
  return describeTask(taskArns?.find((arn) => arn.endsWith(id)) as string);
}

/**
 * The bundle started as the runner starts it (as runAction does), but left running so the test
 * can signal it: the runner sends SIGINT, then SIGTERM, to a cancelled step.
 */
async function spawnAction(inputs: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrate-cancel-'));
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('GITHUB_'))
      env[key] = value;
  Object.assign(env, files, {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'example/three-tier-app',
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_RUN_ATTEMPT: '1',
  });
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'actions/run-db-migration-via-task/dist/index.js')],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  const waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      if (stdout.split('\n').some(waiter.test)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code) => {
      resolve(code ?? 1);
    }),
  );
  const lines = () => stdout.split('\n').filter((line) => line !== '' && !parseAnnotation(line));
  const run = {
    child,
    exited,
    lines,
    state: () => parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
    taskArn: () => parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8'))['task-arn'] as string,
    waitFor: (test: (line: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').some(test)) return resolve();
        const timer = setTimeout(() => reject(new Error(`not seen in time:\n${stdout}`)), 30_000);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  spawned.push(run);
  return run;
}
