/**
 * A scripted ECS (plus ECR, ELBv2 and CloudWatch Logs) for in-process tests of run(): one cluster,
 * one service, a task-definition family whose revisions register, deregister and describe with
 * tags, and a deployment whose state is a function of the time since UpdateService — so a test can
 * say "SUCCESSFUL after 12 s" or "ROLLBACK_REQUESTED after 20 s" and check when the action noticed.
 *
 * Every answer is built from the shapes of the API reference:
 * DescribeServices https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html,
 * UpdateService https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html,
 * DescribeServiceDeployments https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceDeployments.html,
 * ListServiceDeployments https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html,
 * DescribeServiceRevisions https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServiceRevisions.html,
 * Describe/Register/DeregisterTaskDefinition and ListTaskDefinitions (their API pages),
 * ListTasks/DescribeTasks https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html,
 * ECR DescribeImages https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html,
 * DescribeTargetHealth https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html,
 * GetLogEvents https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import {
  ClientException,
  type Deployment,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type ServiceDeployment,
  type ServiceEvent,
  type Tag,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { FakeClock } from '../../../test-support/action-context.js';
import { DEFAULT_TIMEOUT_MS, type DeployInputs } from '../src/inputs.js';
import { parseImageUri } from '../../common/src/ecs/image.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/prod-api`;
export const FAMILY = 'prod-api';
export const TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/prod-api/0123456789abcdef`;
export const digestOf = (n: number): string => `sha256:${String(n).padStart(64, 'a').slice(-64)}`;
export const arnOf = (revision: number): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${FAMILY}:${revision}`;
/** The environment of a run: repository prod, run 4242 attempt 1. */
export const RUN_ENV = {
  AWS_REGION: REGION,
  GITHUB_REPOSITORY: 'example/app',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
};
export const RUN_TAG = 'example/app/4242/1';

export const ecs = mockClient(ECSClient);
export const ecr = mockClient(ECRClient);
export const elb = mockClient(ElasticLoadBalancingV2Client);
export const logs = mockClient(CloudWatchLogsClient);

/** The revision CloudFormation created and the service runs at the start: read-only fields included. */
export function bootstrapDefinition(revision = 5, image = `${REGISTRY}/api:v1`): TaskDefinition {
  return {
    taskDefinitionArn: arnOf(revision),
    family: FAMILY,
    revision,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'ecs.capability.execution-role-awslogs' }],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/prod-exec`,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/prod-task`,
    registeredAt: new Date('2026-01-01T00:00:00Z'),
    registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/cfn-exec/x`,
    volumes: [],
    placementConstraints: [],
    containerDefinitions: [
      {
        name: 'api',
        image,
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'http' }],
        environment: [
          { name: 'PORT', value: '8080' },
          { name: 'DB_TLS', value: 'rds' },
        ],
        secrets: [
          {
            name: 'DB_PASSWORD',
            valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db`,
          },
        ],
        mountPoints: [],
        volumesFrom: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/prod/api',
            'awslogs-region': REGION,
            'awslogs-stream-prefix': 'api',
          },
        },
      },
      {
        name: 'xray',
        image: 'public.ecr.aws/xray/aws-xray-daemon:3',
        essential: false,
        cpu: 32,
        memoryReservation: 64,
      },
    ],
  };
}

interface StoredRevision {
  definition: TaskDefinition;
  tags: Tag[];
}

/** What the deployment looks like `t` ms after UpdateService. */
export type Script = (
  t: number,
  world: World,
) => Partial<ServiceDeployment> & { events?: string[] };

export interface World {
  clock: FakeClock;
  revisions: Map<number, StoredRevision>;
  serviceTaskDefinition: string;
  deployments: Deployment[];
  events: ServiceEvent[];
  /** False: the service-deployment calls answer as moto does (HTTP 500, no AWS error). */
  serviceDeploymentsAvailable: boolean;
  /** UpdateService's answer carries currentServiceDeployment (real ECS since 2024). */
  returnsCurrentServiceDeployment: boolean;
  script: Script;
  updatedAt?: number;
  updates: UpdateServiceCommandInput[];
  images: Map<string, string>;
  stoppedTasks: Task[];
  targets: TargetHealthDescription[];
  logLines: string[];
  /** Calls by operation name, in order. */
  calls: string[];
  /** The revision ECS rolls back to on a failed deployment (the one the service ran before). */
  rollbackTo?: string;
}

const DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/prod-api/NEWDEPLOYMENT`;
const revisionArn = (n: number): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/prod-api/${n}`;

export function world(clock: FakeClock, overrides: Partial<World> = {}): World {
  const w: World = {
    clock,
    revisions: new Map([
      [5, { definition: bootstrapDefinition(), tags: [{ key: 'Environment', value: 'prod' }] }],
    ]),
    serviceTaskDefinition: arnOf(5),
    deployments: [
      {
        id: 'ecs-svc/1111',
        status: 'PRIMARY',
        taskDefinition: arnOf(5),
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        rolloutState: 'COMPLETED',
        createdAt: new Date(clock.now() - 86_400_000),
      },
    ],
    events: [
      {
        id: 'old-1',
        createdAt: new Date(clock.now() - 3_600_000),
        message: '(service prod-api) has reached a steady state.',
      },
    ],
    serviceDeploymentsAvailable: true,
    returnsCurrentServiceDeployment: true,
    script: (t) => (t >= 12_000 ? { status: 'SUCCESSFUL' } : { status: 'IN_PROGRESS' }),
    updates: [],
    images: new Map([
      ['v1', digestOf(1)],
      ['v2', digestOf(2)],
    ]),
    stoppedTasks: [],
    targets: [],
    logLines: [],
    calls: [],
    ...overrides,
  };
  install(w);
  return w;
}

function newestRevision(w: World): number {
  return Math.max(...w.revisions.keys());
}

function describeRevision(w: World, ref: string): StoredRevision {
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  const [family, rev] = name.split(':');
  const revision = rev
    ? Number(rev)
    : Math.max(
        ...[...w.revisions].filter(([, r]) => r.definition.status === 'ACTIVE').map(([n]) => n),
      );
  const found = family === FAMILY ? w.revisions.get(revision) : undefined;
  if (!found) {
    throw new ClientException({
      message: 'Unable to describe task definition.',
      $metadata: { httpStatusCode: 400 },
    });
  }
  return found;
}

function since(w: World): number {
  return w.updatedAt === undefined ? -1 : w.clock.now() - w.updatedAt;
}

