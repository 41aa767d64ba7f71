// deploy-ecs-service as the runner runs it (the bundle, INPUT_* variables, runner files) against
// moto. This file starts its own moto with MOTO_ECS_SERVICE_RUNNING=1: moto counts a service's
// tasks as running only when told to, and without it every deployment stays IN_PROGRESS.
//
// What moto cannot show, each scripted through the fault proxy and named next to its test:
// - moto never fails a deployment (its rolloutState is fixed when the service is created) and
//   keeps one deployment record per service, whose taskDefinition UpdateService does not change;
// - it lacks ListServiceDeployments / DescribeServiceDeployments (HTTP 500, an HTML page), so the
//   action follows the PRIMARY deployment through DescribeServices there;
// - its services start no tasks, so there are no stopped tasks or log streams to explain a failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type FaultProxy,
  jsonResponse,
  jsonTarget,
  startFaultProxy,
} from '../../test-support/fault-proxy.js';
import { startMoto } from '../../test-support/moto-server.mjs';
import { type ActionResult, runAction } from '../../test-support/run-action.js';

const REGION = 'us-east-1';
const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113';
const RUN_TAG_KEY = 'three-tier-deploy:run';

let moto: { url: string; stop: () => Promise<void> };
let ecs: ECSClient;
let ecr: ECRClient;

/**
 * A moto server of this file's own, whose ECS services count one task as running
 * (MOTO_ECS_SERVICE_RUNNING=1, an integer: moto reads `true` as 0).
 */
function startEcsMoto(): Promise<{ url: string; stop: () => Promise<void> }> {
  return startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' }, timeoutMs: 60_000 });
}

beforeAll(async () => {
  moto = await startEcsMoto();
  const config = {
    region: REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  ecs = new ECSClient(config);
  ecr = new ECRClient(config);
});
afterAll(async () => {
  await moto?.stop();
});

function layerDigest(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/** The digest moto gives an image: sha256 of its layers' digests joined (moto's ECR model). */
function imageDigest(tag: string): string {
  return `sha256:${createHash('sha256')
    .update(layerDigest(`layer-${tag}`))
    .digest('hex')}`;
}

interface Fixture {
  cluster: string;
  service: string;
  family: string;
  repositoryUri: string;
  bootstrapArn: string;
}

/** A cluster, an ECR repository with images v1 and v2, a Fargate revision on v1 and a service on it. */
async function fixture(
  name: string,
  extraContainers: RegisterTaskDefinitionCommandInput['containerDefinitions'] = [],
  /** What the api container runs and extra revision tags (the app stack's bootstrap revision). */
  base: { command?: string[]; entryPoint?: string[]; tags?: { key: string; value: string }[] } = {},
): Promise<Fixture> {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const { repository } = await ecr.send(
    new CreateRepositoryCommand({ repositoryName: `${name}/api` }),
  );
  for (const tag of ['v1', 'v2']) {
    await ecr.send(
      new PutImageCommand({
        repositoryName: `${name}/api`,
        imageTag: tag,
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            size: 1,
            digest: layerDigest(`config-${tag}`),
          },
          layers: [
            {
              mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
              size: 1,
              digest: layerDigest(`layer-${tag}`),
            },
          ],
        }),
      }),
    );
  }
  const repositoryUri = repository!.repositoryUri!;
  const family = `${name}-api`;
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'api',
          image: `${repositoryUri}:v1`,
          // moto needs container-level memory.
          memory: 512,
          essential: true,
          ...(base.command ? { command: base.command } : {}),
          ...(base.entryPoint ? { entryPoint: base.entryPoint } : {}),
          portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          environment: [{ name: 'PORT', value: '8080' }],
          secrets: [
            {
              name: 'DB_PASSWORD',
              valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db',
            },
          ],
        },
        ...(extraContainers ?? []),
      ],
      tags: [{ key: 'Environment', value: name }, ...(base.tags ?? [])],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: name,
      serviceName: `${name}-api`,
      // The ARN, not the family: moto resolves what it is given once, at creation.
      taskDefinition: taskDefinition!.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
    }),
  );
  return {
    cluster: name,
    service: `${name}-api`,
    family,
    repositoryUri,
    bootstrapArn: taskDefinition!.taskDefinitionArn!,
  };
}

