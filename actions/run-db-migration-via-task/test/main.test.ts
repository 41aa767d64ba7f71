/**
 * run() in-process against a scripted ECS and CloudWatch Logs (test/fake-aws.ts, shapes from the
 * API reference), with a fake clock: every stop outcome, the RunTask request, failures[], log
 * following with pagination and late lines, timeout and cancel with StopTask, and withdrawing a
 * register-only revision. moto cannot show most of this — its tasks always exit 0, it ignores
 * clientToken and never fills failures[] — so these are the tests of those paths.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import {
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CloudWatchLogsServiceException,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from '../../common/src/errors.js';
import { parseFileCommand } from '../../../test-support/run-action.js';
import { testContext } from '../../../test-support/action-context.js';
import type { MigrationInputs } from '../src/inputs.js';
import { ACTION, run } from '../src/main.js';
import { STATE } from '../src/state.js';
import {
  ecsError,
  ecsMock,
  inputs,
  LIVE_ARN,
  logsMock,
  NEW_ARN,
  RUN_ENV,
  service,
  TASK_ARN,
  task,
  taskDefinition,
  world,
  type World,
} from './fake-aws.js';

const dir = mkdtempSync(path.join(tmpdir(), 'migrate-'));
const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
let stdout: string[];

beforeEach(() => {
  core.summary.emptyBuffer();
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

async function migrate(
  fields: Partial<MigrationInputs> = {},
  options: { during?: (context: ReturnType<typeof testContext<MigrationInputs>>) => void } = {},
) {
  const context = testContext(inputs(fields), { env: RUN_ENV, action: ACTION });
  options.during?.(context);
  let error: unknown;
  try {
    await run(context);
  } catch (caught) {
    error = caught;
  }
  return {
    context,
    error: error as ActionError | undefined,
    lines: context.log.lines,
    outputs: parseFileCommand(readFileSync(files.output, 'utf8')),
    summary: core.summary.stringify(),
    runTask: ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input as
      RunTaskCommandInput | undefined,
  };
}

/** The container's lines as the step printed them (everything that is not the action's own). */
function printedLines(lines: string[], prefix = 'line '): string[] {
  return lines.filter((line) => line.startsWith(prefix));
}

