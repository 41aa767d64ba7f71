/**
 * The bundled db-tunnel run as a person runs it (`node tools/db-tunnel/dist/index.js -e <env>`),
 * against moto: the environment's stacks carry the output names of the real templates (read from
 * cloudformation/app.yaml and data.yaml, so a renamed output fails here), the service runs in a VPC
 * with a NAT route, the task role has app.yaml's own channel statement.
 *
 * Gaps of moto, scripted through the fault proxy and named where they matter:
 * - ECS tasks in moto have no containers[].runtimeId and no managedAgents, and moto drops
 *   enableExecuteCommand: DescribeTasks answers get the runtime id and a RUNNING
 *   ExecuteCommandAgent added (shapes of API_Container / API_ManagedAgent), and the RunTask request
 *   itself is checked for enableExecuteCommand. The states before RUNNING are unit-tested
 *   (target.test.ts, wait-for-target.test.ts).
 * - moto has no iam:SimulatePrincipalPolicy: the proxy answers it AccessDenied, as it is for a
 *   person without that permission, and the check falls back to reading the role's policies from
 *   moto (GetRolePolicy), which is the path under test.
 * - There is no SSM session at all: `aws` and `session-manager-plugin` are stand-ins on PATH
 *   (helpers.ts); the fake aws records the argv it got.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateStackCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { createServer, type Server } from 'node:net';
import { createClient, type ServiceEnvId } from '../../../actions/common/src/aws-client.js';
import {
  type FaultProxy,
  jsonTarget,
  queryAction,
  queryError,
  startFaultProxy,
} from '../../../test-support/fault-proxy.js';
import { setTransition, unsetTransition } from '../../../test-support/moto.js';
import { loadTemplate, statementsOf } from '../../../tests/support-cfn/templates.js';
import { fakeTools, fileAppears, removeFakeTools, runBundle, type FakeTools } from './helpers.js';

jest.setTimeout(120_000);

const ENV = 'tunnelit';
const REGION = 'us-east-1';
const context = { action: 'db-tunnel-test' };
const cloudformation = createClient(CloudFormationClient, 'CLOUDFORMATION', context);
const ecs = createClient(ECSClient, 'ECS', context);
const ec2 = createClient(EC2Client, 'EC2', context);
const iam = createClient(IAMClient, 'IAM' as ServiceEnvId, context);

const WRITER = `${ENV}-data-databasecluster-0abc.cluster-cxyz.${REGION}.rds.amazonaws.com`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:rds!cluster-0abc-Xy12Z9`;

interface World {
  clusterArn: string;
  taskDefinitionArn: string;
  subnets: string[];
  securityGroups: string[];
}
let world: World;
let proxy: FaultProxy;

/** What the tunnel's RunTask asked for, as sent (moto keeps no enableExecuteCommand). */
function runTaskRequests(): Record<string, unknown>[] {
  return proxy.requests
    .filter(
      (request) => request.headers['x-amz-target'] === 'AmazonEC2ContainerServiceV20141113.RunTask',
    )
    .map((request) => JSON.parse(request.body) as Record<string, unknown>);
}

async function tunnelTasks(): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    const page = await ecs.send(new ListTasksCommand({ cluster: ENV, desiredStatus }));
    arns.push(...(page.taskArns ?? []));
  }
  if (arns.length === 0) return [];
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: ENV, tasks: arns }));
  return tasks.filter((task) => task.startedBy?.startsWith('db-tunnel/'));
}

/** A stack whose outputs are named exactly as the real template names them. */
async function stackWithOutputs(options: {
  name: string;
  template: 'app' | 'data';
  values: Record<string, string>;
  parameters: Record<string, string>;
}): Promise<void> {
  const real = loadTemplate(options.template);
  const outputs: Record<string, { Value: string }> = {};
  for (const key of Object.keys(real.Outputs ?? {})) {
    outputs[key] = { Value: options.values[key] ?? `unused-${key}` };
  }
  for (const key of Object.keys(options.values)) {
    if (!(key in outputs))
      throw new Error(`cloudformation/${options.template}.yaml has no output ${key}`);
  }
  const parameters = Object.fromEntries(
    Object.keys(options.parameters).map((key) => {
      if (!(key in (real.Parameters ?? {}))) {
        throw new Error(`cloudformation/${options.template}.yaml has no parameter ${key}`);
      }
      return [key, { Type: 'String' }];
    }),
  );
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: parameters,
    // moto needs one resource; the outputs are what the tunnel reads.
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: outputs,
  };
  const stackParameters: Parameter[] = Object.entries(options.parameters).map(([key, value]) => ({
    ParameterKey: key,
    ParameterValue: value,
  }));
  await cloudformation.send(
    new CreateStackCommand({
      StackName: options.name,
      TemplateBody: JSON.stringify(template),
      Parameters: stackParameters,
    }),
  );
}

