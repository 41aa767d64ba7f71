/**
 * A scripted ECS and CloudWatch Logs for in-process tests (aws-sdk-client-mock), answering with
 * the shapes of the API reference: DescribeServices
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html),
 * DescribeTaskDefinition (API_DescribeTaskDefinition.html, with `include: ['TAGS']`), RunTask
 * (API_RunTask.html: `tasks` and `failures`), DescribeTasks (API_DescribeTasks.html), StopTask
 * (API_StopTask.html) and GetLogEvents
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html:
 * forward tokens, the same token back at the end of the stream, ResourceNotFoundException before
 * the stream exists).
 */
import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  type Failure,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  StopTaskCommand,
  type Tag,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { MigrationInputs } from '../src/inputs.js';

export const ecsMock = mockClient(ECSClient);
export const logsMock = mockClient(CloudWatchLogsClient);

export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/prod`;
export const LIVE_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/app-api:7`;
export const NEW_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/app-api:8`;
export const TASK_ID = '4c1f9e0d2b7a4e5f8a6b3c2d1e0f9a8b';
export const TASK_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/prod/${TASK_ID}`;
export const STREAM = `api/api/${TASK_ID}`;
/** The run the tests' env describes, and the run tag deploy-ecs-service puts on its revisions. */
export const RUN_ENV = {
  AWS_REGION: 'eu-west-1',
  GITHUB_REPOSITORY: 'example/three-tier-app',
  GITHUB_RUN_ID: '9001',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
};
export const THIS_RUN_TAG: Tag = {
  key: 'three-tier-deploy:run',
  value: 'example/three-tier-app/9001/1',
};

