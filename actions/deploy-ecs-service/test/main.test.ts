/**
 * run() in-process against the scripted ECS of fake-aws.ts, with a fake clock: the deploy from
 * check to outcome — registering only what changed, no-ops, register-only, existing revisions, the
 * wait state machine (SUCCESSFUL, a rollback mid-way, the circuit breaker, timeout, events once,
 * the DescribeServices fallback), the failure report and the drift-trap invariant on every path.
 * moto cannot show most of this (it never fails a deployment and lacks the service-deployment
 * calls), so these are the tests of those paths; the integration tests run the bundle on moto.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '../../common/src/core.js';
import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  InvalidParameterException,
  type Task,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakeClock, testContext } from '../../../test-support/action-context.js';
import { parseFileCommand } from '../../../test-support/run-action.js';
import { REVISION_TAGS } from '../../common/src/ecs/task-definition.js';
import { ActionError, TimeoutError } from '../../common/src/errors.js';
import type { DeployInputs } from '../src/inputs.js';
import { ACTION, run } from '../src/main.js';
import {
  arnOf,
  bootstrapDefinition,
  digestOf,
  ecs,
  inputs,
  REGISTRY,
  resetMocks,
  RUN_ENV,
  RUN_TAG,
  stoppedTask,
  world,
  type World,
} from './fake-aws.js';

const dir = mkdtempSync(path.join(tmpdir(), 'deploy-ecs-'));
const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };

beforeEach(() => {
  resetMocks();
  core.summary.emptyBuffer();
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const outputs = (): Record<string, string> => parseFileCommand(readFileSync(files.output, 'utf8'));
const summary = (): string => core.summary.stringify();

async function deploy(
  fields: Partial<DeployInputs> & { imageUri?: string } = {},
  setup: (w: World) => void = () => undefined,
  options: {
    env?: NodeJS.ProcessEnv;
    during?: (context: ReturnType<typeof testContext<DeployInputs>>, w: World) => void;
  } = {},
) {
  const clock = fakeClock();
  const w = world(clock);
  setup(w);
  const context = testContext(inputs(fields), {
    env: options.env ?? RUN_ENV,
    action: ACTION,
    clock,
  });
  options.during?.(context, w);
  let error: unknown;
  try {
    await run(context);
  } catch (caught) {
    error = caught;
  }
  return { w, context, error: error as Error | undefined, lines: context.log.lines };
}

/** Milliseconds from `flipAt` (after UpdateService) to the action's exit. */
const detectedAfter = (w: World, clockNow: number, flipAt: number): number =>
  clockNow - ((w.updatedAt as number) + flipAt);

const changes = (w: World): string[] =>
  w.calls.filter((c) => /^(Register|Deregister|Update)/.test(c));

