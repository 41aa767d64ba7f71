/**
 * Reading a stopped task. Shapes from DescribeTasks
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html, API_Container.html);
 * the reason texts are the examples of
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html.
 */
import { describe, expect, it } from '@jest/globals';
import type { Task } from '@aws-sdk/client-ecs';
import { explainStoppedTask } from '../../src/ecs/stopped-task.js';

function stopped(
  fields: Partial<Task>,
  container: Task['containers'] = [{ name: 'migrate', lastStatus: 'STOPPED', exitCode: 0 }],
): Task {
  return {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d4e5f',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: container,
    ...fields,
  };
}

describe('explainStoppedTask', () => {
  it('is a success when the container exited with 0', () => {
    const explained = explainStoppedTask(stopped({}), { container: 'migrate' });
    expect(explained.succeeded).toBe(true);
    expect(explained.exitCode).toBe(0);
    expect(explained.cause).toBe('succeeded');
    expect(explained.hint).toBeUndefined();
    expect(explained.headline).toBe('container migrate exited with code 0');
  });

  it('reports a non-zero exit code with the hint to read the log', () => {
    const explained = explainStoppedTask(
      stopped({}, [{ name: 'migrate', lastStatus: 'STOPPED', exitCode: 1 }]),
      { container: 'migrate' },
    );
    expect(explained).toMatchObject({ succeeded: false, exitCode: 1, cause: 'exited' });
    expect(explained.hint).toMatch(/log/);
    expect(explained.lines).toEqual([
      'stop code: EssentialContainerExited',
      'stopped reason: Essential container in task exited',
      'container migrate: status STOPPED, exit code 1',
    ]);
  });

  it('decides by the named container, not by a sidecar', () => {
    const task = stopped({}, [
      { name: 'log-router', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'migrate', lastStatus: 'STOPPED', exitCode: 3 },
    ]);
    expect(explainStoppedTask(task, { container: 'migrate' })).toMatchObject({
      exitCode: 3,
      succeeded: false,
    });
    expect(explainStoppedTask(task, { container: 'log-router' }).succeeded).toBe(true);
  });

  it.each([
    [
      'CannotPullContainerError',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v9: not found',
      },
      'image-pull',
      /tag or digest exists/,
    ],
    [
      'ResourceInitializationError for secrets',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
      },
      'secrets',
      /secretsmanager:GetSecretValue/,
    ],
    [
      'ResourceInitializationError for the log driver',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
      },
      'logging',
      /log group exists/,
    ],
    [
      'ResourceInitializationError for the network',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message',
      },
      'network',
      /NAT gateway or VPC endpoints/,
    ],
    [
      'TaskFailedToStart',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-a': InsufficientFreeAddressesInSubnet",
      },
      'failed-to-start',
      /no free IP addresses/,
    ],
    [
      'failed ELB health checks',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason:
          'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067)',
      },
      'elb-health-check',
      /health check path/,
    ],
    [
      'Spot interruption',
      { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' },
      'spot-interruption',
      /FARGATE_SPOT/,
    ],
  ] as const)('explains %s without an exit code', (_name, fields, cause, hint) => {
    const explained = explainStoppedTask(
      stopped(fields, [{ name: 'migrate', lastStatus: 'STOPPED' }]),
      { container: 'migrate' },
    );
    expect(explained.succeeded).toBe(false);
    expect(explained.exitCode).toBeUndefined();
    expect(explained.cause).toBe(cause);
    expect(explained.hint).toMatch(hint);
    expect(explained.headline).toContain('stopped without an exit code');
    expect(explained.lines).toContain(`stopped reason: ${fields.stoppedReason}`);
    expect(explained.lines).toContain('container migrate: status STOPPED, no exit code');
  });

  it('recognises out of memory from the container reason and from exit code 137', () => {
    const oom = explainStoppedTask(
      stopped({}, [
        {
          name: 'migrate',
          lastStatus: 'STOPPED',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ]),
      { container: 'migrate' },
    );
    expect(oom).toMatchObject({ cause: 'out-of-memory', exitCode: 137 });
    expect(oom.hint).toMatch(/memory/);
    expect(oom.lines).toContain(
      'container migrate: status STOPPED, exit code 137 (SIGKILL: out of memory, or not stopped within the stop timeout), reason: OutOfMemoryError: Container killed due to memory usage',
    );
    const killed = explainStoppedTask(stopped({}, [{ name: 'migrate', exitCode: 137 }]), {
      container: 'migrate',
    });
    expect(killed.cause).toBe('out-of-memory');
  });

  it('says who stopped a task stopped by StopTask', () => {
    const explained = explainStoppedTask(
      stopped(
        {
          stopCode: 'UserInitiated',
          stoppedReason: 'run-db-migration-via-task: timeout-minutes (30m) ran out',
        },
        [{ name: 'migrate', exitCode: 143 }],
      ),
      { container: 'migrate' },
    );
    expect(explained.cause).toBe('stopped-by-user');
    expect(explained.headline).toBe(
      'container migrate exited with code 143 (SIGTERM: the task was stopped)',
    );
  });

  it('uses the only container when none is named, and knows nothing more without reasons', () => {
    const explained = explainStoppedTask({ lastStatus: 'STOPPED', containers: [{ name: 'app' }] });
    expect(explained).toMatchObject({ container: 'app', cause: 'unknown', succeeded: false });
    expect(explained.hint).toBeUndefined();
  });
});