describe('a migration that succeeds', () => {
  it('runs the new revision in the service network with the command, and follows it to exit 0', async () => {
    const w = world();
    w.script = [
      task('PROVISIONING'),
      (call) => {
        if (call === 1) w.stream.write('line 1', 'line 2');
        return task('RUNNING');
      },
      task('RUNNING'),
      (call) => {
        if (call === 3) w.stream.write('line 3');
        return task('STOPPED');
      },
    ];
    const result = await migrate({ environment: { LOG_LEVEL: 'debug' } });
    expect(result.error).toBeUndefined();
    expect(result.runTask).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      taskDefinition: NEW_ARN,
      count: 1,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      startedBy: 'three-tier-deploy/migrate/9001-1',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
          securityGroups: ['sg-0cccccccccccccccc'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'api',
            command: ['npm', 'run', 'migrate'],
            environment: [{ name: 'LOG_LEVEL', value: 'debug' }],
          },
        ],
      },
    });
    expect(result.runTask?.clientToken).toMatch(/^[!-~]{1,64}$/);
    expect(printedLines(result.lines)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(result.outputs).toMatchObject({ 'task-arn': TASK_ARN, 'exit-code': '0' });
    expect(result.outputs['log-url']).toContain('log-events/api$252Fapi$252F');
    expect(Number(result.outputs['duration-seconds'])).toBeGreaterThan(0);
    expect(result.summary).toContain('Database migration: succeeded');
    expect(result.summary).toContain('npm run migrate');
    expect(result.summary).toContain(
      'subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb (from service app-api)',
    );
    expect(result.summary).toContain('line 3');
    expect(result.context.state.saved.get(STATE.settled)).toBe('true');
    expect(w.deregistered).toEqual([]);
  });

  it('sends the same clientToken when the same step asks again, and another for another command', async () => {
    world();
    const first = await migrate();
    world();
    const again = await migrate();
    world();
    const other = await migrate({ command: ['npm', 'run', 'seed'] });
    expect(again.runTask?.clientToken).toBe(first.runTask?.clientToken);
    expect(other.runTask?.clientToken).not.toBe(first.runTask?.clientToken);
  });

  it('prints a long stream page by page, every line once and in order, including lines after STOPPED', async () => {
    const w = world();
    const batch = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `line ${from + i}`);
    w.script = [
      task('PENDING'),
      (call) => {
        if (call === 1) w.stream.write(...batch(0, 11)); // three pages of 4, 4 and 3
        return task('RUNNING');
      },
      (call) => {
        if (call === 2) w.stream.write(...batch(11, 13));
        return task('RUNNING');
      },
      task('STOPPED'),
    ];
    // The awslogs driver's last flush lands after DescribeTasks said STOPPED.
    let drained = 0;
    logsMock.on(GetLogEventsCommand).callsFake((input) => {
      if (w.describeCalls >= 4 && drained++ === 0) w.stream.write(...batch(13, 15));
      return w.stream.answer(input);
    });
    const result = await migrate();
    expect(result.error).toBeUndefined();
    expect(printedLines(result.lines)).toEqual(batch(0, 15));
  });

  it('fences a batch holding a workflow command, so the runner prints it and does not obey it', async () => {
    const w = world();
    w.script = [
      (call) => {
        if (call === 0)
          w.stream.write('line a', '::save-state name=task-arn::arn:aws:ecs:x:task/forged');
        return task('RUNNING');
      },
      task('STOPPED'),
    ];
    const { lines } = await migrate();
    const start = lines.findIndex((line) => line.startsWith('::stop-commands::'));
    const fence = lines[start]?.slice('::stop-commands::'.length);
    expect(fence).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.slice(start + 1, start + 4)).toEqual([
      'line a',
      '::save-state name=task-arn::arn:aws:ecs:x:task/forged',
      `::${fence}::`,
    ]);
  });

  it('keeps waiting for the task when its log cannot be read, and says so once', async () => {
    const w = world();
    w.script = [task('RUNNING'), task('RUNNING'), task('STOPPED')];
    logsMock.on(GetLogEventsCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform: logs:GetLogEvents',
      }),
    );
    const result = await migrate();
    expect(result.error).toBeUndefined();
    expect(result.context.log.warnings).toEqual([
      expect.objectContaining({ title: 'Log stream unreadable' }),
    ]);
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(1);
  });

  it('prints progress at least every 15 s while the task says nothing', async () => {
    const w = world();
    w.script = [...Array.from({ length: 20 }, () => task('RUNNING')), task('STOPPED')];
    const { lines, context } = await migrate();
    expect(lines.filter((line) => /RUNNING for \d/.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...context.clock.sleeps)).toBeLessThanOrEqual(2_000);
  });
});