describe('a roll to a new image', () => {
  it('registers a revision with only the image changed, rolls, and notices SUCCESSFUL within one poll', async () => {
    const { w, context, error } = await deploy();
    expect(error).toBeUndefined();
    const registered = w.revisions.get(6)!;
    const before = bootstrapDefinition();
    const after = registered.definition;
    expect(after.containerDefinitions![0]!.image).toBe(`${REGISTRY}/api@${digestOf(2)}`);
    // Everything else as it was: the sidecar, secrets, roles, sizes, logging.
    expect(after.containerDefinitions![1]).toEqual(before.containerDefinitions![1]);
    expect(after.containerDefinitions![0]!.secrets).toEqual(
      before.containerDefinitions![0]!.secrets,
    );
    expect({ ...after.containerDefinitions![0], image: '' }).toEqual({
      ...before.containerDefinitions![0],
      image: '',
    });
    for (const field of [
      'cpu',
      'memory',
      'executionRoleArn',
      'taskRoleArn',
      'networkMode',
      'requiresCompatibilities',
    ] as const) {
      expect(after[field]).toEqual(before[field]);
    }
    expect(registered.tags).toEqual([
      { key: 'Environment', value: 'prod' },
      { key: REVISION_TAGS.release, value: RUN_ENV.GITHUB_SHA },
      { key: REVISION_TAGS.run, value: RUN_TAG },
      { key: REVISION_TAGS.imageTag, value: 'v2' },
    ]);
    expect(w.updates).toEqual([{ cluster: 'prod', service: 'prod-api', taskDefinition: arnOf(6) }]);
    expect(detectedAfter(w, context.clock.now(), 12_000)).toBeLessThanOrEqual(5_000);
    // Every poll interval is 3-5 s.
    for (const sleep of context.clock.sleeps) {
      expect(sleep).toBeGreaterThanOrEqual(0);
      expect(sleep).toBeLessThanOrEqual(5_000);
    }
    expect(context.clock.sleeps.some((s) => s >= 3_000)).toBe(true);
    expect(outputs()).toEqual({
      'task-definition-arn': arnOf(6),
      'previous-task-definition-arn': arnOf(5),
      registered: 'true',
      image: `${REGISTRY}/api@${digestOf(2)}`,
      'deployment-id': 'ecs-svc/2222',
    });
    expect(summary()).toContain('prod-api:5 → prod-api:6');
    expect(w.calls).not.toContain('DeregisterTaskDefinition');
  });

  it('merges the environment, keeps `=` in values, reports keys only', async () => {
    const { w, lines } = await deploy({
      environment: { DB_TLS: 'off', FEATURE: 'a=b=c', EMPTY: '' },
    });
    const env = w.revisions.get(6)!.definition.containerDefinitions![0]!.environment;
    expect(env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'DB_TLS', value: 'off' },
      { name: 'FEATURE', value: 'a=b=c' },
      { name: 'EMPTY', value: '' },
    ]);
    const text = `${lines.join('\n')}\n${summary()}`;
    expect(text).toMatch(/DB_TLS\s+changed/);
    expect(text).toMatch(/FEATURE\s+added/);
    expect(text).not.toContain('a=b=c');
    expect(text).not.toContain('off');
  });

  it('the same image again registers nothing and deploys nothing, and says so', async () => {
    const { w, lines } = await deploy({}, (w) => {
      w.revisions.get(5)!.definition.containerDefinitions![0]!.image =
        `${REGISTRY}/api@${digestOf(2)}`;
    });
    expect(changes(w)).toEqual([]);
    expect(lines.join('\n')).toContain(
      'Nothing to deploy: prod-api:5, which the service runs, already has this image',
    );
    expect(outputs()).toMatchObject({ registered: 'false', 'task-definition-arn': arnOf(5) });
  });

  it('force-new-deployment rolls the unchanged revision again', async () => {
    const { w } = await deploy({ forceNewDeployment: true }, (w) => {
      w.revisions.get(5)!.definition.containerDefinitions![0]!.image =
        `${REGISTRY}/api@${digestOf(2)}`;
    });
    expect(changes(w)).toEqual(['UpdateService']);
    expect(w.updates[0]).toMatchObject({ taskDefinition: arnOf(5), forceNewDeployment: true });
  });

  it('pin-digest false keeps the tag', async () => {
    const { w } = await deploy({ pinDigest: false });
    expect(w.revisions.get(6)!.definition.containerDefinitions![0]!.image).toBe(
      `${REGISTRY}/api:v2`,
    );
    expect(w.revisions.get(6)!.tags.map((t) => t.key)).not.toContain(REVISION_TAGS.imageTag);
  });

  it('register-only registers and leaves the service alone', async () => {
    const { w, lines } = await deploy({ registerOnly: true });
    expect(changes(w)).toEqual(['RegisterTaskDefinition']);
    expect(outputs()).toMatchObject({
      'task-definition-arn': arnOf(6),
      registered: 'true',
      'deployment-id': '',
    });
    expect(lines.join('\n')).toContain('register-only: the service stays on prod-api:5');
  });

  it('wait false returns after UpdateService', async () => {
    const { w } = await deploy({ wait: false });
    expect(changes(w)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(w.calls).not.toContain('DescribeServiceDeployments');
  });
});