function deploy(inputs: Record<string, string>, endpoint = moto.url): Promise<ActionResult> {
  return runAction('deploy-ecs-service', inputs, {
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    },
  });
}

async function serviceRevision(f: Fixture): Promise<string> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: f.cluster, services: [f.service] }),
  );
  return services![0]!.taskDefinition!;
}

async function activeRevisions(f: Fixture): Promise<string[]> {
  const { taskDefinitionArns } = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: f.family, status: 'ACTIVE' }),
  );
  return taskDefinitionArns ?? [];
}

async function described(
  arn: string,
): Promise<{ definition: TaskDefinition; tags: Record<string, string> }> {
  const answer = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
  );
  return {
    definition: answer.taskDefinition!,
    tags: Object.fromEntries((answer.tags ?? []).map((t) => [t.key, t.value])),
  };
}

const errors = (result: ActionResult) => result.annotations.filter((a) => a.level === 'error');

beforeEach(async () => {
  await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
});

describe('deploy-ecs-service against moto', () => {
  it('rolls a new revision with only the image changed, and the service runs it', async () => {
    const f = await fixture('roll');
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
    });
    expect(result.exitCode).toBe(0);
    const newArn = result.outputs['task-definition-arn']!;
    expect(newArn).toMatch(/:2$/);
    expect(result.outputs).toMatchObject({
      'previous-task-definition-arn': f.bootstrapArn,
      registered: 'true',
      image: `${f.repositoryUri}@${imageDigest('v2')}`,
    });
    expect(await serviceRevision(f)).toBe(newArn);
    const before = (await described(f.bootstrapArn)).definition;
    const after = await described(newArn);
    const strip = (d: TaskDefinition) => ({
      ...d,
      taskDefinitionArn: undefined,
      revision: undefined,
      registeredAt: undefined,
      containerDefinitions: d.containerDefinitions!.map((c) => ({ ...c, image: undefined })),
    });
    expect(strip(after.definition)).toEqual(strip(before));
    expect(after.definition.containerDefinitions![0]!.image).toBe(result.outputs.image);
    expect(after.tags).toMatchObject({
      Environment: 'roll',
      'three-tier-deploy:image-tag': 'v2',
      'three-tier-deploy:release': '0123456789abcdef0123456789abcdef01234567',
      [RUN_TAG_KEY]: expect.stringMatching(/^example\/three-tier-app\/\d+\/1$/),
    });
    // moto lacks the service-deployment calls: the action says it follows DescribeServices.
    expect(result.log).toContain('through DescribeServices instead');
    expect(result.summary).toContain(`${f.family}:1 → ${f.family}:2`);
  });

  it('the first release from the bootstrap revision drops its command and its tag', async () => {
    // As app.yaml's BootstrapTaskDefinition: an inline server as the command, tagged bootstrap.
    const f = await fixture('bootstrap', [], {
      command: ['node', '-e', 'require("node:http").createServer().listen(8080)'],
      entryPoint: ['docker-entrypoint.sh'],
      tags: [{ key: 'three-tier-deploy:bootstrap', value: 'true' }],
    });
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
      'register-only': 'true',
    });
    expect(result.exitCode).toBe(0);
    const newArn = result.outputs['task-definition-arn']!;
    expect(newArn).toMatch(/:2$/);
    const base = await described(f.bootstrapArn);
    expect(base.definition.containerDefinitions![0]!.command).toHaveLength(3);
    expect(base.tags['three-tier-deploy:bootstrap']).toBe('true');
    const after = await described(newArn);
    const api = after.definition.containerDefinitions![0]!;
    expect(api.image).toBe(`${f.repositoryUri}@${imageDigest('v2')}`);
    // moto answers an unset list as [] or leaves it out: either way nothing runs but the image's CMD.
    expect(api.command ?? []).toEqual([]);
    expect(api.entryPoint ?? []).toEqual([]);
    expect(after.tags).not.toHaveProperty('three-tier-deploy:bootstrap');
    expect(after.tags).toMatchObject({
      Environment: 'bootstrap',
      'three-tier-deploy:image-tag': 'v2',
    });
    expect(result.log).toContain(
      "First release: the bootstrap revision's command dropped, the image's own CMD runs",
    );
    expect(result.summary).toContain(
      "the bootstrap revision's command dropped, the image's own CMD runs",
    );
  });

  it('the same image again registers nothing and says so', async () => {
    const f = await fixture('again');
    expect(
      (await deploy({ cluster: f.cluster, service: f.service, image: `${f.repositoryUri}:v2` }))
        .exitCode,
    ).toBe(0);
    const revisions = await activeRevisions(f);
    const second = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
    });
    expect(second.exitCode).toBe(0);
    expect(second.outputs.registered).toBe('false');
    expect(second.log).toContain('Nothing to deploy');
    expect(await activeRevisions(f)).toEqual(revisions);
  });

  it('a tag missing from ECR stops before any change', async () => {
    const f = await fixture('missing');
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v9`,
    });
    expect(result.exitCode).toBe(1);
    expect(errors(result)).toHaveLength(1);
    expect(errors(result)[0]?.title).toBe('Image not found: missing/api:v9');
    expect(errors(result)[0]?.message).toContain("ECR repository 'missing/api'");
    expect(await activeRevisions(f)).toEqual([f.bootstrapArn]);
    expect(await serviceRevision(f)).toBe(f.bootstrapArn);
  });

  it('register-only registers the revision and leaves the service alone', async () => {
    const f = await fixture('regonly');
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
      'register-only': 'true',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['task-definition-arn']).toMatch(/:2$/);
    expect(await serviceRevision(f)).toBe(f.bootstrapArn);
    // The deploy step of the same run deploys that revision as it is.
    // (runAction gives every run a new GITHUB_RUN_ID, so the run tag differs: the heal keeps it
    // because it is the revision asked for.)
    const rolled = await deploy({
      cluster: f.cluster,
      service: f.service,
      'task-definition-arn': result.outputs['task-definition-arn']!,
    });
    expect(rolled.exitCode).toBe(0);
    expect(rolled.outputs.registered).toBe('false');
    expect(await serviceRevision(f)).toBe(result.outputs['task-definition-arn']);
    expect(await activeRevisions(f)).toHaveLength(2);
  });

  it('an earlier revision is reused: its content registered as the newest and deployed', async () => {
    const f = await fixture('rollback');
    expect(
      (await deploy({ cluster: f.cluster, service: f.service, image: `${f.repositoryUri}:v2` }))
        .exitCode,
    ).toBe(0);
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      'task-definition-arn': f.bootstrapArn,
    });
    expect(result.exitCode).toBe(0);
    const newest = result.outputs['task-definition-arn']!;
    expect(newest).toMatch(/:3$/);
    expect(result.log).toContain(`${f.family}:1 is older than ${f.family}:2`);
    expect((await described(newest)).definition.containerDefinitions![0]!.image).toBe(
      `${f.repositoryUri}:v1`,
    );
    expect(await serviceRevision(f)).toBe(newest);
  });

  it('at start, deregisters a newer revision an earlier run of the toolkit left behind', async () => {
    const f = await fixture('heal');
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: f.family,
        containerDefinitions: [{ name: 'api', image: `${f.repositoryUri}:v1`, memory: 512 }],
        tags: [{ key: RUN_TAG_KEY, value: 'example/three-tier-app/1/1' }],
      }),
    );
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(`Deregistered ${f.family}:2: newer than ${f.family}:1`);
    expect((await described(taskDefinition!.taskDefinitionArn!)).definition.status).toBe(
      'INACTIVE',
    );
    expect(await serviceRevision(f)).toBe(result.outputs['task-definition-arn']);
  });
});

describe('bad input: one annotation naming the input, nothing changed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-int-'));
  writeFileSync(path.join(dir, 'not-a-td.json'), JSON.stringify({ Resources: {} }));

  it.each<[string, (f: Fixture) => Record<string, string>, RegExp]>([
    [
      'unknown cluster',
      (f) => ({ cluster: 'nope', service: f.service, image: `${f.repositoryUri}:v2` }),
      /^Unknown cluster: nope$/,
    ],
    [
      'unknown service',
      (f) => ({ cluster: f.cluster, service: 'nope', image: `${f.repositoryUri}:v2` }),
      /^Unknown service: nope$/,
    ],
    [
      'malformed image URI',
      (f) => ({ cluster: f.cluster, service: f.service, image: `${f.repositoryUri}` }),
      /^Invalid input: image$/,
    ],
    [
      'unknown container',
      (f) => ({
        cluster: f.cluster,
        service: f.service,
        image: `${f.repositoryUri}:v2`,
        'container-name': 'web',
      }),
      /^Unknown container: web$/,
    ],
    [
      'an environment line without =',
      (f) => ({
        cluster: f.cluster,
        service: f.service,
        image: `${f.repositoryUri}:v2`,
        environment: 'A=1\nB',
      }),
      /^Invalid input: environment$/,
    ],
    [
      'a task-definition file that is not one',
      (f) => ({
        cluster: f.cluster,
        service: f.service,
        image: `${f.repositoryUri}:v2`,
        'task-definition': path.join(dir, 'not-a-td.json'),
      }),
      /^Invalid input: task-definition$/,
    ],
    [
      'timeout-minutes under one minute',
      (f) => ({
        cluster: f.cluster,
        service: f.service,
        image: `${f.repositoryUri}:v2`,
        'timeout-minutes': '45s',
      }),
      /^Invalid input: timeout-minutes$/,
    ],
  ])('%s', async (_name, inputs, title) => {
    const f = await fixture('bad');
    const result = await deploy(inputs(f));
    expect(result.exitCode).toBe(1);
    expect(errors(result)).toHaveLength(1);
    expect(errors(result)[0]?.title).toMatch(title);
    expect(await activeRevisions(f)).toEqual([f.bootstrapArn]);
    expect(await serviceRevision(f)).toBe(f.bootstrapArn);
  });

  it('several essential containers without container-name', async () => {
    const f = await fixture('twoessential', [
      { name: 'worker', image: 'busybox:1', memory: 128, essential: true },
    ]);
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      image: `${f.repositoryUri}:v2`,
    });
    expect(errors(result)).toHaveLength(1);
    expect(errors(result)[0]?.title).toBe('Set container-name: several essential containers');
    expect(errors(result)[0]?.message).toContain('Fix: Set container-name to one of: api, worker.');
    expect(await activeRevisions(f)).toEqual([f.bootstrapArn]);
  });

  it('task-definition-arn of another family', async () => {
    const f = await fixture('otherfamily');
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'someone-else',
        containerDefinitions: [{ name: 'api', image: 'x:1', memory: 128 }],
      }),
    );
    const result = await deploy({
      cluster: f.cluster,
      service: f.service,
      'task-definition-arn': taskDefinition!.taskDefinitionArn!,
    });
    expect(errors(result)).toHaveLength(1);
    expect(errors(result)[0]?.title).toBe('Invalid input: task-definition-arn');
    expect(errors(result)[0]?.message).toContain(`a revision of the service's family ${f.family}`);
    expect(await serviceRevision(f)).toBe(f.bootstrapArn);
  });
});