describe('a migration that fails', () => {
  it('fails on a non-zero exit code with the last 50 log lines in the summary, and deregisters the register-only revision', async () => {
    const w = world();
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
    w.script = [
      (call) => {
        if (call === 0) w.stream.write(...lines);
        return task('RUNNING');
      },
      task('STOPPED', {}, { exitCode: 1 }),
    ];
    const result = await migrate();
    expect(result.error).toBeInstanceOf(ActionError);
    expect(result.error?.title).toBe('Migration failed: exit code 1');
    expect(result.error?.message).toContain(
      `Migration task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b: container api exited with code 1.`,
    );
    expect(result.error?.message).toContain(
      'Service app-api still runs app-api:7 (image repo/api:v1): revision app-api:8 (image repo/api:v2) did not go live.',
    );
    expect(result.error?.message).toContain('app-api:8 was deregistered');
    expect(result.error?.hint).toMatch(/log/);
    expect(w.deregistered).toEqual([NEW_ARN]);
    expect(result.outputs['exit-code']).toBe('1');
    expect(result.summary).toContain('Last 50 log lines');
    expect(result.summary).toContain('line 10\n');
    expect(result.summary).toContain('line 59');
    expect(result.summary).not.toContain('line 9\n');
    expect(result.context.state.saved.get(STATE.settled)).toBe('true');
  });

  it.each([
    [
      'CannotPullContainerError',
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref repo/api:v2: not found',
      'Migration task stopped: CannotPullContainerError',
      /tag or digest exists/,
    ],
    [
      'secrets',
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm',
      'Migration task stopped: ResourceInitializationError',
      /secretsmanager:GetSecretValue/,
    ],
    [
      'network',
      'ResourceInitializationError: failed to configure ENI: failed to setup regular eni',
      'Migration task stopped: ResourceInitializationError',
      /NAT gateway or VPC endpoints/,
    ],
    [
      'TaskFailedToStart',
      'Timeout waiting for network interface provisioning to complete.',
      'Migration task stopped: TaskFailedToStart',
      /ECS could not start the task/,
    ],
  ])(
    'fails without an exit code (%s) with stopCode, stoppedReason and a hint',
    async (_kind, reason, title, hint) => {
      const w = world();
      w.script = [
        task('PENDING'),
        task(
          'STOPPED',
          { stopCode: 'TaskFailedToStart', stoppedReason: reason },
          { exitCode: undefined, reason: undefined },
        ),
      ];
      const result = await migrate();
      expect(result.error?.title).toBe(title);
      expect(result.error?.message).toContain(`stop code: TaskFailedToStart`);
      expect(result.error?.message).toContain(`stopped reason: ${reason}`);
      expect(result.error?.message).toContain('container api: status STOPPED, no exit code');
      expect(result.error?.hint).toMatch(hint);
      expect(result.outputs['exit-code']).toBe('');
      expect(w.deregistered).toEqual([NEW_ARN]);
    },
  );

  it('explains an out-of-memory kill from the container reason', async () => {
    const w = world();
    w.script = [
      task('RUNNING'),
      task(
        'STOPPED',
        {},
        { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      ),
    ];
    const result = await migrate();
    expect(result.error?.title).toBe('Migration failed: exit code 137');
    expect(result.error?.message).toContain(
      'reason: OutOfMemoryError: Container killed due to memory usage',
    );
    expect(result.error?.hint).toMatch(/memory/);
  });

  it('reports each failures[] reason of a RunTask that started nothing, with its hint, and follows nothing', async () => {
    const w = world();
    w.runTaskAnswer = {
      tasks: [],
      failures: [
        {
          arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/1',
          reason: 'RESOURCE:MEMORY',
        },
        {
          reason:
            'Capacity is unavailable at this time. Please try again later or in a different availability zone',
        },
      ],
    };
    const result = await migrate();
    expect(result.error?.title).toBe('The migration task did not start');
    expect(result.error?.message).toContain(
      '- RESOURCE:MEMORY on arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/1',
    );
    expect(result.error?.message).toContain('- Capacity is unavailable at this time');
    expect(result.error?.message).toContain('Service app-api still runs app-api:7');
    expect(result.error?.hint).toMatch(/CPU or memory/);
    expect(result.error?.hint).toMatch(/more zones/);
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(w.deregistered).toEqual([NEW_ARN]);
    expect(result.summary).toContain('Database migration: did not start');
  });

  it('explains a reused clientToken (ConflictException)', async () => {
    const w = world();
    w.runTaskAnswer = ecsError(
      'ConflictException',
      'The specified client token has already been used with different parameters.',
    );
    const result = await migrate();
    expect(result.error?.title).toBe('A migration with this token already ran');
    expect(result.error?.hint).toMatch(/re-run the workflow/);
  });

  it('leaves the revision ACTIVE with deregister-on-failure false, and says what that means', async () => {
    const w = world();
    w.script = [task('STOPPED', {}, { exitCode: 2 })];
    const result = await migrate({ deregisterOnFailure: false });
    expect(w.deregistered).toEqual([]);
    expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(0);
    expect(result.error?.message).toContain(
      'deregister-on-failure is false, so app-api:8 stays ACTIVE',
    );
  });

  it('leaves alone a revision another run registered', async () => {
    const w = world();
    w.definitions.set(NEW_ARN, {
      taskDefinition: taskDefinition(NEW_ARN, 'repo/api:v2'),
      tags: [{ key: 'three-tier-deploy:run', value: 'example/three-tier-app/8000/1' }],
    });
    w.script = [task('STOPPED', {}, { exitCode: 1 })];
    const result = await migrate();
    expect(w.deregistered).toEqual([]);
    expect(result.error?.message).toContain(
      'This run did not register app-api:8, so it was left as it is.',
    );
  });

  it('never deregisters the revision the service runs', async () => {
    const w = world();
    w.script = [task('STOPPED', { taskDefinitionArn: LIVE_ARN }, { exitCode: 1 })];
    const result = await migrate({ taskDefinition: undefined });
    expect(result.runTask?.taskDefinition).toBe(LIVE_ARN);
    expect(w.deregistered).toEqual([]);
    expect(result.error?.message).not.toContain('still runs');
  });
});

describe('odd answers', () => {
  it('gives up on a task DescribeTasks does not find for a minute', async () => {
    const w = world();
    ecsMock.on(DescribeTasksCommand).callsFake(() => {
      w.describeCalls++;
      return { tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] };
    });
    const result = await migrate();
    expect(result.error?.title).toBe('The migration task disappeared');
    expect(result.error?.message).toMatch(
      /has not found task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b in cluster .* \(MISSING\)/,
    );
    expect(w.describeCalls).toBeGreaterThan(25);
  });

  it('escapes log lines in the summary, and masks secrets in them', async () => {
    const w = world();
    w.script = [
      (call) => {
        if (call === 0) w.stream.write('line </code><img src=x>', 'line password is hunter2');
        return task('RUNNING');
      },
      task('STOPPED', {}, { exitCode: 1 }),
    ];
    const result = await migrate({ secrets: ['hunter2'] });
    expect(result.summary).toContain('line &lt;/code&gt;&lt;img src=x&gt;');
    expect(result.summary).toContain('line password is ***');
    expect(result.summary).not.toContain('hunter2');
  });
});

