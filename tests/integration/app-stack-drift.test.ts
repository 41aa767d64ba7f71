// The drift trap (ARCHITECTURE.md, "Who owns what"): after deploy-ecs-service rolled image B, a
// stack update of app.yaml that changes something unrelated must leave the service on image B.
//
// moto 5.2 cannot create the whole app.yaml (its AWS::EC2::SecurityGroupEgress handler asserts on
// a DestinationSecurityGroupId rule, and network.yaml, which app.yaml needs, uses Fn::Cidr, which
// moto does not implement), so this test deploys the smallest
// template that keeps exactly app.yaml's service/task-definition pattern. It is derived from
// app.yaml's own resources at run time, not written by hand: the cluster, the bootstrap task
// definition and the service, with the properties moto models, including the service's
// TaskDefinition value and DependsOn exactly as app.yaml has them. The control case swaps in a
// direct reference to the revision and shows that the same sequence then rolls image B back,
// so this test can tell a safe template from an unsafe one.
import { describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { createClient } from '../../actions/common/src/aws-client.js';
import { loadTemplate, type Resource, type Template, walk } from '../support-cfn/templates.js';

const context = { action: 'app-stack-drift-test' };
const cloudformation = createClient(CloudFormationClient, 'CLOUDFORMATION', context);
const ecs = createClient(ECSClient, 'ECS', context);

const IMAGE_A = 'registry.example/api:bootstrap';
const IMAGE_B = 'registry.example/api:v2';
const IMAGE_C = 'registry.example/api:v3';

/** The properties of each kept resource that moto models; everything else is dropped. */
const KEPT: Record<string, string[]> = {
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
const KEPT_CONTAINER_FIELDS = ['Name', 'Image', 'Essential', 'PortMappings'];

/** app.yaml reduced to the service/task-definition pattern, with the parameters it references. */
function servicePatternOf(app: Template): Template {
  const resources: Record<string, Resource> = {};
  for (const [logicalId, properties] of Object.entries(KEPT)) {
    const original = app.Resources[logicalId];
    if (!original) throw new Error(`app.yaml has no ${logicalId}`);
    const kept: Resource = {
      Type: original.Type,
      Properties: Object.fromEntries(
        properties
          .filter((key) => key in (original.Properties ?? {}))
          .map((key) => [key, original.Properties![key]]),
      ),
    };
    const dependsOn = [original.DependsOn ?? []].flat().filter((id) => id in KEPT);
    if (dependsOn.length > 0) kept.DependsOn = dependsOn;
    resources[logicalId] = kept;
  }
  const containers = resources.BootstrapTaskDefinition!.Properties!.ContainerDefinitions as Record<
    string,
    unknown
  >[];
  resources.BootstrapTaskDefinition!.Properties!.ContainerDefinitions = containers.map(
    (container) =>
      Object.fromEntries(
        KEPT_CONTAINER_FIELDS.filter((key) => key in container).map((key) => [key, container[key]]),
      ),
  );
  // The conditions the kept properties choose by (the bootstrap image: given, or Node.js through
  // the cache rule), with the conditions those name.
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
  const parameters = Object.fromEntries(
    Object.entries(app.Parameters ?? {}).filter(([name]) => referenced.has(name)),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: parameters,
    ...(Object.keys(conditions).length > 0 ? { Conditions: conditions } : {}),
    Resources: resources,
  };
}

async function stackStatus(stackName: string): Promise<string> {
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Stacks?.[0]?.StackStatus ?? 'MISSING';
}

async function imageOfService(
  cluster: string,
  service: string,
): Promise<{ image?: string; taskDefinition?: string }> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [service] }),
  );
  const taskDefinition = services?.[0]?.taskDefinition;
  const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  // The revision the service runs: ECS resolves a family name to its latest ACTIVE revision.
  return {
    image: described.taskDefinition?.containerDefinitions?.[0]?.image,
    taskDefinition: described.taskDefinition?.taskDefinitionArn,
  };
}

/** What deploy-ecs-service's register-only mode does: derive a revision with the new image. */
async function registerImage(cluster: string, service: string, image: string): Promise<string> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [service] }),
  );
  const current = (
    await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: services?.[0]?.taskDefinition }),
    )
  ).taskDefinition!;
  const input: RegisterTaskDefinitionCommandInput = {
    family: current.family!,
    containerDefinitions: current.containerDefinitions!.map((container) => ({
      ...container,
      image,
    })),
    ...(current.networkMode ? { networkMode: current.networkMode } : {}),
    ...(current.cpu ? { cpu: current.cpu } : {}),
    ...(current.memory ? { memory: current.memory } : {}),
  };
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return registered.taskDefinition!.taskDefinitionArn!;
}