export function service(fields: Partial<Service> = {}): Service {
  return {
    serviceName: 'app-api',
    serviceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/app-api`,
    clusterArn: CLUSTER_ARN,
    status: 'ACTIVE',
    taskDefinition: LIVE_ARN,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    capacityProviderStrategy: [],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
        securityGroups: ['sg-0cccccccccccccccc'],
        assignPublicIp: 'DISABLED',
      },
    },
    deployments: [
      { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: LIVE_ARN, rolloutState: 'COMPLETED' },
    ],
    ...fields,
  };
}

export function taskDefinition(
  arn: string,
  image: string,
  fields: Partial<TaskDefinition> = {},
): TaskDefinition {
  const revision = Number(arn.slice(arn.lastIndexOf(':') + 1));
  return {
    taskDefinitionArn: arn,
    family: 'app-api',
    revision,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'api',
        image,
        essential: true,
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/prod/api',
            'awslogs-region': 'eu-west-1',
            'awslogs-stream-prefix': 'api',
          },
        },
      },
    ],
    ...fields,
  };
}

export function inputs(fields: Partial<MigrationInputs> = {}): MigrationInputs {
  return {
    cluster: 'prod',
    service: 'app-api',
    taskDefinition: NEW_ARN,
    command: ['npm', 'run', 'migrate'],
    environment: {},
    secrets: [],
    subnets: [],
    securityGroups: [],
    stopOnCancel: true,
    deregisterOnFailure: true,
    timeoutMs: 30 * 60_000,
    ...fields,
  };
}

/** A task as DescribeTasks shows it in `status`; STOPPED ones carry an exit code or reasons. */
export function task(
  lastStatus: string,
  fields: Partial<Task> = {},
  container: Partial<NonNullable<Task['containers']>[number]> = {},
): Task {
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: NEW_ARN,
    lastStatus,
    desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    containers: [
      {
        name: 'api',
        lastStatus,
        ...(lastStatus === 'STOPPED' ? { exitCode: 0 } : {}),
        ...container,
      },
    ],
    ...(lastStatus === 'STOPPED'
      ? {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
        }
      : {}),
    ...fields,
  };
}

function ecsError(name: string, message: string): ECSServiceException {
  return new ECSServiceException({ name, $fault: 'client', $metadata: {}, message });
}

/** A log stream with the documented token rules; pages of `pageSize` events. */
export class FakeStream {
  events: OutputLogEvent[] = [];
  created = false;
  pageSize = 4;
  requests: GetLogEventsCommandInput[] = [];

  write(...messages: string[]): void {
    this.created = true;
    for (const message of messages)
      this.events.push({
        timestamp: 1_000 + this.events.length,
        message,
        ingestionTime: 1_000 + this.events.length,
      });
  }

  answer(input: GetLogEventsCommandInput) {
    this.requests.push(input);
    if (!this.created || input.logStreamName !== STREAM) {
      throw new CloudWatchLogsServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: {},
        message: 'The specified log stream does not exist.',
      });
    }
    const at = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
    const page = this.events.slice(at, at + this.pageSize);
    return {
      events: page,
      nextForwardToken:
        page.length === 0 && input.nextToken ? input.nextToken : `f/${at + page.length}`,
      nextBackwardToken: `b/${at}`,
    };
  }
}

export interface World {
  service: Service;
  definitions: Map<string, { taskDefinition: TaskDefinition; tags: Tag[] }>;
  /** What DescribeTasks answers, call by call; the last one repeats. A function sees the call number. */
  script: (Task | ((call: number) => Task))[];
  runTaskAnswer?: { tasks: Task[]; failures: Failure[] } | Error;
  stream: FakeStream;
  describeCalls: number;
  stopped: boolean;
  /** After StopTask, DescribeTasks answers this. */
  afterStop: Task;
  deregistered: string[];
}

/** Wires the mocks to a world; returns it for the test to shape. */
export function world(): World {
  ecsMock.reset();
  logsMock.reset();
  const w: World = {
    service: service(),
    definitions: new Map([
      [LIVE_ARN, { taskDefinition: taskDefinition(LIVE_ARN, 'repo/api:v1'), tags: [] }],
      [NEW_ARN, { taskDefinition: taskDefinition(NEW_ARN, 'repo/api:v2'), tags: [THIS_RUN_TAG] }],
    ]),
    script: [task('PROVISIONING'), task('RUNNING'), task('STOPPED')],
    stream: new FakeStream(),
    describeCalls: 0,
    stopped: false,
    afterStop: task(
      'STOPPED',
      { stopCode: 'UserInitiated', stoppedReason: 'stopped' },
      { exitCode: 143 },
    ),
    deregistered: [],
  };
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [w.service], failures: [] }));
  ecsMock
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input: DescribeTaskDefinitionCommandInput) => {
      const found = [...w.definitions.values()].find(
        (entry) =>
          entry.taskDefinition.taskDefinitionArn === input.taskDefinition ||
          `${entry.taskDefinition.family}:${entry.taskDefinition.revision}` ===
            input.taskDefinition,
      );
      if (!found) throw ecsError('ClientException', 'Unable to describe task definition.');
      return {
        taskDefinition: found.taskDefinition,
        tags: input.include?.includes('TAGS') ? found.tags : undefined,
      };
    });
  ecsMock.on(RunTaskCommand).callsFake((_input: RunTaskCommandInput) => {
    if (w.runTaskAnswer instanceof Error) throw w.runTaskAnswer;
    return w.runTaskAnswer ?? { tasks: [task('PROVISIONING')], failures: [] };
  });
  ecsMock.on(DescribeTasksCommand).callsFake(() => {
    const call = w.describeCalls++;
    if (w.stopped) return { tasks: [w.afterStop], failures: [] };
    const step = w.script[Math.min(call, w.script.length - 1)] as World['script'][number];
    return { tasks: [typeof step === 'function' ? step(call) : step], failures: [] };
  });
  ecsMock.on(StopTaskCommand).callsFake(() => {
    w.stopped = true;
    return { task: task('RUNNING', { desiredStatus: 'STOPPED' }) };
  });
  ecsMock.on(DeregisterTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    w.deregistered.push(input.taskDefinition);
    const entry = w.definitions.get(input.taskDefinition);
    return { taskDefinition: { ...entry?.taskDefinition, status: 'INACTIVE' } };
  });
  logsMock
    .on(GetLogEventsCommand)
    .callsFake((input: GetLogEventsCommandInput) => w.stream.answer(input));
  return w;
}

export { ecsError };
