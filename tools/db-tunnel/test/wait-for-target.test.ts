/**
 * Waiting for the tunnel task through the states DescribeTasks reports (fixtures.ts): moto's tasks
 * are RUNNING at once and never have a runtime id or an agent, so this sequence is tested here.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError, TimeoutError } from '../../../actions/common/src/errors.js';
import { waitForTarget } from '../src/wait-for-target.js';
import { agent, container, RUNTIME_ID, TASK_ARN, TASK_ID, task } from './fixtures.js';

const ecs = mockClient(ECSClient);
const client = new ECSClient({ region: 'eu-west-1' });

function clock() {
  let time = 0;
  return { now: () => time, sleep: async (ms: number) => void (time += ms) };
}

beforeEach(() => {
  ecs.reset();
});

describe('waitForTarget', () => {
  it('waits through PENDING, no runtime id and a PENDING agent, then gives the target', async () => {
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] })
      .resolvesOnce({
        tasks: [
          task({
            lastStatus: 'PENDING',
            containers: [
              container({ lastStatus: 'PENDING', runtimeId: undefined, managedAgents: [] }),
            ],
          }),
        ],
      })
      .resolvesOnce({
        tasks: [task({ containers: [container({ runtimeId: undefined, managedAgents: [] })] })],
      })
      .resolvesOnce({
        tasks: [task({ containers: [container({ managedAgents: [agent('PENDING')] })] })],
      })
      .resolves({ tasks: [task()] });
    const lines: string[] = [];
    const ready = await waitForTarget({
      ecs: client,
      cluster: 'prod',
      taskArn: TASK_ARN,
      container: 'api',
      timeoutMs: 300_000,
      log: (line) => lines.push(line),
      signal: new AbortController().signal,
      ...clock(),
    });
    expect(ready).toEqual({
      target: `ecs:prod_${TASK_ID}_${RUNTIME_ID}`,
      taskId: TASK_ID,
      runtimeId: RUNTIME_ID,
    });
    expect(lines).toEqual([
      'tunnel task: task not visible yet',
      'tunnel task: task PENDING',
      'tunnel task: task RUNNING, container api has no runtime id yet',
      'tunnel task: task RUNNING, ExecuteCommandAgent PENDING',
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({
      cluster: 'prod',
      tasks: [TASK_ARN],
    });
  });

  it('explains a task that stopped on the way (the image could not be pulled)', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        task({
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          containers: [
            container({
              lastStatus: 'STOPPED',
              runtimeId: undefined,
              managedAgents: [],
              reason: 'CannotPullContainerError: ref not found',
            }),
          ],
        }),
      ],
    });
    const error = await waitForTarget({
      ecs: client,
      cluster: 'prod',
      taskArn: TASK_ARN,
      container: 'api',
      timeoutMs: 60_000,
      log: () => {},
      signal: new AbortController().signal,
      ...clock(),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).title).toBe(
      'The tunnel task stopped before the session could start',
    );
    expect((error as ActionError).message).toContain('CannotPullContainerError');
    expect((error as ActionError).hint).toContain('image');
  });

  it('times out as a failure when the agent never comes up', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [task({ containers: [container({ managedAgents: [agent('PENDING')] })] })],
    });
    await expect(
      waitForTarget({
        ecs: client,
        cluster: 'prod',
        taskArn: TASK_ARN,
        container: 'api',
        timeoutMs: 30_000,
        log: () => {},
        signal: new AbortController().signal,
        ...clock(),
      }),
    ).rejects.toBeInstanceOf(TimeoutError);
  });
});
