/**
 * The pure parts of the plan: who the task says started it, the RunTask request (fields as
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html has them), which
 * container, the environment from stack outputs (DescribeStacks shapes), and the Workbench lines.
 */
import { describe, expect, it } from '@jest/globals';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { ActionError } from '../../../actions/common/src/errors.js';
import { taskPlacementFromService } from '../../../actions/common/src/ecs/network.js';
import { stackValues, tunnelEnvironment } from '../src/environment.js';
import {
  personOf,
  ttlCommand,
  tunnelContainer,
  tunnelStartedBy,
  tunnelTaskRequest,
} from '../src/tunnel-task.js';
import { passwordCommand, workbenchSettings } from '../src/workbench.js';

describe('tunnelStartedBy', () => {
  it('names the tool and the person from the caller ARN', () => {
    expect(
      tunnelStartedBy(
        'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_0a1b/alice@example.com',
      ),
    ).toBe('db-tunnel/alice-example-com');
    expect(tunnelStartedBy('arn:aws:iam::123456789012:user/ops/bob')).toBe('db-tunnel/bob');
    expect(tunnelStartedBy('arn:aws:iam::123456789012:root')).toBe('db-tunnel/root');
    expect(personOf('arn:aws-cn:sts::123456789012:assumed-role/Admin/session/with/slashes')).toBe(
      'session/with/slashes',
    );
  });

  it('keeps to RunTask startedBy: at most 128 of letters, digits, - / _', () => {
    const long = tunnelStartedBy(`arn:aws:sts::1:assumed-role/R/${'ü.x+y='.repeat(40)}`);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z0-9_/-]+$/);
  });
});

const taskDefinition: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-api:8',
  family: 'prod-api',
  revision: 8,
  networkMode: 'awsvpc',
  taskRoleArn: 'arn:aws:iam::123456789012:role/prod-app-TaskRole-X',
  containerDefinitions: [
    { name: 'api', image: 'repo/api:v1', essential: true },
    { name: 'log-router', image: 'fluent-bit', essential: false },
  ],
};

describe('tunnelContainer', () => {
  it('takes the named container, else the only essential one', () => {
    expect(tunnelContainer({ taskDefinition, wanted: 'log-router' }).name).toBe('log-router');
    expect(tunnelContainer({ taskDefinition }).name).toBe('api');
  });

  it('fails naming the containers when the name is wrong or the choice ambiguous', () => {
    expect(() => tunnelContainer({ taskDefinition, wanted: 'web' })).toThrow(
      /has no container web; it has api, log-router/,
    );
    const two = {
      ...taskDefinition,
      containerDefinitions: [
        { name: 'api', essential: true },
        { name: 'worker', essential: true },
      ],
    };
    expect(() => tunnelContainer({ taskDefinition: two })).toThrow(ActionError);
  });
});

describe('tunnelTaskRequest', () => {
  const placement = taskPlacementFromService({
    serviceName: 'prod-api',
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0aaa', 'subnet-0bbb'],
        securityGroups: ['sg-0api', 'sg-0db-client'],
        assignPublicIp: 'DISABLED',
      },
    },
  });

  it("runs the service's revision in its network with ECS Exec and a sleep for the TTL", () => {
    expect(
      tunnelTaskRequest({
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
        taskDefinitionArn: taskDefinition.taskDefinitionArn as string,
        container: 'api',
        placement,
        ttlMs: 3_600_000,
        startedBy: 'db-tunnel/alice',
      }),
    ).toEqual({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/prod-api:8',
      count: 1,
      startedBy: 'db-tunnel/alice',
      enableExecuteCommand: true,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaa', 'subnet-0bbb'],
          securityGroups: ['sg-0api', 'sg-0db-client'],
          assignPublicIp: 'DISABLED',
        },
      },
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      overrides: { containerOverrides: [{ name: 'api', command: ['sleep', '3600'] }] },
    });
  });

  it('sleeps whole seconds, rounded up', () => {
    expect(ttlCommand(90 * 60_000)).toEqual(['sleep', '5400']);
    expect(ttlCommand(300_500)).toEqual(['sleep', '301']);
  });
});

