/**
 * The post step, as the runner runs it after a cancelled or killed main step: it stops the task
 * the main step left running (with stop-on-cancel), withdraws the register-only revision, and does
 * nothing after a main step that saw its task's end. DescribeTasks/StopTask shapes as in
 * fake-aws.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { testContext } from '../../../test-support/action-context.js';
import { ACTION } from '../src/main.js';
import { post } from '../src/post.js';
import type { RevisionFacts } from '../src/revision.js';
import { STATE } from '../src/state.js';
import {
  CLUSTER_ARN,
  ecsError,
  ecsMock,
  inputs,
  NEW_ARN,
  RUN_ENV,
  TASK_ARN,
  task,
  world,
} from './fake-aws.js';

const revision: RevisionFacts = {
  revision: 'app-api:8',
  registeredHere: true,
  live: { revision: 'app-api:7', image: 'repo/api:v1' },
  serviceName: 'app-api',
  taskDefinitionArn: NEW_ARN,
  image: 'repo/api:v2',
};

function postContext(saved: Record<string, string>, fields = {}) {
  return testContext(inputs(fields), {
    env: RUN_ENV,
    action: ACTION,
    state: new Map(Object.entries(saved)),
  });
}

describe('post', () => {
  it('stops a task the main step left running and withdraws the revision', async () => {
    const w = world();
    w.script = [task('RUNNING')];
    const context = postContext({
      [STATE.taskArn]: TASK_ARN,
      [STATE.cluster]: CLUSTER_ARN,
      [STATE.revision]: JSON.stringify(revision),
    });
    await post(context);
    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input).toMatchObject({
      cluster: CLUSTER_ARN,
      task: TASK_ARN,
      reason:
        'run-db-migration-via-task post step: the main step ended before the task (cancelled or timed out)',
    });
    expect(context.log.lines).toContain(
      'Stopped task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b (StopTask; it was RUNNING).',
    );
    expect(w.deregistered).toEqual([NEW_ARN]);
    expect(
      context.log.lines.some((line) =>
        line.includes('Service app-api still runs app-api:7 (image repo/api:v1)'),
      ),
    ).toBe(true);
  });

  it('does nothing after a main step that saw the task end', async () => {
    const w = world();
    const context = postContext({
      [STATE.taskArn]: TASK_ARN,
      [STATE.cluster]: CLUSTER_ARN,
      [STATE.settled]: 'true',
      [STATE.revision]: JSON.stringify(revision),
    });
    await post(context);
    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(w.deregistered).toEqual([]);
    expect(context.log.lines).toEqual([
      'The main step saw migration task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b to its end; nothing to clean up.',
    ]);
  });

  it('does nothing when no task was started', async () => {
    world();
    const context = postContext({});
    await post(context);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(context.log.lines).toEqual(['No migration task was started; nothing to clean up.']);
  });

  it('does not stop a task that is already stopping', async () => {
    const w = world();
    w.script = [task('DEPROVISIONING', { desiredStatus: 'STOPPED' })];
    await post(postContext({ [STATE.taskArn]: TASK_ARN, [STATE.cluster]: CLUSTER_ARN }));
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('leaves the task running with stop-on-cancel false', async () => {
    const w = world();
    w.script = [task('RUNNING')];
    const context = postContext(
      { [STATE.taskArn]: TASK_ARN, [STATE.cluster]: CLUSTER_ARN },
      { stopOnCancel: false },
    );
    await post(context);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(context.log.lines).toContain(
      'Task 4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b is RUNNING; stop-on-cancel is false, so it keeps running.',
    );
  });

  it('fails, with the command to stop it by hand, when StopTask fails', async () => {
    const w = world();
    w.script = [task('RUNNING')];
    ecsMock
      .on(StopTaskCommand)
      .rejects(ecsError('AccessDeniedException', 'not authorized to perform: ecs:StopTask'));
    await expect(
      post(postContext({ [STATE.taskArn]: TASK_ARN, [STATE.cluster]: CLUSTER_ARN })),
    ).rejects.toThrow(
      /StopTask failed .*aws ecs stop-task --cluster arn:aws:ecs:eu-west-1:123456789012:cluster\/prod --task/,
    );
  });
});
