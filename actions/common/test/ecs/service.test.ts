/**
 * describeService / describeCluster against DescribeServices and DescribeClusters answers shaped as
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html and
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html document them.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError } from '../../src/errors.js';
import { describeCluster, describeService, nameOf } from '../../src/ecs/service.js';

const ecs = mockClient(ECSClient);
const client = new ECSClient({ region: 'eu-west-1' });
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/api';
const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7';

beforeEach(() => {
  ecs.reset();
});

describe('describeService', () => {
  it('returns the service, its revision and the PRIMARY deployment', async () => {
    ecs.on(DescribeServicesCommand, { cluster: 'prod', services: ['api'] }).resolves({
      services: [
        {
          serviceArn: SERVICE_ARN,
          serviceName: 'api',
          clusterArn: CLUSTER_ARN,
          status: 'ACTIVE',
          taskDefinition: TD,
          deployments: [
            { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD, rolloutState: 'IN_PROGRESS' },
            { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD.replace(':7', ':6') },
          ],
        },
      ],
      failures: [],
    });
    const found = await describeService({ ecs: client, cluster: 'prod', service: 'api' });
    expect(found.taskDefinitionArn).toBe(TD);
    expect(found.primary?.id).toBe('ecs-svc/2');
    expect(found.clusterName).toBe('prod');
    expect(found.deployments).toHaveLength(2);
  });

  it('names the service input when the service is MISSING', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }],
    });
    const error = await describeService({ ecs: client, cluster: 'prod', service: 'api' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).title).toBe('Unknown service: api');
    expect((error as ActionError).message).toContain("input 'service'");
  });

  it('names the cluster input when the cluster does not exist', async () => {
    ecs
      .on(DescribeServicesCommand)
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    const error = (await describeService({
      ecs: client,
      cluster: 'nope',
      service: 'api',
      inputNames: { cluster: 'ecs-cluster' },
    }).catch((e: unknown) => e)) as ActionError;
    expect(error.title).toBe('Unknown cluster: nope');
    expect(error.message).toContain("input 'ecs-cluster'");
  });

  it('refuses a DRAINING service', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceArn: SERVICE_ARN, serviceName: 'api', status: 'DRAINING' }],
    });
    await expect(describeService({ ecs: client, cluster: 'prod', service: 'api' })).rejects.toThrow(
      /DRAINING/,
    );
  });

  it('finds the service by ARN too', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { serviceArn: SERVICE_ARN, serviceName: 'api', status: 'ACTIVE', taskDefinition: TD },
      ],
    });
    const found = await describeService({
      ecs: client,
      cluster: CLUSTER_ARN,
      service: SERVICE_ARN,
    });
    expect(found.name).toBe('api');
  });
});

describe('describeCluster', () => {
  it('returns an ACTIVE cluster', async () => {
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [{ clusterArn: CLUSTER_ARN, clusterName: 'prod', status: 'ACTIVE' }],
    });
    expect((await describeCluster({ ecs: client, cluster: 'prod' })).clusterArn).toBe(CLUSTER_ARN);
  });

  it('reports a missing cluster (DescribeClusters answers it in failures)', async () => {
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/nope', reason: 'MISSING' }],
    });
    await expect(describeCluster({ ecs: client, cluster: 'nope' })).rejects.toThrow(
      /no ECS cluster 'nope'/,
    );
  });

  it('refuses an INACTIVE cluster', async () => {
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [{ clusterArn: CLUSTER_ARN, clusterName: 'prod', status: 'INACTIVE' }],
    });
    await expect(describeCluster({ ecs: client, cluster: 'prod' })).rejects.toThrow(/INACTIVE/);
  });
});

it('nameOf takes the last part of an ARN', () => {
  expect(nameOf(SERVICE_ARN)).toBe('api');
  expect(nameOf('api')).toBe('api');
});
