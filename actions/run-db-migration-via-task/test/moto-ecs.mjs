// An ECS service to migrate against, created in the local AWS (moto) with the SDK: the default
// VPC's subnets (moto's default VPC has DNS hostnames, which RunTask's awsvpc tasks need), a
// security group of the service's own, a log group, a cluster, a Fargate task definition (with
// container-level memory, which moto's RunTask requires) and a Fargate service in awsvpc mode.
// Plain JavaScript: the integration tests and scripts/bench/run-db-migration.mjs share it.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateSecurityGroupCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';

export const REGION = 'us-east-1';
export const CONTAINER = 'api';
export const STREAM_PREFIX = 'api';

/**
 * @param {{ endpoint: string, name: string }} options
 */
export async function createMigrationFixture({ endpoint, name }) {
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(config);
  const ecs = new ECSClient(config);
  const logs = new CloudWatchLogsClient(config);
  const { Vpcs } = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }),
  );
  const vpcId = Vpcs?.[0]?.VpcId;
  if (!vpcId) throw new Error('moto has no default VPC');
  const { Subnets } = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const subnets = (Subnets ?? [])
    .slice(0, 2)
    .map((subnet) => /** @type {string} */ (subnet.SubnetId));
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${name}-service`,
      Description: 'the service and its migration task',
      VpcId: vpcId,
    }),
  );
  const securityGroups = [/** @type {string} */ (GroupId)];
  const logGroup = `/ecs/${name}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const family = `${name}-api`;
  const live = await registerRevision({ ecs, family, logGroup, image: `${name}/api:v1` });
  const serviceName = `${name}-api`;
  await ecs.send(
    new CreateServiceCommand({
      cluster: name,
      serviceName,
      taskDefinition: live,
      desiredCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' },
      },
    }),
  );
  return {
    ecs,
    logs,
    ec2,
    cluster: name,
    clusterArn: /** @type {string} */ (cluster?.clusterArn),
    service: serviceName,
    family,
    liveTaskDefinition: live,
    subnets,
    securityGroups,
    vpcId,
    logGroup,
    /** Registers another revision of the family (the register-only revision of a release). */
    register: (/** @type {{ image: string, tags?: {key: string, value: string}[] }} */ options) =>
      registerRevision({ ecs, family, logGroup, ...options }),
    /** Writes lines into the task's log stream as the awslogs driver would (creating it first). */
    streamOf: (/** @type {string} */ taskId) => `${STREAM_PREFIX}/${CONTAINER}/${taskId}`,
    async createStream(/** @type {string} */ taskId) {
      await logs.send(
        new CreateLogStreamCommand({
          logGroupName: logGroup,
          logStreamName: this.streamOf(taskId),
        }),
      );
    },
    async write(/** @type {string} */ taskId, /** @type {string[]} */ messages) {
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: this.streamOf(taskId),
          logEvents: messages.map((message, i) => ({ timestamp: now + i, message })),
        }),
      );
    },
    destroy() {
      ec2.destroy();
      ecs.destroy();
      logs.destroy();
    },
  };
}

async function registerRevision({ ecs, family, logGroup, image, tags }) {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: CONTAINER,
          image,
          memory: 512,
          essential: true,
          command: ['node', 'server.js'],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': logGroup,
              'awslogs-region': REGION,
              'awslogs-stream-prefix': STREAM_PREFIX,
            },
          },
        },
      ],
      ...(tags ? { tags } : {}),
    }),
  );
  return /** @type {string} */ (taskDefinition?.taskDefinitionArn);
}