describe('existing revisions', () => {
  const registeredByThisRun = (w: World): void => {
    const definition = { ...bootstrapDefinition(6, `${REGISTRY}/api@${digestOf(2)}`) };
    w.revisions.set(6, { definition, tags: [{ key: REVISION_TAGS.run, value: RUN_TAG }] });
  };

  it('deploys the newest revision a register-only step of this run made, as it is', async () => {
    const { w, error } = await deploy({ taskDefinitionArn: arnOf(6) }, registeredByThisRun);
    expect(error).toBeUndefined();
    expect(changes(w)).toEqual(['UpdateService']);
    expect(outputs()).toMatchObject({ 'task-definition-arn': arnOf(6), registered: 'false' });
  });

  it('reuses that revision when the deploy step names the image instead of the ARN', async () => {
    const { w, lines } = await deploy({}, registeredByThisRun);
    expect(changes(w)).toEqual(['UpdateService']);
    expect(w.updates[0]?.taskDefinition).toBe(arnOf(6));
    expect(lines.join('\n')).toContain('registered earlier in this run');
  });

  it('an older revision (a rollback) is registered anew as the newest, with its own release tag', async () => {
    const { w, error } = await deploy({ taskDefinitionArn: `${'prod-api'}:3` }, (w) => {
      w.revisions.set(3, {
        definition: { ...bootstrapDefinition(3, `${REGISTRY}/api@${digestOf(1)}`) },
        tags: [{ key: REVISION_TAGS.release, value: 'v1.2.0' }],
      });
    });
    expect(error).toBeUndefined();
    expect(changes(w)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    const copy = w.revisions.get(6)!;
    expect(copy.definition.containerDefinitions![0]!.image).toBe(`${REGISTRY}/api@${digestOf(1)}`);
    expect(copy.tags).toContainEqual({ key: REVISION_TAGS.release, value: 'v1.2.0' });
    expect(copy.tags).toContainEqual({ key: REVISION_TAGS.run, value: RUN_TAG });
    expect(w.updates[0]?.taskDefinition).toBe(arnOf(6));
  });

  it('labels the revision with the release input: a tag deployed from a run on a branch', async () => {
    // A workflow_dispatch from main deploying v1.3.0: the run's ref is the branch, its SHA main's.
    const env = { ...RUN_ENV, GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' };
    const { w, error } = await deploy({ release: 'v1.3.0' }, undefined, { env });
    expect(error).toBeUndefined();
    expect(w.revisions.get(6)!.tags).toContainEqual({
      key: REVISION_TAGS.release,
      value: 'v1.3.0',
    });
    // Empty, a tag push's tag is the release; else the commit.
    const pushed = await deploy({}, undefined, {
      env: { ...RUN_ENV, GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.4.0' },
    });
    expect(pushed.w.revisions.get(6)!.tags).toContainEqual({
      key: REVISION_TAGS.release,
      value: 'v1.4.0',
    });
  });

  it('the release input also labels a copy of an older revision (task-definition-arn)', async () => {
    const { w, error } = await deploy(
      { taskDefinitionArn: 'prod-api:3', release: 'v1.2.1' },
      (w) => {
        w.revisions.set(3, {
          definition: { ...bootstrapDefinition(3, `${REGISTRY}/api@${digestOf(1)}`) },
          tags: [{ key: REVISION_TAGS.release, value: 'v1.2.0' }],
        });
      },
    );
    expect(error).toBeUndefined();
    const copy = w.revisions.get(6)!;
    expect(copy.tags).toContainEqual({ key: REVISION_TAGS.release, value: 'v1.2.1' });
    expect(copy.tags.filter((tag) => tag.key === REVISION_TAGS.release)).toHaveLength(1);
  });

  it('refuses a revision of another family before any change', async () => {
    const { w, error } = await deploy({ taskDefinitionArn: 'other-api:1' }, (w) => {
      w.revisions.set(1, {
        definition: { ...bootstrapDefinition(1), family: 'other-api' },
        tags: [],
      });
    });
    // The fake names revisions of prod-api only: an unknown family is an unknown revision.
    expect(error).toBeInstanceOf(ActionError);
    expect(error?.message).toContain("input 'task-definition-arn'");
    expect(changes(w)).toEqual([]);
  });
});

describe('the wait', () => {
  it('a rollback mid-way fails at once, names the reason and the rollback target, and deregisters', async () => {
    const { w, context, error } = await deploy({}, (w) => {
      w.script = (t) =>
        t >= 20_000
          ? {
              status: 'ROLLBACK_REQUESTED',
              statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
              rollback: {
                reason: 'circuit breaker',
                serviceRevisionArn:
                  'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/prod-api/1',
              },
            }
          : { status: 'IN_PROGRESS' };
    });
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).title).toBe('Deployment failed: prod-api');
    expect(error?.message).toContain('ECS deployment circuit breaker: tasks failed to start.');
    expect(error?.message).toContain('ECS rolls the service back to prod-api:5');
    expect(error?.message).toContain('Deregistered prod-api:6, which did not go live');
    expect(detectedAfter(w, context.clock.now(), 20_000)).toBeLessThanOrEqual(5_000);
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });

  it('the circuit breaker TRIGGERED fails while the status still says IN_PROGRESS', async () => {
    const { w, context, error } = await deploy({}, (w) => {
      w.script = (t) => ({
        status: 'IN_PROGRESS',
        ...(t >= 9_000
          ? { deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 } }
          : {}),
      });
    });
    expect(error?.message).toContain('circuit breaker triggered: 3 tasks failed to start');
    expect(detectedAfter(w, context.clock.now(), 9_000)).toBeLessThanOrEqual(5_000);
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });

  it('times out as a failure, within the budget, and deregisters what did not go live', async () => {
    const { w, context, error } = await deploy({ timeoutMs: 120_000 }, (w) => {
      w.script = () => ({ status: 'IN_PROGRESS' });
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.message).toContain('Gave up waiting for the deployment ecs-svc/2222');
    expect(error?.message).toContain('Deregistered prod-api:6');
    expect(context.clock.now() - Date.UTC(2026, 0, 1)).toBeLessThanOrEqual(120_000);
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });

  it('prints counts and stage on change, and something at least every 15 s', async () => {
    const times: number[] = [];
    const { context, lines } = await deploy(
      { timeoutMs: 120_000 },
      (w) => {
        w.script = (t) => ({
          status: 'IN_PROGRESS',
          ...(t > 30_000 ? { lifecycleStage: 'BAKE_TIME' } : {}),
        });
      },
      {
        during: (context) => {
          const info = context.log.info;
          context.log.info = (line) => {
            times.push(context.clock.now());
            info(line);
          };
        },
      },
    );
    expect(lines).toContain(
      'Deployment ecs-svc/2222: IN_PROGRESS: 0 running, 2 pending of 2 desired',
    );
    expect(lines).toContain(
      'Deployment ecs-svc/2222: IN_PROGRESS: 1 running, 1 pending of 2 desired',
    );
    expect(lines.some((l) => l.includes('stage BAKE_TIME'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Deployment still IN_PROGRESS'))).toBe(true);
    // No silence over 15 s between printed lines.
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    expect(context.clock.now() - (times[0] as number)).toBeGreaterThan(60_000);
  });

  it('prints each new service event once, and none from before the update', async () => {
    const { lines } = await deploy({}, (w) => {
      w.script = (t) => ({
        status: t >= 15_000 ? 'SUCCESSFUL' : 'IN_PROGRESS',
        events: [
          '(service prod-api) has started 2 tasks: (task a) (task b).',
          ...(t >= 8_000
            ? ['(service prod-api) registered 2 targets in (target-group prod-api)']
            : []),
        ],
      });
    });
    const eventLines = lines.filter((l) => l.startsWith('event '));
    expect(eventLines).toHaveLength(2);
    expect(eventLines[0]).toContain('has started 2 tasks');
    expect(eventLines[1]).toContain('registered 2 targets');
    expect(lines.join('\n')).not.toContain('has reached a steady state');
  });

  it('a paused lifecycle hook is named with what to do, and never continued', async () => {
    const { w, lines } = await deploy({}, (w) => {
      w.script = (t) =>
        t >= 20_000
          ? { status: 'SUCCESSFUL' }
          : {
              status: 'IN_PROGRESS',
              lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
              lifecycleHookDetails: [
                {
                  hookId: 'hook-1',
                  targetType: 'PAUSE',
                  status: 'AWAITING_ACTION',
                  timeoutAction: 'ROLLBACK',
                },
              ],
            };
    });
    expect(lines.join('\n')).toContain('paused at a lifecycle hook (hook-1)');
    expect(lines.join('\n')).toContain('never continues it by itself');
    expect(w.calls).not.toContain('ContinueServiceDeployment');
  });

  it('cancelled while waiting: says the deployment goes on and where to watch it, rolls nothing back', async () => {
    const { w, error } = await deploy({}, (w) => (w.script = () => ({ status: 'IN_PROGRESS' })), {
      during: (context, w) => {
        const original = w.script;
        w.script = (t, ww) => {
          if (t >= 10_000) context.cancel();
          return original(t, ww);
        };
      },
    });
    expect((error as ActionError).title).toBe('Cancelled while waiting for the deployment');
    expect(error?.message).toContain('goes on in ECS (nothing was rolled back)');
    expect(error?.message).toContain(
      'console.aws.amazon.com/ecs/v2/clusters/prod/services/prod-api',
    );
    expect(changes(w)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
  });
});

describe('the fallback through DescribeServices (no service-deployment calls, as in moto)', () => {
  const moto = (w: World): void => {
    w.serviceDeploymentsAvailable = false;
    w.returnsCurrentServiceDeployment = false;
  };

  it('probes the missing call once, then follows the PRIMARY deployment to COMPLETED', async () => {
    const { w, context, error, lines } = await deploy({}, moto);
    expect(error).toBeUndefined();
    expect(w.calls.filter((c) => c === 'ListServiceDeployments')).toHaveLength(1);
    expect(w.calls).not.toContain('DescribeServiceDeployments');
    expect(w.calls.filter((c) => c === 'DescribeServices').length).toBeGreaterThan(3);
    expect(lines.join('\n')).toContain(
      'following deployment ecs-svc/2222 through DescribeServices',
    );
    expect(detectedAfter(w, context.clock.now(), 12_000)).toBeLessThanOrEqual(5_000);
  });

  it('fails on rolloutState FAILED and deregisters', async () => {
    const { w, error } = await deploy({}, (w) => {
      moto(w);
      w.script = (t) =>
        t >= 16_000
          ? { status: 'ROLLBACK_IN_PROGRESS', statusReason: 'tasks failed to start' }
          : { status: 'IN_PROGRESS' };
    });
    expect(error?.message).toContain('failed: tasks failed to start');
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });

  it('fails when the service goes back to the earlier revision', async () => {
    const { w, error } = await deploy({}, (w) => {
      moto(w);
      w.script = (t, ww) => {
        if (t >= 10_000) ww.serviceTaskDefinition = arnOf(5);
        return { status: 'IN_PROGRESS' };
      };
    });
    expect(error?.message).toContain('the service went back to prod-api:5');
    expect(error?.message).toContain('ECS rolls the service back to prod-api:5');
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });
});

describe('the failure report', () => {
  const failing = (task: Parameters<typeof stoppedTask>[0]) => (w: World) => {
    w.script = (t) =>
      t >= 20_000
        ? { status: 'ROLLBACK_REQUESTED', statusReason: 'circuit breaker' }
        : { status: 'IN_PROGRESS' };
    w.stoppedTasks = [stoppedTask(task), stoppedTask({ ...task, id: 'older-rev', revision: 5 })];
    w.logLines = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
  };

  it.each<[string, Partial<Task>, RegExp]>([
    [
      'image pull',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
      },
      /image could not be pulled/,
    ],
    [
      'secrets',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed',
      },
      /could not read its secrets/,
    ],
    [
      'out of memory',
      {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          {
            name: 'api',
            exitCode: 137,
            reason: 'OutOfMemoryError: Container killed due to memory usage',
            lastStatus: 'STOPPED',
          },
        ],
      },
      /ran out of memory/,
    ],
    [
      'essential container exit',
      {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'api', exitCode: 1, lastStatus: 'STOPPED' }],
      },
      /command itself failed/,
    ],
    [
      'ELB health checks',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason:
          'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/prod-api/1)',
      },
      /health checks failed/,
    ],
  ])(
    '%s: the stopped task of the new revision, its log tail and a hint that names the fix',
    async (_kind, task, hint) => {
      const { error, w } = await deploy({}, failing({ id: 'abc123', revision: 6, ...task }));
      expect(error).toBeInstanceOf(ActionError);
      expect((error as ActionError).hint).toMatch(hint);
      expect(error?.message).toContain('First stopped task:');
      const text = summary();
      expect(text).toContain('Task abc123');
      expect(text).not.toContain('Task older-rev'); // an earlier revision's task is not this failure's
      expect(text).toContain('line 25');
      expect(text).toContain('line 6');
      expect(text).not.toContain('line 5<'); // only the last 20 of 25 lines
      expect(w.calls).toContain('GetLogEvents');
    },
  );

  it('shows the new targets the load balancer found unhealthy', async () => {
    const { error } = await deploy({}, (w) => {
      failing({
        id: 'abc123',
        revision: 6,
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'scaled in',
      })(w);
      w.targets = [
        {
          Target: { Id: '10.0.3.6', Port: 8080 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [404]',
          },
        },
        { Target: { Id: '10.0.1.9', Port: 8080 }, TargetHealth: { State: 'healthy' } },
      ];
    });
    expect(summary()).toContain('Target.ResponseCodeMismatch');
    expect(summary()).not.toContain('10.0.1.9');
    expect((error as ActionError).hint).toMatch(/health check path/);
  });
});