/** app.yaml's TaskRole policy statements whose resource is `*` (the ECS Exec channels among them). */
function appTaskRolePolicy(): string {
  const role = loadTemplate('app').Resources.TaskRole;
  const policies = (role?.Properties?.Policies ?? []) as { PolicyDocument: unknown }[];
  const statements = policies
    .flatMap((policy) => statementsOf(policy.PolicyDocument))
    .filter((statement) => statement.Resource === '*');
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function buildWorld(): Promise<World> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = Vpc?.VpcId as string;
  // As network.yaml has it (and interface endpoints' private DNS needs); moto's RunTask also
  // fails on an awsvpc task in a VPC without DNS hostnames (its ENI then has no private name).
  await ec2.send(
    new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }),
  );
  const subnets: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.20.${32 + index * 16}.0/20`,
        AvailabilityZone: `${REGION}${zone}`,
      }),
    );
    subnets.push(Subnet?.SubnetId as string);
  }
  const { Subnet: publicSubnet } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: '10.20.0.0/20',
      AvailabilityZone: `${REGION}a`,
    }),
  );
  const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const { NatGateway } = await ec2.send(
    new CreateNatGatewayCommand({ SubnetId: publicSubnet?.SubnetId, AllocationId }),
  );
  for (const subnet of subnets) {
    const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: RouteTable?.RouteTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: NatGateway?.NatGatewayId,
      }),
    );
    await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: RouteTable?.RouteTableId, SubnetId: subnet }),
    );
  }
  const securityGroups: string[] = [];
  for (const name of ['api', 'db-client']) {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `${ENV}-${name}`,
        Description: name,
        VpcId: vpcId,
      }),
    );
    securityGroups.push(GroupId as string);
  }

  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: `${ENV}-app-TaskRole-0TEST`,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: Role?.RoleName,
      PolicyName: 'api',
      PolicyDocument: appTaskRolePolicy(),
    }),
  );

  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: ENV }));
  // Two revisions: the service runs the second, so "current revision" is not just "the first".
  let taskDefinitionArn = '';
  for (const tag of ['v1', 'v2']) {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${ENV}-api`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        taskRoleArn: Role?.Arn,
        containerDefinitions: [
          {
            name: 'api',
            image: `123456789012.dkr.ecr.${REGION}.amazonaws.com/${ENV}/api:${tag}`,
            essential: true,
            // moto sums container-level cpu/memory when placing a task and fails on a container
            // without them (real Fargate takes the task-level sizes alone).
            cpu: 256,
            memory: 512,
            readonlyRootFilesystem: false,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    taskDefinitionArn = taskDefinition?.taskDefinitionArn as string;
  }
  await ecs.send(
    new CreateServiceCommand({
      cluster: ENV,
      serviceName: `${ENV}-api`,
      taskDefinition: taskDefinitionArn,
      desiredCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      enableExecuteCommand: true,
      networkConfiguration: {
        awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' },
      },
    }),
  );

  await stackWithOutputs({
    name: `${ENV}-app`,
    template: 'app',
    values: { ClusterName: ENV, ServiceName: `${ENV}-api`, ContainerName: 'api' },
    parameters: { BootstrapImage: 'docker.io/traefik/whoami:v1.10' },
  });
  await stackWithOutputs({
    name: `${ENV}-data`,
    template: 'data',
    values: { WriterEndpoint: WRITER, Port: '3306', DatabaseName: 'app', SecretArn: SECRET_ARN },
    parameters: { MasterUsername: 'appmaster' },
  });
  return { clusterArn: cluster?.clusterArn as string, taskDefinitionArn, subnets, securityGroups };
}