/** What deploy-ecs-service does: derive a revision from the service's current one, new image, roll. */
async function deployImage(cluster: string, service: string, image: string): Promise<string> {
  const arn = await registerImage(cluster, service, image);
  await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arn }));
  return arn;
}

interface Scenario {
  environment: string;
  template: Template;
  /** Runs after image B is live and before the stack update. */
  beforeUpdate?: (cluster: string, service: string) => Promise<void>;
}

/** Create the stack (image A), deploy image B, update the stack with an unrelated change. */
async function runScenario({ environment, template, beforeUpdate }: Scenario) {
  const stackName = `${environment}-app`;
  const body = JSON.stringify(template);
  const parameters = (grace: string): Parameter[] => [
    { ParameterKey: 'EnvironmentName', ParameterValue: environment },
    { ParameterKey: 'BootstrapImage', ParameterValue: IMAGE_A },
    { ParameterKey: 'HealthCheckGracePeriodSeconds', ParameterValue: grace },
  ];
  await cloudformation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: body,
      Parameters: parameters('30'),
    }),
  );
  expect(await stackStatus(stackName)).toBe('CREATE_COMPLETE');

  const cluster = environment;
  const service = `${environment}-api`;
  const bootstrap = await imageOfService(cluster, service);
  const deployed = await deployImage(cluster, service, IMAGE_B);
  expect(await imageOfService(cluster, service)).toEqual({
    image: IMAGE_B,
    taskDefinition: deployed,
  });
  await beforeUpdate?.(cluster, service);

  // Unrelated to the image: the health-check grace period of the service itself, so that
  // CloudFormation does update the service resource.
  await cloudformation.send(
    new UpdateStackCommand({
      StackName: stackName,
      TemplateBody: body,
      Parameters: parameters('45'),
    }),
  );
  expect(await stackStatus(stackName)).toBe('UPDATE_COMPLETE');
  return { bootstrap, deployed, after: await imageOfService(cluster, service) };
}

describe('app.yaml and deploy-ecs-service', () => {
  const app = loadTemplate('app');
  const pattern = servicePatternOf(app);

  it('derives the test template from app.yaml with its service/task-definition pattern intact', () => {
    expect(pattern.Resources.Service?.Properties?.TaskDefinition).toEqual(
      app.Resources.Service?.Properties?.TaskDefinition,
    );
    expect(pattern.Resources.BootstrapTaskDefinition?.Properties?.Family).toEqual(
      app.Resources.BootstrapTaskDefinition?.Properties?.Family,
    );
    expect(pattern.Resources.Service?.DependsOn).toEqual(['BootstrapTaskDefinition']);
    expect(Object.keys(pattern.Parameters ?? {}).sort()).toEqual([
      'BootstrapImage',
      'ContainerPort',
      'EnvironmentName',
      'HealthCheckGracePeriodSeconds',
      'TaskMemory',
    ]);
  });

  it('a stack update with an unrelated change leaves the service on the image deploy-ecs-service rolled', async () => {
    const result = await runScenario({ environment: 'drift', template: pattern });
    expect(result.bootstrap.image).toBe(IMAGE_A);
    expect(result.after).toEqual({ image: IMAGE_B, taskDefinition: result.deployed });
  });

  it('control: the same sequence rolls back to the bootstrap image when the service names the revision directly', async () => {
    const unsafe = structuredClone(pattern);
    unsafe.Resources.Service!.Properties!.TaskDefinition = { Ref: 'BootstrapTaskDefinition' };
    const result = await runScenario({ environment: 'unsafe', template: unsafe });
    // Also the evidence that the unrelated update does reach the service in both cases (moto does
    // not model HealthCheckGracePeriodSeconds, so the new value itself cannot be read back).
    expect(result.after.image).toBe(IMAGE_A);
    expect(result.after.taskDefinition).not.toBe(result.deployed);
  });

  // The limit of the family approach, and the contract it puts on the deploy actions: ECS resolves
  // the family to its latest ACTIVE revision, whether or not it ever went live. A revision
  // registered for a migration that then failed (or one the circuit breaker rolled back from) is
  // what the next stack update touching the service rolls to, so deploy-ecs-service and
  // run-db-migration-via-task must deregister a revision that did not go live. (The other half,
  // that a deregistered revision is skipped, moto cannot show: it resolves a family to its highest
  // revision whatever its status.)
  it('hazard for the deploy actions: a revision registered but never rolled is what the next stack update rolls to', async () => {
    let registered = '';
    const result = await runScenario({
      environment: 'pending',
      template: pattern,
      beforeUpdate: async (cluster, service) => {
        registered = await registerImage(cluster, service, IMAGE_C);
        expect((await imageOfService(cluster, service)).image).toBe(IMAGE_B);
      },
    });
    expect(result.after).toEqual({ image: IMAGE_C, taskDefinition: registered });
  });
});