/** The scripted state now: the service deployment, and the matching DescribeServices view. */
function scripted(w: World): { deployment: ServiceDeployment; events: string[] } {
  const t = since(w);
  const { events = [], ...state } = w.script(t, w);
  const target = w.updates.at(-1)?.taskDefinition ?? w.serviceTaskDefinition;
  const deployment: ServiceDeployment = {
    serviceDeploymentArn: DEPLOYMENT_ARN,
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    createdAt: new Date(w.updatedAt ?? w.clock.now()),
    status: 'IN_PROGRESS',
    sourceServiceRevisions: [
      { arn: revisionArn(1), requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
    ],
    targetServiceRevision: {
      arn: revisionArn(2),
      requestedTaskCount: 2,
      runningTaskCount: t >= 6_000 ? 1 : 0,
      pendingTaskCount: t >= 6_000 ? 1 : 2,
    },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    ...state,
  };
  void target;
  return { deployment, events };
}

function applyScriptToService(w: World): void {
  if (w.updatedAt === undefined) return;
  const { deployment, events } = scripted(w);
  // The service's own view follows the service deployment: counts, rolloutState, events.
  const primary = w.deployments.find((d) => d.status === 'PRIMARY');
  if (primary) {
    primary.runningCount = deployment.targetServiceRevision?.runningTaskCount;
    primary.pendingCount = deployment.targetServiceRevision?.pendingTaskCount;
    primary.rolloutState =
      deployment.status === 'SUCCESSFUL'
        ? 'COMPLETED'
        : deployment.status?.startsWith('ROLLBACK') ||
            deployment.deploymentCircuitBreaker?.status === 'TRIGGERED'
          ? 'FAILED'
          : 'IN_PROGRESS';
    if (primary.rolloutState === 'FAILED') primary.rolloutStateReason = deployment.statusReason;
  }
  for (const [index, message] of events.entries()) {
    const id = `scripted-${index}-${message.length}`;
    if (!w.events.some((e) => e.id === id)) {
      w.events.unshift({ id, createdAt: new Date(w.clock.now()), message });
    }
  }
}

function motoLikeError(): Error {
  // What the SDK makes of moto's HTML 500 page for an operation it lacks.
  return Object.assign(
    new SyntaxError(
      'Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error',
    ),
    {
      $metadata: { httpStatusCode: 500, attempts: 3 },
    },
  );
}

function install(w: World): void {
  const note = (name: string): void => void w.calls.push(name);
  ecs.on(DescribeServicesCommand).callsFake(() => {
    note('DescribeServices');
    applyScriptToService(w);
    return {
      services: [
        {
          serviceArn: SERVICE_ARN,
          serviceName: 'prod-api',
          clusterArn: CLUSTER_ARN,
          status: 'ACTIVE',
          taskDefinition: w.serviceTaskDefinition,
          desiredCount: 2,
          deployments: structuredClone(w.deployments),
          events: structuredClone(w.events),
          loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'api', containerPort: 8080 }],
        },
      ],
      failures: [],
    };
  });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input: { taskDefinition: string; include?: string[] }) => {
      note('DescribeTaskDefinition');
      const found = describeRevision(w, input.taskDefinition);
      return {
        taskDefinition: structuredClone(found.definition),
        ...(input.include?.includes('TAGS') ? { tags: structuredClone(found.tags) } : {}),
      };
    });
  ecs
    .on(ListTaskDefinitionsCommand)
    .callsFake((input: { familyPrefix?: string; status?: string }) => {
      note('ListTaskDefinitions');
      return {
        taskDefinitionArns: [...w.revisions]
          .filter(([, r]) => r.definition.status === (input.status ?? 'ACTIVE'))
          .filter(([, r]) => r.definition.family?.startsWith(input.familyPrefix ?? ''))
          .map(([n]) => arnOf(n)),
      };
    });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    note('RegisterTaskDefinition');
    const revision = newestRevision(w) + 1;
    const { tags = [], ...fields } = structuredClone(input);
    const definition: TaskDefinition = {
      ...fields,
      taskDefinitionArn: arnOf(revision),
      revision,
      status: 'ACTIVE',
      registeredAt: new Date(w.clock.now()),
    };
    w.revisions.set(revision, { definition, tags });
    return { taskDefinition: structuredClone(definition), tags: structuredClone(tags) };
  });
  ecs.on(DeregisterTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    note('DeregisterTaskDefinition');
    const found = describeRevision(w, input.taskDefinition);
    found.definition.status = 'INACTIVE';
    return { taskDefinition: structuredClone(found.definition) };
  });
  ecs.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
    note('UpdateService');
    w.updates.push(input);
    w.updatedAt = w.clock.now();
    w.serviceTaskDefinition = input.taskDefinition ?? w.serviceTaskDefinition;
    for (const d of w.deployments) d.status = 'ACTIVE';
    w.deployments.unshift({
      id: 'ecs-svc/2222',
      status: 'PRIMARY',
      taskDefinition: input.taskDefinition,
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      rolloutState: 'IN_PROGRESS',
      createdAt: new Date(w.clock.now()),
    });
    return {
      service: {
        serviceArn: SERVICE_ARN,
        serviceName: 'prod-api',
        clusterArn: CLUSTER_ARN,
        status: 'ACTIVE',
        taskDefinition: w.serviceTaskDefinition,
        deployments: structuredClone(w.deployments),
        ...(w.returnsCurrentServiceDeployment ? { currentServiceDeployment: DEPLOYMENT_ARN } : {}),
      },
    };
  });
  ecs.on(ListServiceDeploymentsCommand).callsFake(() => {
    note('ListServiceDeployments');
    if (!w.serviceDeploymentsAvailable) throw motoLikeError();
    return {
      serviceDeployments: [
        {
          serviceDeploymentArn: DEPLOYMENT_ARN,
          serviceArn: SERVICE_ARN,
          clusterArn: CLUSTER_ARN,
          createdAt: new Date(w.updatedAt ?? 0),
          targetServiceRevisionArn: revisionArn(2),
          status: scripted(w).deployment.status,
        },
      ],
    };
  });
  ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => {
    note('DescribeServiceRevisions');
    const map: Record<string, string | undefined> = {
      [revisionArn(1)]: w.rollbackTo ?? arnOf(5),
      [revisionArn(2)]: w.updates.at(-1)?.taskDefinition,
    };
    return {
      serviceRevisions: input.serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: map[arn],
      })),
    };
  });
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    note('DescribeServiceDeployments');
    if (!w.serviceDeploymentsAvailable) throw motoLikeError();
    return { serviceDeployments: [scripted(w).deployment], failures: [] };
  });
  ecs.on(ListTasksCommand).callsFake(() => {
    note('ListTasks');
    return { taskArns: w.stoppedTasks.map((t) => t.taskArn as string) };
  });
  ecs.on(DescribeTasksCommand).callsFake(() => {
    note('DescribeTasks');
    return { tasks: structuredClone(w.stoppedTasks), failures: [] };
  });
  ecr
    .on(DescribeImagesCommand)
    .callsFake(
      (input: {
        repositoryName: string;
        imageIds: { imageTag?: string; imageDigest?: string }[];
      }) => {
        note('DescribeImages');
        const id = input.imageIds[0] ?? {};
        const entry = [...w.images].find(
          ([tag, digest]) => tag === id.imageTag || digest === id.imageDigest,
        );
        if (!entry) {
          throw new ImageNotFoundException({
            message: `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${input.repositoryName}'`,
            $metadata: { httpStatusCode: 400 },
          });
        }
        return {
          imageDetails: [
            { repositoryName: input.repositoryName, imageDigest: entry[1], imageTags: [entry[0]] },
          ],
        };
      },
    );
  elb.on(DescribeTargetHealthCommand).callsFake(() => {
    note('DescribeTargetHealth');
    return { TargetHealthDescriptions: structuredClone(w.targets) };
  });
  logs.on(GetLogEventsCommand).callsFake(() => {
    note('GetLogEvents');
    return { events: w.logLines.map((message, i) => ({ timestamp: i, message })) };
  });
}

export function resetMocks(): void {
  ecs.reset();
  ecr.reset();
  elb.reset();
  logs.reset();
}

/** The action's inputs as readInputs returns them, with defaults. */
export function inputs(fields: Partial<DeployInputs> & { imageUri?: string } = {}): DeployInputs {
  const { imageUri, ...rest } = fields;
  return {
    cluster: 'prod',
    service: 'prod-api',
    ...(rest.taskDefinitionArn ? {} : { image: parseImageUri(imageUri ?? `${REGISTRY}/api:v2`) }),
    environment: {},
    registerOnly: false,
    pinDigest: true,
    wait: true,
    forceNewDeployment: false,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    ...rest,
  };
}

/** A stopped task of revision `revision`, as DescribeTasks returns it. */
export function stoppedTask(fields: Partial<Task> & { revision: number; id: string }): Task {
  const { revision, id, ...rest } = fields;
  return {
    taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`,
    taskDefinitionArn: arnOf(revision),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    startedBy: 'ecs-svc/2222',
    group: 'service:prod-api',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 5)),
    stoppedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 20)),
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        status: 'DELETED',
        details: [{ name: 'privateIPv4Address', value: `10.0.3.${id.length}` }],
      },
    ],
    ...rest,
  };
}