/** moto's DescribeTasks with what real ECS adds once the agent is up (runtime id, ExecuteCommandAgent). */
function withExecAgent(body: string): string {
  const answer = JSON.parse(body) as { tasks?: Record<string, unknown>[] };
  for (const task of answer.tasks ?? []) {
    if (task.lastStatus !== 'RUNNING') continue;
    const id = String(task.taskArn).split('/').pop();
    task.enableExecuteCommand = true;
    for (const [index, container] of (
      (task.containers ?? []) as Record<string, unknown>[]
    ).entries()) {
      container.runtimeId = `${id}-${1000000000 + index}`;
      container.managedAgents = [
        { name: 'ExecuteCommandAgent', lastStatus: 'RUNNING', lastStartedAt: Date.now() / 1000 },
      ];
    }
  }
  return JSON.stringify(answer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function bundleEnv(tools: FakeTools, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: tools.path,
    HOME: tools.dir,
    AWS_ENDPOINT_URL: proxy.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_MAX_ATTEMPTS: '2',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    FAKE_AWS_LOG: tools.log,
    ...extra,
  };
}

beforeAll(async () => {
  // moto moves a task one state on from RUNNING at each DescribeTasks by default; a tunnel task
  // stays RUNNING until StopTask (which moto applies at once) or its TTL.
  await setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
  world = await buildWorld();
  proxy = await startFaultProxy({
    target: process.env.AWS_ENDPOINT_URL as string,
    rules: [
      {
        match: jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeTasks'),
        times: Infinity,
        transform: (_request, upstream) => ({
          status: upstream.status,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: upstream.status === 200 ? withExecAgent(upstream.body) : upstream.body,
        }),
      },
      {
        match: queryAction('SimulatePrincipalPolicy'),
        times: Infinity,
        response: queryError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:SimulatePrincipalPolicy',
          403,
        ),
      },
    ],
  });
});

afterAll(async () => {
  removeFakeTools();
  await unsetTransition('ecs::task');
  await proxy?.stop();
  for (const client of [cloudformation, ecs, ec2, iam]) client.destroy();
});

describe('db-tunnel --print', () => {
  it('reads the stacks and prints the task it would start and the session, starting nothing', async () => {
    const tools = fakeTools();
    const port = await freePort();
    const result = await runBundle({
      args: ['--environment', ENV, '--local-port', String(port), '--ttl', '45m', '--print'],
      env: bundleEnv(tools),
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain(
      `AWS account 123456789012 as arn:aws:sts::123456789012:user/moto, region ${REGION}.`,
    );
    expect(out).toContain(
      `runs ${ENV}-api:2; the tunnel goes through container api to ${WRITER}:3306.`,
    );
    // Every preflight check passes in this world, the IAM one through the role's own policy.
    expect(out).toMatch(
      /ok +task role allows the ECS Exec channels: role tunnelit-app-TaskRole-0TEST allows the four ssmmessages actions \(its policies\)/,
    );
    expect(out).toMatch(/ok +network reaches ssmmessages: subnet-\w+ via NAT gateway nat-\w+/);
    expect(out).not.toContain('FAILED');

    // The run-task line is a real command: its JSON is the request db-tunnel would send.
    const runTask = /aws ecs run-task --cli-input-json '([^']+)'/.exec(out)?.[1];
    expect(JSON.parse(runTask as string)).toEqual({
      cluster: world.clusterArn,
      taskDefinition: world.taskDefinitionArn,
      count: 1,
      startedBy: 'db-tunnel/moto',
      enableExecuteCommand: true,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: world.subnets,
          securityGroups: world.securityGroups,
          assignPublicIp: 'DISABLED',
        },
      },
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      overrides: { containerOverrides: [{ name: 'api', command: ['sleep', '2700'] }] },
    });
    expect(out).toContain(
      `aws ssm start-session --target 'ecs:${ENV}_<task-id>_<runtime-id>' --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters '{"host":["${WRITER}"],"portNumber":["3306"],"localPortNumber":["${port}"]}'`,
    );
    expect(out).toMatch(/Hostname: +127\.0\.0\.1/);
    expect(out).toMatch(/Username: +appmaster/);
    expect(out).toContain(
      `aws secretsmanager get-secret-value --secret-id '${SECRET_ARN}' --query SecretString`,
    );

    expect(runTaskRequests()).toHaveLength(0);
    expect(await tunnelTasks()).toHaveLength(0);
    expect(tools.calls()).toHaveLength(0);
  });
});