describe('timeout and cancel', () => {
  it('stops the task when timeout-minutes runs out, with a reason that says so, then fails', async () => {
    const w = world();
    w.script = [task('RUNNING')];
    const result = await migrate({ timeoutMs: 60_000 });
    const stop = ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input;
    expect(stop).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      task: TASK_ARN,
    });
    expect(stop?.reason).toMatch(
      /^run-db-migration-via-task: timeout-minutes \(1m\) ran out \(example\/three-tier-app run 9001 attempt 1\)$/,
    );
    expect(result.error?.title).toBe('Migration timed out');
    expect(result.error?.message).toContain(
      'was still RUNNING when timeout-minutes (1m) ran out; the step stopped it (StopTask).',
    );
    expect(result.error?.message).toContain('exit code 143');
    expect(result.outputs['exit-code']).toBe('143');
    expect(w.deregistered).toEqual([NEW_ARN]);
    // It did not wait past its budget before stopping the task.
    expect(result.context.clock.now() - Date.UTC(2026, 0, 1)).toBeLessThanOrEqual(60_000 + 20_000);
  });

  it('leaves the post step to try again when StopTask failed after a timeout', async () => {
    const w = world();
    w.script = [task('RUNNING')];
    ecsMock.on(StopTaskCommand).rejects(ecsError('ServerException', 'Service unavailable'));
    const result = await migrate({ timeoutMs: 30_000 });
    expect(result.error?.title).toBe('Migration timed out');
    expect(result.context.log.warnings).toEqual([
      expect.objectContaining({ title: 'Migration task not stopped' }),
    ]);
    expect(result.context.state.saved.get(STATE.settled)).toBeUndefined();
  });

  it('stops the task when the job is cancelled, and says so', async () => {
    const w = world();
    let cancel: () => void = () => undefined;
    w.script = [
      task('RUNNING'),
      (call) => {
        if (call === 2) cancel();
        return task('RUNNING');
      },
    ];
    const result = await migrate({}, { during: (context) => (cancel = () => context.cancel()) });
    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toMatch(
      /the job was cancelled/,
    );
    expect(result.lines).toContain(
      'The job was cancelled: stopped task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b (StopTask).',
    );
    expect(result.error?.title).toBe('Migration cancelled');
    expect(w.deregistered).toEqual([NEW_ARN]);
    expect(result.context.state.saved.get(STATE.settled)).toBe('true');
  });

  it('leaves the task running on cancel with stop-on-cancel false', async () => {
    const w = world();
    let cancel: () => void = () => undefined;
    w.script = [
      (call) => {
        if (call === 1) cancel();
        return task('RUNNING');
      },
    ];
    const result = await migrate(
      { stopOnCancel: false },
      { during: (context) => (cancel = () => context.cancel()) },
    );
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(result.error?.message).toContain('stop-on-cancel is false, so it keeps running');
  });

  it('leaves the post step to stop the task when StopTask failed on cancel', async () => {
    const w = world();
    let cancel: () => void = () => undefined;
    w.script = [
      (call) => {
        if (call === 1) cancel();
        return task('RUNNING');
      },
    ];
    ecsMock.on(StopTaskCommand).rejects(ecsError('ServerException', 'Service unavailable'));
    const result = await migrate({}, { during: (context) => (cancel = () => context.cancel()) });
    expect(result.error?.message).toContain(
      'StopTask failed (Service unavailable); the task may still be running: aws ecs stop-task',
    );
    expect(result.context.state.saved.get(STATE.settled)).toBeUndefined();
    expect(result.context.state.saved.get(STATE.taskArn)).toBe(TASK_ARN);
  });
});

