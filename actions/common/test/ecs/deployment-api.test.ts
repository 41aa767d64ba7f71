/**
 * The service-deployment calls and their once-only unavailability: moto answers an HTML 500 page
 * for ListServiceDeployments (the SDK reports a deserialisation error with the status in
 * $metadata); real AWS answers the shapes of
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedException,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { isUnavailableCall, serviceDeploymentApi } from '../../src/ecs/deployment-api.js';

const ecs = mockClient(ECSClient);
const client = new ECSClient({ region: 'eu-west-1' });
beforeEach(() => {
  ecs.reset();
});

const motoAnswer = (): Error =>
  Object.assign(
    new SyntaxError(
      'Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: ...',
    ),
    {
      $metadata: { httpStatusCode: 500 },
    },
  );

describe('isUnavailableCall', () => {
  it('knows a missing operation from a failing one', () => {
    expect(isUnavailableCall(motoAnswer())).toBe(true);
    expect(
      isUnavailableCall(new AccessDeniedException({ message: 'not authorized', $metadata: {} })),
    ).toBe(true);
    // A real AWS 500 with an AWS error is a failure to retry or report, not a missing call.
    expect(
      isUnavailableCall(
        new ServerException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }),
      ),
    ).toBe(false);
    expect(isUnavailableCall(new Error('socket hang up'))).toBe(false);
  });
});

describe('serviceDeploymentApi', () => {
  it('marks the calls unavailable on the first missing answer and never asks again', async () => {
    ecs.on(ListServiceDeploymentsCommand).rejects(motoAnswer());
    const api = serviceDeploymentApi(client);
    expect(await api.list({ cluster: 'c', service: 's', since: new Date(0) })).toBeUndefined();
    expect(api.available).toBe(false);
    expect(await api.describe({ arn: 'x' })).toBeUndefined();
    expect(await api.list({ cluster: 'c', service: 's', since: new Date(0) })).toBeUndefined();
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(1);
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);
    expect(api.unavailableReason).toContain('SyntaxError');
  });

  it('lists newest first and describes one deployment', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'old', createdAt: new Date(1000), status: 'SUCCESSFUL' },
        { serviceDeploymentArn: 'new', createdAt: new Date(2000), status: 'IN_PROGRESS' },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: 'new', status: 'IN_PROGRESS' }],
      failures: [],
    });
    const api = serviceDeploymentApi(client);
    expect(
      (await api.list({ cluster: 'c', service: 's', since: new Date(0) }))?.map(
        (d) => d.serviceDeploymentArn,
      ),
    ).toEqual(['new', 'old']);
    expect((await api.describe({ arn: 'new' }))?.status).toBe('IN_PROGRESS');
    expect(api.available).toBe(true);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toMatchObject({
      createdAt: { after: new Date(0) },
    });
  });

  it('maps service revisions to task definitions; a role without DescribeServiceRevisions keeps the rest', async () => {
    ecs
      .on(DescribeServiceRevisionsCommand)
      .resolvesOnce({
        serviceRevisions: [{ serviceRevisionArn: 'rev-1', taskDefinition: 'td:5' }],
      })
      .rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    const api = serviceDeploymentApi(client);
    expect(await api.taskDefinitionsOf({ revisionArns: ['rev-1'] })).toEqual(
      new Map([['rev-1', 'td:5']]),
    );
    expect(await api.taskDefinitionsOf({ revisionArns: ['rev-1'] })).toEqual(new Map());
    expect(api.available).not.toBe(false);
  });
});
