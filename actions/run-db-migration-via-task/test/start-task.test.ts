/**
 * The RunTask request and the words for failures[] (reasons from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
 */
import { describe, expect, it } from '@jest/globals';
import { taskPlacementFromService } from '../../common/src/ecs/network.js';
import { hintForFailure, runTaskFailed, runTaskRequest } from '../src/start-task.js';
import type { MigrationPlan } from '../src/prepare.js';
import { CLUSTER_ARN, NEW_ARN, service, taskDefinition } from './fake-aws.js';

function plan(fields: Partial<MigrationPlan> = {}): MigrationPlan {
  const td = taskDefinition(NEW_ARN, 'repo/api:v2');
  return {
    service: {
      service: service(),
      name: 'app-api',
      arn: 'x',
      clusterArn: CLUSTER_ARN,
      clusterName: 'prod',
      taskDefinitionArn: 'y',
      deployments: [],
    },
    taskDefinition: td,
    revision: 'app-api:8',
    container: td.containerDefinitions?.[0] ?? {},
    placement: taskPlacementFromService(service()),
    overrides: { containerOverrides: [{ name: 'api', command: ['npm', 'run', 'migrate'] }] },
    registeredHere: false,
    ...fields,
  };
}

describe('runTaskRequest', () => {
  it('sends a capacity provider strategy instead of a launch type when the service has one', () => {
    const placement = taskPlacementFromService(
      service({
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      }),
    );
    const request = runTaskRequest({ plan: plan({ placement }), startedBy: 's', clientToken: 't' });
    expect(request.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(request).not.toHaveProperty('launchType');
    expect(request).not.toHaveProperty('describe');
  });
});

describe('failures[]', () => {
  it.each([
    [{ reason: 'RESOURCE:ENI' }, /awsvpcTrunking/],
    [{ reason: 'RESOURCE:CPU' }, /CPU or memory/],
    [{ reason: 'AGENT' }, /agent/],
    [
      { reason: 'ATTRIBUTE', detail: 'ecs.capability.secrets.asm.environment-variables' },
      /attribute/,
    ],
    [{ reason: 'MISSING' }, /cluster input/],
    [{ reason: 'TaskDefinition is inactive' }, /INACTIVE/],
    [
      {
        reason:
          'Unable to assume the service linked role. Please verify that the ECS service linked role exists.',
      },
      /AWSServiceRoleForECS/,
    ],
  ])('hints at %j', (failure, hint) => {
    expect(hintForFailure(failure, 'app-api:8')).toMatch(hint);
  });

  it('has no hint for a reason it does not know, and says so generically', () => {
    expect(hintForFailure({ reason: 'SOMETHING_NEW' }, 'app-api:8')).toBeUndefined();
    expect(
      runTaskFailed({ failures: [{ reason: 'SOMETHING_NEW' }], revision: 'app-api:8' }).hint,
    ).toMatch(/Run the step again/);
    expect(runTaskFailed({ failures: [], revision: 'app-api:8' }).message).toBe(
      'RunTask answered without a task and without a failure for app-api:8.',
    );
  });
});