describe('the drift-trap invariant', () => {
  it('at start, deregisters newer revisions an earlier run left, keeps the requested one, warns about a foreign one', async () => {
    const { w, context, error } = await deploy({ taskDefinitionArn: arnOf(8) }, (w) => {
      w.revisions.set(6, {
        definition: bootstrapDefinition(6, `${REGISTRY}/api:bad`),
        tags: [{ key: REVISION_TAGS.run, value: 'example/app/4100/1' }],
      });
      w.revisions.set(7, {
        definition: bootstrapDefinition(7, `${REGISTRY}/api:manual`),
        tags: [],
      });
      w.revisions.set(8, {
        definition: bootstrapDefinition(8, `${REGISTRY}/api@${digestOf(2)}`),
        tags: [{ key: REVISION_TAGS.run, value: RUN_TAG }],
      });
    });
    expect(error).toBeUndefined();
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
    expect(w.revisions.get(7)!.definition.status).toBe('ACTIVE');
    expect(w.revisions.get(8)!.definition.status).toBe('ACTIVE');
    expect(context.log.lines.join('\n')).toContain(
      'Deregistered prod-api:6: newer than prod-api:5',
    );
    expect(context.log.warnings.map((x) => x.title)).toContain('Newer revision from another tool');
    expect(w.updates[0]?.taskDefinition).toBe(arnOf(8));
  });

  it('UpdateService refused: the revision it registered is deregistered', async () => {
    const { w, error } = await deploy({}, () => {
      ecs.on(UpdateServiceCommand).rejects(
        new InvalidParameterException({
          message: 'Task definition does not support launch_type FARGATE.',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    });
    expect((error as ActionError).title).toBe('UpdateService failed: prod-api');
    expect(error?.message).toContain('does not support launch_type FARGATE');
    expect(error?.message).toContain('Deregistered prod-api:6');
    expect(w.revisions.get(6)!.definition.status).toBe('INACTIVE');
  });

  it('a live revision deregistered since (a timed-out deploy that completed) has its content registered again', async () => {
    const { w, error } = await deploy({}, (w) => {
      w.revisions.get(5)!.definition.containerDefinitions![0]!.image =
        `${REGISTRY}/api@${digestOf(2)}`;
      w.revisions.get(5)!.definition.status = 'INACTIVE';
      w.revisions.set(4, { definition: bootstrapDefinition(4), tags: [] });
    });
    expect(error).toBeUndefined();
    expect(changes(w)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(w.revisions.get(6)!.definition.containerDefinitions![0]!.image).toBe(
      `${REGISTRY}/api@${digestOf(2)}`,
    );
  });
});

describe('refused before any change', () => {
  it.each<[string, Partial<DeployInputs> & { imageUri?: string }, (w: World) => void, RegExp]>([
    [
      'unknown cluster',
      {},
      () =>
        void ecs
          .on(DescribeServicesCommand)
          .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} })),
      /There is no ECS cluster 'prod'/,
    ],
    ['unknown container', { containerName: 'web' }, () => undefined, /has no container 'web'/],
    [
      'several essential containers',
      {},
      (w) => void delete w.revisions.get(5)!.definition.containerDefinitions![1]!.essential,
      /has 2 essential containers \(api, xray\)/,
    ],
    [
      'a tag missing from ECR',
      { imageUri: `${REGISTRY}/api:v9` },
      () => undefined,
      /no image tagged 'v9'/,
    ],
    [
      'an environment name that is a secret',
      { environment: { DB_PASSWORD: 'x' } },
      () => undefined,
      /takes DB_PASSWORD from a secret/,
    ],
  ])('%s', async (_name, fields, setup, message) => {
    const { w, error } = await deploy(fields, setup);
    expect(error).toBeInstanceOf(ActionError);
    expect(error?.message).toMatch(message);
    expect(changes(w)).toEqual([]);
  });

  it('the unknown service', async () => {
    const { w, error } = await deploy({ service: 'nope' }, () => {
      ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
    });
    expect((error as ActionError).title).toBe('Unknown service: nope');
    expect(changes(w)).toEqual([]);
  });
});