describe('db-tunnel', () => {
  it("starts the tunnel task in the service's network, runs the session on its target, and stops the task", async () => {
    const tools = fakeTools();
    const port = await freePort();
    const before = runTaskRequests().length;
    // Region and credentials from the profile in ~/.aws, as on a laptop: none in the environment.
    const env = bundleEnv(tools, { FAKE_AWS_MODE: 'exit' });
    for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      delete env[name];
    const result = await runBundle({
      args: ['-e', ENV, '-p', String(port), '--profile', 'tunnel'],
      env,
    });
    expect(result.exitCode).toBe(0);

    const requests = runTaskRequests().slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ enableExecuteCommand: true, startedBy: 'db-tunnel/moto' });

    const [task, ...others] = await tunnelTasks();
    expect(others).toHaveLength(0);
    const taskId = String(task?.taskArn).split('/').pop() as string;
    // The dedicated task: the service's current revision, its subnet and groups, the TTL command.
    expect(task?.taskDefinitionArn).toBe(world.taskDefinitionArn);
    expect(task?.overrides?.containerOverrides).toEqual([
      { name: 'api', command: ['sleep', '3600'] },
    ]);
    const subnet = task?.attachments?.[0]?.details?.find(
      (detail) => detail.name === 'subnetId',
    )?.value;
    expect(world.subnets).toContain(subnet);
    // Stopped on exit, with a reason that says who and why.
    expect(task?.desiredStatus).toBe('STOPPED');
    expect(task?.stoppedReason).toBe('db-tunnel: session ended (db-tunnel/moto)');

    // The session: the target built from the container's runtime id, the writer, the ports.
    expect(tools.calls()).toEqual([
      {
        profile: null,
        argv: [
          'ssm',
          'start-session',
          '--target',
          `ecs:${ENV}_${taskId}_${taskId}-1000000000`,
          '--document-name',
          'AWS-StartPortForwardingSessionToRemoteHost',
          '--parameters',
          JSON.stringify({ host: [WRITER], portNumber: ['3306'], localPortNumber: [String(port)] }),
          '--reason',
          `db-tunnel ${ENV} by db-tunnel/moto`,
          '--region',
          REGION,
          '--profile',
          'tunnel',
        ],
      },
    ]);
    expect(result.stdout).toContain(`Started tunnel task ${taskId} (startedBy db-tunnel/moto)`);
    expect(result.stdout).toContain('Waiting for connections...');
    expect(result.stdout).toContain(`Stopped tunnel task ${taskId}.`);
    expect(result.stdout.indexOf('Hostname:')).toBeLessThan(
      result.stdout.indexOf('Waiting for connections'),
    );
  });

  it('on Ctrl-C ends the session, stops the task and exits 130', async () => {
    const tools = fakeTools();
    const port = await freePort();
    const known = new Set((await tunnelTasks()).map((task) => task.taskArn));
    const result = await runBundle({
      args: ['-e', ENV, '-p', String(port)],
      env: bundleEnv(tools, { FAKE_AWS_MODE: 'wait' }),
      whileRunning: async (child) => {
        await fileAppears(`${tools.log}.ready`);
        // The terminal would send SIGINT to both; here db-tunnel gets it and forwards it.
        child.kill('SIGINT');
      },
    });
    expect(result.exitCode).toBe(130);
    const fresh = (await tunnelTasks()).filter((task) => !known.has(task.taskArn));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.desiredStatus).toBe('STOPPED');
    expect(result.stdout).toContain('Exiting session with sessionId');
  });

  it('explains TargetNotConnectedException and still stops the task', async () => {
    const tools = fakeTools();
    const known = new Set((await tunnelTasks()).map((task) => task.taskArn));
    const result = await runBundle({
      args: ['-e', ENV, '-p', String(await freePort())],
      env: bundleEnv(tools, { FAKE_AWS_MODE: 'target-not-connected' }),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('An error occurred (TargetNotConnectedException)');
    expect(result.stderr).toContain('Error: The tunnel task is not connected to Systems Manager');
    expect(result.stderr).toContain(
      'Fix: The ECS Exec agent in the task could not open its channel',
    );
    const fresh = (await tunnelTasks()).filter((task) => !known.has(task.taskArn));
    expect(fresh.map((task) => task.desiredStatus)).toEqual(['STOPPED']);
  });

  it('starts nothing when a preflight check fails, and says how to fix each', async () => {
    const tools = fakeTools({ plugin: false });
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const before = runTaskRequests().length;
    try {
      const result = await runBundle({
        args: ['-e', ENV, '-p', String(port)],
        env: bundleEnv(tools),
      });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(
        /FAILED +Session Manager plugin: no `session-manager-plugin` on PATH/,
      );
      expect(result.stdout).toMatch(
        /Fix: install it \(macOS: brew install --cask session-manager-plugin/,
      );
      expect(result.stdout).toMatch(
        new RegExp(`FAILED +local port ${port}: something on this machine already listens`),
      );
      expect(result.stderr).toContain('Nothing was started: 2 checks failed');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    expect(runTaskRequests().length).toBe(before);
    expect(tools.calls()).toHaveLength(0);
  });

  it('names the missing stack, the account and the region for a wrong --environment', async () => {
    const tools = fakeTools();
    const result = await runBundle({ args: ['-e', 'nosuchenv'], env: bundleEnv(tools) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: No stack nosuchenv-app or nosuchenv-data');
    expect(result.stderr).toContain(`in account 123456789012, region ${REGION}`);
    expect(result.stderr).toContain('Fix: Check --environment');
  });
});