describe('checks before anything starts', () => {
  async function refused(setup: (w: World) => void, fields: Partial<MigrationInputs> = {}) {
    const w = world();
    setup(w);
    const result = await migrate(fields);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(result.error).toBeInstanceOf(ActionError);
    return result.error as ActionError;
  }

  it('refuses an unknown container, listing the ones there are', async () => {
    const error = await refused(() => undefined, { containerName: 'migrator' });
    expect(error.message).toBe(
      "Task definition app-api has no container 'migrator' (input 'container-name'); it has api.",
    );
  });

  it('refuses a service without awsvpc configuration when no subnets are given', async () => {
    const error = await refused((w) => {
      w.service = service({ networkConfiguration: undefined });
    });
    expect(error.message).toMatch(/has no awsvpc network configuration.*subnets input is empty/);
  });

  it('refuses an unknown task definition, naming the input', async () => {
    const error = await refused(() => undefined, { taskDefinition: 'app-api:99' });
    expect(error.message).toBe(
      "ECS has no task definition 'app-api:99' (input 'task-definition') in this account and region.",
    );
  });

  it('refuses an INACTIVE revision', async () => {
    const error = await refused((w) => {
      w.definitions.set(NEW_ARN, {
        taskDefinition: taskDefinition(NEW_ARN, 'repo/api:v2', { status: 'INACTIVE' }),
        tags: [],
      });
    });
    expect(error.title).toBe('Task definition app-api:8 is INACTIVE');
  });

  it('refuses overrides RunTask would refuse as too long', async () => {
    const error = await refused(() => undefined, { environment: { BIG: 'x'.repeat(9000) } });
    expect(error.message).toMatch(/RunTask accepts at most 8192/);
  });

  it('refuses an unknown service, naming the input', async () => {
    const w = world();
    ecsMock
      .on((await import('@aws-sdk/client-ecs')).DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
    const result = await migrate({ service: 'nope' });
    expect(result.error?.message).toContain("There is no ECS service 'nope' (input 'service')");
    expect(w.describeCalls).toBe(0);
  });
});
