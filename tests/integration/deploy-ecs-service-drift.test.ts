// The drift trap from deploy-ecs-service's side (ARCHITECTURE.md, "Who owns what"): after this
// action rolled image B, an app-stack update through provision-stack — both run as bundles, as
// the runner runs them — leaves the service on B; and a rollout that failed leaves no revision
// behind for the next stack update to roll to.
//
// The app stack is app.yaml reduced, at run time, to its service/task-definition pattern (the
// cluster, the bootstrap task definition and the service, with the properties moto models),
// as tests/integration/app-stack-drift.test.ts builds it: moto cannot create the whole template.
// This file runs its own moto with MOTO_ECS_SERVICE_RUNNING=1 (see deploy-ecs-service.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsonResponse, jsonTarget, startFaultProxy } from '../../test-support/fault-proxy.js';
import { startMoto } from '../../test-support/moto-server.mjs';
import { type ActionResult, runAction } from '../../test-support/run-action.js';
import { loadTemplate, type Resource, type Template, walk } from '../support-cfn/templates.js';

const REGION = 'us-east-1';
const ENVIRONMENT = 'drift';
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

/**
 * app.yaml's Cluster, BootstrapTaskDefinition and Service with what moto models (as the drift
 * test keeps them), the conditions those choose by, and the parameters all of it references.
 */
function servicePattern(app: Template): Template {
  const kept: Record<string, string[]> = {
    Cluster: ['ClusterName'],
    BootstrapTaskDefinition: ['Family', 'ContainerDefinitions', 'Memory'],
    Service: [
      'ServiceName',
      'Cluster',
      'TaskDefinition',
      'LaunchType',
      'HealthCheckGracePeriodSeconds',
    ],
  };
  const resources: Record<string, Resource> = {};
  for (const [id, properties] of Object.entries(kept)) {
    const original = app.Resources[id];
    if (!original) throw new Error(`app.yaml has no ${id}`);
    const dependsOn = [original.DependsOn ?? []].flat().filter((d) => d in kept);
    resources[id] = {
      Type: original.Type,
      Properties: Object.fromEntries(
        properties
          .filter((p) => p in (original.Properties ?? {}))
          .map((p) => [p, original.Properties![p]]),
      ),
      ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
    };
  }
  const definition = resources.BootstrapTaskDefinition!.Properties!;
  definition.ContainerDefinitions = (
    definition.ContainerDefinitions as Record<string, unknown>[]
  ).map((c) => ({
    Name: c.Name,
    Image: c.Image,
    Essential: c.Essential,
    // moto needs container-level memory.
    Memory: 512,
  }));
  const conditions: Record<string, unknown> = {};
  const pending = [...walk(resources)]
    .filter(({ at }) => at[at.length - 1] === 'Fn::If')
    .map(({ value }) => (value as [string])[0]);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name in conditions) continue;
    const condition = app.Conditions?.[name];
    if (condition === undefined) throw new Error(`app.yaml has no condition ${name}`);
    conditions[name] = condition;
    for (const { value, at } of walk(condition)) {
      if (at[at.length - 1] === 'Condition' && typeof value === 'string') pending.push(value);
    }
  }
  const referenced = new Set<string>();
  for (const { value, at } of walk({ resources, conditions })) {
    if (at[at.length - 1] === 'Ref' && typeof value === 'string') referenced.add(value);
    if (at[at.length - 1] === 'Fn::Sub' && typeof value === 'string') {
      for (const match of value.matchAll(/\$\{([A-Za-z0-9]+)\}/g))
        referenced.add(match[1] as string);
    }
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: Object.fromEntries(
      Object.entries(app.Parameters ?? {}).filter(([name]) => referenced.has(name)),
    ),
    ...(Object.keys(conditions).length > 0 ? { Conditions: conditions } : {}),
    Resources: resources,
  } as Template;
}

const env = () => ({
  AWS_ENDPOINT_URL: moto.url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
});

/**
 * provision-stack on the pattern. Every parameter is given, defaults included: provision-stack
 * keeps an unnamed parameter with UsePreviousValue, and moto counts such a parameter as changed
 * when the create did not name it — it then "updates" the task definition, registering a revision
 * with CloudFormation's PascalCase keys (no image), which real CloudFormation never does.
 */
function provision(
  pattern: Template,
  template: string,
  values: Record<string, string>,
): Promise<ActionResult> {
  const parameters = Object.entries(pattern.Parameters ?? {}).map(
    ([name, parameter]) => `${name}=${values[name] ?? String(parameter.Default ?? '')}`,
  );
  return runAction(
    'provision-stack',
    { 'stack-name': `${ENVIRONMENT}-app`, template, parameters: parameters.join('\n') },
    { env: env() },
  );
}