describe('failure paths moto cannot reach, scripted through the fault proxy', () => {
  let proxy: FaultProxy | undefined;
  afterAll(async () => {
    await proxy?.stop();
  });
  beforeEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  const target = (operation: string) => jsonTarget(`${ECS_TARGET}.${operation}`);
  const body = (request: { body: string }) => JSON.parse(request.body) as Record<string, unknown>;

  // moto never fails a deployment: DescribeServices is rewritten so that, from the second look
  // after the update on, the followed deployment is FAILED (rolloutState) and the service is back on
  // its earlier revision; moto's services run no tasks, so ListTasks / DescribeTasks / GetLogEvents
  // answer one stopped task of the new revision that could not pull its image.
  it('a failed rollout (DescribeServices fallback): fails with the stopped task and its hint, deregisters the revision', async () => {
    const f = await fixture('failed');
    let updated = false;
    let looks = 0;
    let newArn = '';
    proxy = await startFaultProxy({
      target: moto.url,
      rules: [
        {
          match: target('UpdateService'),
          times: Infinity,
          transform: (request, upstream) => {
            updated = true;
            newArn = String(body(request).taskDefinition);
            return { status: upstream.status, body: upstream.body };
          },
        },
        {
          match: target('DescribeServices'),
          times: Infinity,
          transform: (_request, upstream) => {
            if (!updated) return { status: upstream.status, body: upstream.body };
            const answer = JSON.parse(upstream.body);
            const service = answer.services[0];
            if (++looks < 2) {
              // The first look after the update: still rolling (moto would say COMPLETED).
              service.deployments[0].rolloutState = 'IN_PROGRESS';
              service.deployments[0].runningCount = 0;
              return jsonResponse(answer);
            }
            service.deployments[0].rolloutState = 'FAILED';
            service.deployments[0].rolloutStateReason =
              'ECS deployment circuit breaker: tasks failed to start.';
            service.events = [
              {
                id: 'e1',
                createdAt: Date.now() / 1000,
                message: `(service ${f.service}) (deployment ${service.deployments[0].id}) deployment failed: tasks failed to start.`,
              },
            ];
            return jsonResponse(answer);
          },
        },
        {
          match: target('ListTasks'),
          times: Infinity,
          response: () =>
            jsonResponse({
              taskArns: [`arn:aws:ecs:${REGION}:123456789012:task/${f.cluster}/0f1e2d3c`],
            }),
        },
        {
          match: target('DescribeTasks'),
          times: Infinity,
          response: () =>
            jsonResponse({
              tasks: [
                {
                  taskArn: `arn:aws:ecs:${REGION}:123456789012:task/${f.cluster}/0f1e2d3c`,
                  taskDefinitionArn: newArn,
                  lastStatus: 'STOPPED',
                  stopCode: 'TaskFailedToStart',
                  stoppedReason:
                    'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref',
                  createdAt: Date.now() / 1000,
                  stoppedAt: Date.now() / 1000,
                  containers: [
                    {
                      name: 'api',
                      lastStatus: 'STOPPED',
                      reason: 'CannotPullContainerError: ref not found',
                    },
                  ],
                },
              ],
              failures: [],
            }),
        },
      ],
    });
    const result = await deploy(
      { cluster: f.cluster, service: f.service, image: `${f.repositoryUri}:v2` },
      proxy.url,
    );
    expect(result.exitCode).toBe(1);
    expect(errors(result)).toHaveLength(1);
    const [error] = errors(result);
    expect(error?.title).toBe(`Deployment failed: ${f.service}`);
    expect(error?.message).toContain('ECS deployment circuit breaker: tasks failed to start.');
    expect(error?.message).toContain('First stopped task:');
    expect(error?.message).toMatch(/Fix: The image could not be pulled/);
    expect(error?.message).toContain(`Deregistered ${f.family}:2, which did not go live`);
    expect(result.summary).toContain('Task 0f1e2d3c');
    expect(result.summary).toContain('deployment failed: tasks failed to start.');
    expect((await described(newArn)).definition.status).toBe('INACTIVE');
    expect(await activeRevisions(f)).toEqual([f.bootstrapArn]);
  });

  // moto lacks the service-deployment calls: UpdateService's answer gains currentServiceDeployment
  // and DescribeServiceDeployments is answered from the API reference's shape — IN_PROGRESS for two
  // looks, then ROLLBACK_REQUESTED (the circuit breaker), as real ECS reports it before the
  // rollback has settled.
  it('a rollback reported by DescribeServiceDeployments fails at once, naming the rollback target', async () => {
    const f = await fixture('rollbackreq');
    const deploymentArn = `arn:aws:ecs:${REGION}:123456789012:service-deployment/${f.cluster}/${f.service}/AbCdEf`;
    let looks = 0;
    proxy = await startFaultProxy({
      target: moto.url,
      rules: [
        {
          match: target('UpdateService'),
          times: Infinity,
          transform: (_request, upstream) => {
            const answer = JSON.parse(upstream.body);
            answer.service.currentServiceDeployment = deploymentArn;
            return jsonResponse(answer);
          },
        },
        {
          match: target('DescribeServiceDeployments'),
          times: Infinity,
          response: () =>
            jsonResponse({
              serviceDeployments: [
                {
                  serviceDeploymentArn: deploymentArn,
                  status: ++looks > 2 ? 'ROLLBACK_REQUESTED' : 'IN_PROGRESS',
                  statusReason:
                    looks > 2
                      ? 'ECS deployment circuit breaker: 3 tasks failed to start.'
                      : undefined,
                  targetServiceRevision: {
                    arn: 'rev-new',
                    requestedTaskCount: 1,
                    runningTaskCount: 0,
                    pendingTaskCount: 1,
                  },
                  deploymentCircuitBreaker: {
                    status: looks > 2 ? 'TRIGGERED' : 'MONITORING',
                    failureCount: looks > 2 ? 3 : 0,
                    threshold: 3,
                  },
                  ...(looks > 2
                    ? { rollback: { reason: 'circuit breaker', serviceRevisionArn: 'rev-old' } }
                    : {}),
                },
              ],
              failures: [],
            }),
        },
        {
          match: target('DescribeServiceRevisions'),
          times: Infinity,
          response: () =>
            jsonResponse({
              serviceRevisions: [{ serviceRevisionArn: 'rev-old', taskDefinition: f.bootstrapArn }],
            }),
        },
      ],
    });
    const result = await deploy(
      { cluster: f.cluster, service: f.service, image: `${f.repositoryUri}:v2` },
      proxy.url,
    );
    expect(result.exitCode).toBe(1);
    const [error] = errors(result);
    expect(error?.message).toContain('ECS deployment circuit breaker: 3 tasks failed to start.');
    expect(error?.message).toContain(`ECS rolls the service back to ${f.family}:1`);
    expect(looks).toBe(3);
    expect(
      proxy.requests.some(
        (r) => r.headers['x-amz-target'] === `${ECS_TARGET}.ListServiceDeployments`,
      ),
    ).toBe(false);
    expect(await activeRevisions(f)).toEqual([f.bootstrapArn]);
  });

  // The same scripted service deployment, succeeding: the action follows it to SUCCESSFUL.
  it('a deployment DescribeServiceDeployments reports SUCCESSFUL succeeds', async () => {
    const f = await fixture('successful');
    const deploymentArn = `arn:aws:ecs:${REGION}:123456789012:service-deployment/${f.cluster}/${f.service}/Ok`;
    let looks = 0;
    proxy = await startFaultProxy({
      target: moto.url,
      rules: [
        {
          match: target('UpdateService'),
          times: Infinity,
          transform: (_request, upstream) => {
            const answer = JSON.parse(upstream.body);
            answer.service.currentServiceDeployment = deploymentArn;
            return jsonResponse(answer);
          },
        },
        {
          match: target('DescribeServiceDeployments'),
          times: Infinity,
          response: () =>
            jsonResponse({
              serviceDeployments: [
                {
                  serviceDeploymentArn: deploymentArn,
                  status: ++looks > 1 ? 'SUCCESSFUL' : 'IN_PROGRESS',
                  targetServiceRevision: {
                    arn: 'rev-new',
                    requestedTaskCount: 1,
                    runningTaskCount: looks > 1 ? 1 : 0,
                    pendingTaskCount: looks > 1 ? 0 : 1,
                  },
                },
              ],
            }),
        },
      ],
    });
    const result = await deploy(
      { cluster: f.cluster, service: f.service, image: `${f.repositoryUri}:v2` },
      proxy.url,
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('Deployment succeeded: SUCCESSFUL: 1 running of 1 desired');
    expect(result.summary).toContain(deploymentArn);
  });
});