/** The two stacks as DescribeStacks returns them (Outputs and Parameters lists). */
const appStack = stackValues({
  StackName: 'prod-app',
  CreationTime: new Date(),
  StackStatus: 'UPDATE_COMPLETE',
  Parameters: [{ ParameterKey: 'ContainerPort', ParameterValue: '8080' }],
  Outputs: [
    { OutputKey: 'ClusterName', OutputValue: 'prod' },
    { OutputKey: 'ServiceName', OutputValue: 'prod-api' },
    { OutputKey: 'ContainerName', OutputValue: 'api' },
  ],
});
const dataStack = stackValues({
  StackName: 'prod-data',
  CreationTime: new Date(),
  StackStatus: 'CREATE_COMPLETE',
  Parameters: [
    { ParameterKey: 'MasterUsername', ParameterValue: 'appmaster' },
    { ParameterKey: 'AppUsername', ParameterValue: 'app' },
  ],
  Outputs: [
    {
      OutputKey: 'WriterEndpoint',
      OutputValue: 'prod-data-db.cluster-cxyz.eu-west-1.rds.amazonaws.com',
    },
    { OutputKey: 'Port', OutputValue: '3306' },
    { OutputKey: 'DatabaseName', OutputValue: 'app' },
    {
      OutputKey: 'SecretArn',
      OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-Xy12',
    },
    {
      OutputKey: 'AppUserSecretArn',
      OutputValue:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-data-AppUserSecret-Q1w2E3',
    },
    { OutputKey: 'AppUsername', OutputValue: 'app' },
  ],
});

describe('tunnelEnvironment', () => {
  it('reads cluster, service, container, writer, port, schema, secret and user from the stacks', () => {
    expect(tunnelEnvironment({ environment: 'prod', app: appStack, data: dataStack })).toEqual({
      name: 'prod',
      appStack: 'prod-app',
      dataStack: 'prod-data',
      cluster: 'prod',
      service: 'prod-api',
      container: 'api',
      writerEndpoint: 'prod-data-db.cluster-cxyz.eu-west-1.rds.amazonaws.com',
      port: 3306,
      databaseName: 'app',
      user: 'master',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-Xy12',
      username: 'appmaster',
    });
  });

  it("gives the application user's name and secret with --user app", () => {
    const environment = tunnelEnvironment({
      environment: 'prod',
      app: appStack,
      data: dataStack,
      user: 'app',
    });
    expect([environment.user, environment.username, environment.secretArn]).toEqual([
      'app',
      'app',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-data-AppUserSecret-Q1w2E3',
    ]);
    const older = { ...dataStack, outputs: { ...dataStack.outputs, AppUserSecretArn: '' } };
    expect(() =>
      tunnelEnvironment({ environment: 'prod', app: appStack, data: older, user: 'app' }),
    ).toThrow('Missing: prod-data output AppUserSecretArn.');
  });

  it('names every missing output of each stack', () => {
    const bare = { name: 'prod-data', outputs: { Port: '3306' }, parameters: {} };
    expect(() => tunnelEnvironment({ environment: 'prod', app: appStack, data: bare })).toThrow(
      'Missing: prod-data output WriterEndpoint, prod-data output SecretArn.',
    );
  });

  it('refuses a port that is not one', () => {
    const odd = { ...dataStack, outputs: { ...dataStack.outputs, Port: '33o6' } };
    expect(() => tunnelEnvironment({ environment: 'prod', app: appStack, data: odd })).toThrow(
      /not a port number/,
    );
  });
});

describe('workbenchSettings', () => {
  const environment = tunnelEnvironment({ environment: 'prod', app: appStack, data: dataStack });
  const lines = workbenchSettings({
    environment,
    localPort: 3307,
    region: 'eu-west-1',
    profile: 'prod-admin',
  });
  const text = lines.join('\n');

  it("gives the dialog's fields: 127.0.0.1, the local port, the user, the schema, TLS required", () => {
    expect(text).toMatch(/Hostname: +127\.0\.0\.1/);
    expect(text).toMatch(/Port: +3307/);
    expect(text).toMatch(/Username: +appmaster/);
    expect(text).toMatch(/Default Schema: +app/);
    expect(text).toMatch(/Use SSL: +Require/);
  });

  it('gives the command that reads the password, and never a password', () => {
    expect(text).toContain(
      `aws secretsmanager get-secret-value --secret-id 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-Xy12' --query SecretString --output text --region eu-west-1 --profile prod-admin`,
    );
    // The environment carries no password to print: the tool never reads the secret.
    expect(Object.keys(environment)).not.toContain('password');
    expect(passwordCommand({ secretArn: 'arn:x', region: 'us-east-1' })).not.toContain('--profile');
  });
});