/** True for exit 0; otherwise the step's log becomes the failure message. */
function succeeded(result: ActionResult): boolean {
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}:\n${result.log}`);
  return true;
}

async function running(): Promise<{ taskDefinition: string; image: string }> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: ENVIRONMENT, services: [`${ENVIRONMENT}-api`] }),
  );
  // After a stack update moto keeps the family name the template gives; ECS would resolve it to
  // the newest ACTIVE revision, which DescribeTaskDefinition of the family returns.
  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: services![0]!.taskDefinition }),
  );
  return {
    taskDefinition: taskDefinition!.taskDefinitionArn!,
    image: taskDefinition!.containerDefinitions![0]!.image!,
  };
}

async function pushImage(repository: string, tag: string): Promise<void> {
  const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  await ecr.send(
    new PutImageCommand({
      repositoryName: repository,
      imageTag: tag,
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 1,
          digest: digest(`c-${tag}`),
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: 1,
            digest: digest(`l-${tag}`),
          },
        ],
      }),
    }),
  );
}

describe('drift trap, from deploy-ecs-service’s side', () => {
  let template = '';
  let pattern: Template;
  let uri = '';
  let revisionB = '';
  let imageB = '';

  it('after the action rolled image B, an app-stack update through provision-stack leaves the service on B', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-drift-'));
    template = path.join(dir, 'app.json');
    pattern = servicePattern(loadTemplate('app'));
    writeFileSync(template, JSON.stringify(pattern));
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: `${ENVIRONMENT}/api` }),
    );
    uri = repository!.repositoryUri!;
    for (const tag of ['bootstrap', 'b', 'c']) await pushImage(`${ENVIRONMENT}/api`, tag);

    const values = { EnvironmentName: ENVIRONMENT, BootstrapImage: `${uri}:bootstrap` };
    const created = await provision(pattern, template, {
      ...values,
      HealthCheckGracePeriodSeconds: '30',
    });
    expect(succeeded(created)).toBe(true);
    expect((await running()).image).toBe(`${uri}:bootstrap`);

    const rolled = await runAction(
      'deploy-ecs-service',
      { cluster: ENVIRONMENT, service: `${ENVIRONMENT}-api`, image: `${uri}:b` },
      { env: env() },
    );
    expect(succeeded(rolled)).toBe(true);
    revisionB = rolled.outputs['task-definition-arn']!;
    imageB = rolled.outputs.image!;
    expect(imageB).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(await running()).toEqual({ taskDefinition: revisionB, image: imageB });

    // An unrelated change (the grace period) that makes CloudFormation update the service.
    const updated = await provision(pattern, template, {
      ...values,
      HealthCheckGracePeriodSeconds: '45',
    });
    expect(succeeded(updated)).toBe(true);
    expect(updated.outputs.changed).toBe('true');
    expect(await running()).toEqual({ taskDefinition: revisionB, image: imageB });
  });

  // moto never fails a deployment: DescribeServices is rewritten through the fault proxy so that,
  // after the update, the followed deployment is FAILED. moto resolves a family to its highest
  // revision whatever its status, so a stack update after this cannot show what ECS does (skip the
  // INACTIVE revision); what the action guarantees is checked instead: C is INACTIVE and the
  // family's newest ACTIVE revision is B's, the one ECS resolves the family to.
  it('a failed rollout of image C leaves no newer ACTIVE revision for the next stack update to roll to', async () => {
    expect(revisionB).not.toBe('');
    let updated = false;
    const proxy = await startFaultProxy({
      target: moto.url,
      rules: [
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.UpdateService'),
          times: Infinity,
          transform: (_request, upstream) => {
            updated = true;
            return { status: upstream.status, body: upstream.body };
          },
        },
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeServices'),
          times: Infinity,
          transform: (_request, upstream) => {
            if (!updated) return { status: upstream.status, body: upstream.body };
            const answer = JSON.parse(upstream.body);
            answer.services[0].deployments[0].rolloutState = 'FAILED';
            answer.services[0].deployments[0].rolloutStateReason = 'tasks failed to start';
            return jsonResponse(answer);
          },
        },
      ],
    });
    let failed: ActionResult;
    try {
      failed = await runAction(
        'deploy-ecs-service',
        { cluster: ENVIRONMENT, service: `${ENVIRONMENT}-api`, image: `${uri}:c` },
        { env: { ...env(), AWS_ENDPOINT_URL: proxy.url } },
      );
    } finally {
      await proxy.stop();
    }
    expect(failed.exitCode).toBe(1);
    const revisionC = failed.outputs['task-definition-arn']!;
    expect(revisionC).not.toBe(revisionB);
    expect(failed.log).toContain('which did not go live');
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: revisionC }),
    );
    expect(taskDefinition!.status).toBe('INACTIVE');
    const { taskDefinitionArns } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: `${ENVIRONMENT}-api`, status: 'ACTIVE' }),
    );
    const newest = [...(taskDefinitionArns ?? [])].sort(
      (a, b) => Number(b.split(':').pop()) - Number(a.split(':').pop()),
    )[0];
    expect(newest).toBe(revisionB);
  });
});
