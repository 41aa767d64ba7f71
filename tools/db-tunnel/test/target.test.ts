/**
 * The Session Manager target from DescribeTasks shapes (fixtures.ts cites the reference pages).
 * moto has no runtimeId and no managed agents, so these states are only testable here.
 */
import { describe, expect, it } from '@jest/globals';
import { ActionError } from '../../../actions/common/src/errors.js';
import { sessionTarget, targetState } from '../src/target.js';
import { agent, CLUSTER_ARN, container, RUNTIME_ID, TASK_ARN, TASK_ID, task } from './fixtures.js';

describe('sessionTarget', () => {
  it('is ecs:<cluster-name>_<task-id>_<runtime-id>, names taken from the ARNs', () => {
    expect(
      sessionTarget({ clusterArn: CLUSTER_ARN, taskArn: TASK_ARN, runtimeId: RUNTIME_ID }),
    ).toBe(`ecs:prod_${TASK_ID}_${TASK_ID}-3811061257`);
  });

  it('takes the task id from an old-format task ARN (no cluster in it) too', () => {
    const oldArn = `arn:aws:ecs:eu-west-1:123456789012:task/${TASK_ID}`;
    expect(sessionTarget({ clusterArn: CLUSTER_ARN, taskArn: oldArn, runtimeId: 'abc' })).toBe(
      `ecs:prod_${TASK_ID}_abc`,
    );
  });
});

describe('targetState', () => {
  it('is ready when the task runs and the container has a runtime id and a RUNNING agent', () => {
    expect(targetState({ task: task(), container: 'api' })).toEqual({
      ready: true,
      target: `ecs:prod_${TASK_ID}_${RUNTIME_ID}`,
      runtimeId: RUNTIME_ID,
      taskId: TASK_ID,
    });
  });

  it('uses the runtime id of the named container when the task has several', () => {
    const shaped = task({
      containers: [
        container({ name: 'log-router', runtimeId: `${TASK_ID}-1111111111` }),
        container({ name: 'api', runtimeId: `${TASK_ID}-2222222222` }),
        container({ name: 'xray', runtimeId: `${TASK_ID}-3333333333`, managedAgents: [] }),
      ],
    });
    const state = targetState({ task: shaped, container: 'api' });
    expect(state).toMatchObject({
      ready: true,
      target: `ecs:prod_${TASK_ID}_${TASK_ID}-2222222222`,
    });
  });

  it('waits while the container has no runtime id yet', () => {
    const shaped = task({ containers: [container({ runtimeId: undefined, managedAgents: [] })] });
    expect(targetState({ task: shaped, container: 'api' })).toEqual({
      ready: false,
      ended: false,
      state: 'task RUNNING, container api has no runtime id yet',
    });
  });

  it('waits while the ExecuteCommandAgent is not RUNNING yet', () => {
    const shaped = task({ containers: [container({ managedAgents: [agent('PENDING')] })] });
    expect(targetState({ task: shaped, container: 'api' })).toEqual({
      ready: false,
      ended: false,
      state: 'task RUNNING, ExecuteCommandAgent PENDING',
    });
  });

  it('waits while the agent is not listed yet on a task started with ECS Exec', () => {
    const shaped = task({ containers: [container({ managedAgents: undefined })] });
    expect(targetState({ task: shaped, container: 'api' })).toMatchObject({
      ready: false,
      ended: false,
      state: expect.stringContaining('no ExecuteCommandAgent yet'),
    });
  });

  it('waits while the task itself is still PROVISIONING or PENDING', () => {
    for (const lastStatus of ['PROVISIONING', 'PENDING', 'ACTIVATING']) {
      const shaped = task({
        lastStatus,
        containers: [container({ lastStatus: 'PENDING', runtimeId: undefined })],
      });
      expect(targetState({ task: shaped, container: 'api' })).toEqual({
        ready: false,
        ended: false,
        state: `task ${lastStatus}`,
      });
    }
  });

  it('says the task ended when it is stopping or stopped', () => {
    for (const lastStatus of ['DEACTIVATING', 'STOPPING', 'STOPPED']) {
      expect(targetState({ task: task({ lastStatus }), container: 'api' })).toMatchObject({
        ready: false,
        ended: true,
      });
    }
    expect(
      targetState({ task: task({ desiredStatus: 'STOPPED' }), container: 'api' }),
    ).toMatchObject({ ended: true });
  });

  it('fails at once when the agent STOPPED, with its reason and the usual causes', () => {
    const shaped = task({
      containers: [container({ managedAgents: [agent('STOPPED', 'Agent failed to connect')] })],
    });
    let error: unknown;
    try {
      targetState({ task: shaped, container: 'api' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).message).toContain('STOPPED: Agent failed to connect');
    expect((error as ActionError).hint).toContain('ssmmessages');
  });

  it('fails when the task runs without ECS Exec (no agent will ever come)', () => {
    const shaped = task({
      enableExecuteCommand: false,
      containers: [container({ managedAgents: [] })],
    });
    expect(() => targetState({ task: shaped, container: 'api' })).toThrow(/ECS Exec/);
  });

  it('fails naming the containers there are when the wanted one is not in the task', () => {
    expect(() => targetState({ task: task(), container: 'web' })).toThrow(
      /no container named web; it has api/,
    );
  });
});
