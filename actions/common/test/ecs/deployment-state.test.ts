/**
 * Verdicts on service deployments shaped as DescribeServiceDeployments returns them
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html) and on
 * DescribeServices' deployments (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html).
 */
import { describe, expect, it } from '@jest/globals';
import type { Deployment, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import {
  describeProgress,
  judgeServiceDeployment,
  judgeServiceDeployments,
} from '../../src/ecs/deployment-state.js';

const TD6 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:6';
const TD5 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:5';

function deployment(fields: Partial<ServiceDeployment>): ServiceDeployment {
  return {
    serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/abc',
    status: 'IN_PROGRESS',
    targetServiceRevision: {
      arn: 'rev-2',
      requestedTaskCount: 2,
      runningTaskCount: 1,
      pendingTaskCount: 1,
    },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    ...fields,
  };
}

describe('judgeServiceDeployment', () => {
  it('waits while PENDING or IN_PROGRESS, with counts and stage', () => {
    const verdict = judgeServiceDeployment(deployment({ lifecycleStage: 'SCALE_UP' }));
    expect(verdict.kind).toBe('waiting');
    expect(describeProgress(verdict.progress)).toBe(
      'IN_PROGRESS, stage SCALE_UP: 1 running, 1 pending of 2 desired',
    );
    expect(judgeServiceDeployment(deployment({ status: 'PENDING' })).kind).toBe('waiting');
  });

  it('succeeds on SUCCESSFUL', () => {
    expect(judgeServiceDeployment(deployment({ status: 'SUCCESSFUL' })).kind).toBe('succeeded');
  });

  it.each([
    'ROLLBACK_REQUESTED',
    'ROLLBACK_IN_PROGRESS',
    'ROLLBACK_SUCCESSFUL',
    'ROLLBACK_FAILED',
    'STOP_REQUESTED',
    'STOPPED',
  ])('fails at once on %s, with the reason and the rollback target', (status) => {
    const verdict = judgeServiceDeployment(
      deployment({
        status: status as ServiceDeployment['status'],
        statusReason: 'tasks failed to start',
        rollback: { reason: 'circuit breaker', serviceRevisionArn: 'rev-1' },
      }),
    );
    expect(verdict).toMatchObject({
      kind: 'failed',
      reason: 'tasks failed to start',
      rollbackRevisionArn: 'rev-1',
    });
  });

  it('fails when the circuit breaker or an alarm TRIGGERED while the status is IN_PROGRESS', () => {
    expect(
      judgeServiceDeployment(
        deployment({
          deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
        }),
      ),
    ).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('3 tasks failed to start (threshold 3)'),
    });
    expect(
      judgeServiceDeployment(
        deployment({ alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['api-5xx'] } }),
      ),
    ).toMatchObject({ kind: 'failed', reason: 'deployment alarm in ALARM: api-5xx' });
  });

  it('notes a PAUSE hook awaiting action', () => {
    const verdict = judgeServiceDeployment(
      deployment({
        lifecycleHookDetails: [
          {
            hookId: 'h1',
            targetType: 'PAUSE',
            status: 'AWAITING_ACTION',
            timeoutAction: 'ROLLBACK',
          },
        ],
      }),
    );
    expect(verdict.kind).toBe('waiting');
    expect(verdict.progress.pausedHook).toEqual({ hookId: 'h1', timeoutAction: 'ROLLBACK' });
    expect(describeProgress(verdict.progress)).toContain('paused at a lifecycle hook');
  });
});

describe('judgeServiceDeployments (the DescribeServices fallback)', () => {
  const service = (
    fields: Partial<Service>,
    deployments: Deployment[] = [
      {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: TD6,
        desiredCount: 2,
        runningCount: 1,
        pendingCount: 1,
        rolloutState: 'IN_PROGRESS' as const,
      },
    ],
  ): Service => ({
    taskDefinition: TD6,
    deployments,
    ...fields,
  });

  it('waits, succeeds on COMPLETED, fails on FAILED', () => {
    expect(
      judgeServiceDeployments({
        service: service({}),
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }).kind,
    ).toBe('waiting');
    const completed = service({}, [
      { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD6, rolloutState: 'COMPLETED' },
    ]);
    expect(
      judgeServiceDeployments({
        service: completed,
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }).kind,
    ).toBe('succeeded');
    const failed = service({}, [
      {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: TD6,
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      },
    ]);
    expect(
      judgeServiceDeployments({
        service: failed,
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }),
    ).toMatchObject({
      kind: 'failed',
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
  });

  it('fails when the deployment is gone or the service reverted', () => {
    const gone = service({}, [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: TD6 }]);
    expect(
      judgeServiceDeployments({ service: gone, deploymentId: 'ecs-svc/2', taskDefinitionArn: TD6 })
        .kind,
    ).toBe('failed');
    expect(
      judgeServiceDeployments({
        service: service({ taskDefinition: TD5 }),
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }),
    ).toMatchObject({
      kind: 'failed',
      revertedTo: TD5,
    });
  });

  it('without rolloutState, succeeds once it is the only deployment and every desired task runs', () => {
    const steady = service({}, [
      {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: TD6,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
      },
    ]);
    expect(
      judgeServiceDeployments({
        service: steady,
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }).kind,
    ).toBe('succeeded');
    const draining = service({}, [
      {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: TD6,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
      },
      { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD5, desiredCount: 0, runningCount: 1 },
    ]);
    expect(
      judgeServiceDeployments({
        service: draining,
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: TD6,
      }).kind,
    ).toBe('waiting');
  });
});
