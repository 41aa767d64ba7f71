/**
 * Task definitions as DescribeTaskDefinition returns them (response syntax of
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html,
 * read-only fields included) and the requests RegisterTaskDefinition takes
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError, InputError } from '../../src/errors.js';
import {
  activeRevisions,
  deregisterRevision,
  describeTaskDefinition,
  findContainer,
  parseRevisionArn,
  registerRevision,
  registeredByRun,
  registrableFields,
  REGISTRABLE_FIELDS,
  REVISION_TAGS,
  runTagValue,
  sameDefinition,
  taskDefinitionFromDocument,
  withRevisionTags,
} from '../../src/ecs/task-definition.js';

const ecs = mockClient(ECSClient);
const client = new ECSClient({ region: 'eu-west-1' });
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7';

/** A revision as DescribeTaskDefinition returns it: with every read-only field. */
export function describedRevision(): TaskDefinition {
  return {
    taskDefinitionArn: ARN,
    family: 'api',
    revision: 7,
    status: 'ACTIVE',
    taskRoleArn: 'arn:aws:iam::123456789012:role/api-task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/api-exec',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    cpu: '256',
    memory: '512',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    registeredAt: new Date('2026-11-01T10:00:00Z'),
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/run',
    deleteRequestedAt: undefined,
    volumes: [],
    placementConstraints: [],
    containerDefinitions: [
      {
        name: 'api',
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1',
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
        environment: [
          { name: 'PORT', value: '8080' },
          { name: 'DB_TLS', value: 'rds' },
        ],
        secrets: [{ name: 'DB_SECRET', valueFrom: 'arn:aws:secretsmanager:eu-west-1:1:secret:db' }],
        mountPoints: [],
        volumesFrom: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/api', 'awslogs-stream-prefix': 'api' },
        },
      },
      { name: 'xray', image: 'public.ecr.aws/xray/aws-xray-daemon:3', essential: false },
    ],
  } as TaskDefinition;
}

beforeEach(() => {
  ecs.reset();
});

describe('registrableFields', () => {
  it('keeps exactly the whitelisted fields, never a read-only one', () => {
    const withFuture = { ...describedRevision(), someFieldAwsAddsNextYear: 'x' } as TaskDefinition;
    const request = registrableFields(withFuture, [{ key: 'team', value: 'web' }]);
    for (const key of Object.keys(request)) {
      expect([...REGISTRABLE_FIELDS, 'tags']).toContain(key);
    }
    expect(request).not.toHaveProperty('revision');
    expect(request).not.toHaveProperty('registeredBy');
    expect(request).not.toHaveProperty('someFieldAwsAddsNextYear');
    expect(request.family).toBe('api');
    expect(request.runtimePlatform).toEqual({
      cpuArchitecture: 'ARM64',
      operatingSystemFamily: 'LINUX',
    });
    expect(request.tags).toEqual([{ key: 'team', value: 'web' }]);
  });

  it('deep-copies: changing the request leaves the source alone', () => {
    const source = describedRevision();
    const request = registrableFields(source);
    request.containerDefinitions![0]!.image = 'other';
    request.containerDefinitions![0]!.environment!.push({ name: 'X', value: '1' });
    expect(source.containerDefinitions![0]!.image).toContain(':v1');
    expect(source.containerDefinitions![0]!.environment).toHaveLength(2);
  });

  it('drops aws: tags, which a caller may not set', () => {
    const request = registrableFields(describedRevision(), [
      { key: 'aws:cloudformation:stack-name', value: 'app' },
      { key: 'owner', value: 'me' },
    ]);
    expect(request.tags).toEqual([{ key: 'owner', value: 'me' }]);
  });
});

describe('findContainer', () => {
  it('defaults to the only essential container', () => {
    expect(findContainer({ taskDefinition: describedRevision() }).name).toBe('api');
  });

  it('finds a named one', () => {
    expect(findContainer({ taskDefinition: describedRevision(), name: 'xray' }).name).toBe('xray');
  });

  it('lists the containers when the name is unknown', () => {
    expect(() => findContainer({ taskDefinition: describedRevision(), name: 'web' })).toThrow(
      /has no container 'web' \(input 'container-name'\); it has api, xray/,
    );
  });

  it('refuses to guess among several essential containers', () => {
    const td = describedRevision();
    delete td.containerDefinitions![1]!.essential; // absent means essential
    const error = (() => {
      try {
        findContainer({ taskDefinition: td });
      } catch (e) {
        return e as ActionError;
      }
    })();
    expect(error?.title).toBe('Set container-name: several essential containers');
    expect(error?.hint).toContain('api, xray');
  });
});

describe('sameDefinition', () => {
  it('equals the same revision described again', () => {
    expect(sameDefinition(describedRevision(), describedRevision())).toBe(true);
  });

  it('equals a definition without the defaults ECS fills in, and env in another order', () => {
    const sparse = registrableFields(describedRevision());
    const container = sparse.containerDefinitions![0]!;
    delete container.cpu;
    delete container.essential;
    container.mountPoints = [];
    container.portMappings = [{ containerPort: 8080 }];
    container.environment = [...container.environment!].reverse();
    delete sparse.volumes;
    expect(sameDefinition(sparse, describedRevision())).toBe(true);
  });

  it('ignores tags', () => {
    const tagged = registrableFields(describedRevision(), [{ key: 'a', value: 'b' }]);
    expect(sameDefinition(tagged, describedRevision())).toBe(true);
  });

  it('differs by image, by an env value, and by an empty env value', () => {
    const image = describedRevision();
    image.containerDefinitions![0]!.image = 'repo:v2';
    expect(sameDefinition(image, describedRevision())).toBe(false);
    const env = describedRevision();
    env.containerDefinitions![0]!.environment![0]!.value = '9090';
    expect(sameDefinition(env, describedRevision())).toBe(false);
    const empty = describedRevision();
    empty.containerDefinitions![0]!.environment!.push({ name: 'FLAG', value: '' });
    expect(sameDefinition(empty, describedRevision())).toBe(false);
  });
});

describe('SDK calls', () => {
  it('describes with tags', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: ARN, include: ['TAGS'] })
      .resolves({ taskDefinition: describedRevision(), tags: [{ key: 'k', value: 'v' }] });
    const found = await describeTaskDefinition({ ecs: client, taskDefinition: ARN });
    expect(found.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(found.taskDefinition.revision).toBe(7);
  });

  it('turns an unknown revision into an error naming the input', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(
        new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }),
      );
    await expect(
      describeTaskDefinition({
        ecs: client,
        taskDefinition: 'api:99',
        input: 'task-definition-arn',
      }),
    ).rejects.toThrow(/input 'task-definition-arn'/);
  });

  it('registers and deregisters', async () => {
    ecs.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: {
        ...describedRevision(),
        revision: 8,
        taskDefinitionArn: ARN.replace(':7', ':8'),
      },
      tags: [{ key: 'k', value: 'v' }],
    });
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    const registered = await registerRevision({
      ecs: client,
      request: registrableFields(describedRevision()),
    });
    expect(registered.taskDefinition.revision).toBe(8);
    await deregisterRevision({ ecs: client, taskDefinitionArn: ARN });
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: ARN,
    });
  });

  it('lists the exact family, newest first, across pages', async () => {
    const arn = (family: string, revision: number): string =>
      `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;
    ecs
      .on(ListTaskDefinitionsCommand, { nextToken: undefined })
      .resolves({ taskDefinitionArns: [arn('api-worker', 3), arn('api', 9)], nextToken: 'p2' })
      .on(ListTaskDefinitionsCommand, { nextToken: 'p2' })
      .resolves({ taskDefinitionArns: [arn('api', 7), arn('api', 10)] });
    const revisions = await activeRevisions({ ecs: client, family: 'api' });
    expect(revisions.map((r) => r.revision)).toEqual([10, 9, 7]);
  });
});

describe('revision tags', () => {
  it('replaces earlier toolkit tags and keeps the rest', () => {
    const tags = withRevisionTags(
      [
        { key: 'team', value: 'web' },
        { key: REVISION_TAGS.release, value: 'v1.0.0' },
      ],
      { release: 'v1.4.0', run: 'example/app/123/2', imageTag: 'v1.4.0' },
    );
    expect(tags).toEqual([
      { key: 'team', value: 'web' },
      { key: REVISION_TAGS.release, value: 'v1.4.0' },
      { key: REVISION_TAGS.run, value: 'example/app/123/2' },
      { key: REVISION_TAGS.imageTag, value: 'v1.4.0' },
    ]);
    expect(registeredByRun(tags)).toBe('example/app/123/2');
    expect(registeredByRun([{ key: 'team', value: 'web' }])).toBeUndefined();
  });

  it('makes the run value from the identity, tag-safe', () => {
    expect(runTagValue({ repository: 'o/r', runId: '42', runAttempt: 3 })).toBe('o/r/42/3');
    expect(runTagValue({ runAttempt: 1 }, 'ab12')).toBe('local/ab12');
    expect(runTagValue({ repository: 'o/r#x', runId: '1', runAttempt: 1 })).toBe('o/r_x/1/1');
  });
});

describe('parseRevisionArn', () => {
  it('reads family and revision from an ARN or family:revision', () => {
    expect(parseRevisionArn(ARN)).toEqual({ family: 'api', revision: 7 });
    expect(parseRevisionArn('api:3')).toEqual({ family: 'api', revision: 3 });
    expect(parseRevisionArn('api')).toBeUndefined();
  });
});

describe('taskDefinitionFromDocument', () => {
  it('accepts a definition and DescribeTaskDefinition output', () => {
    const plain = taskDefinitionFromDocument({
      document: describedRevision(),
      input: 'task-definition',
      given: 'f',
    });
    expect(plain.request).not.toHaveProperty('revision');
    const wrapped = taskDefinitionFromDocument({
      document: { taskDefinition: describedRevision(), tags: [{ key: 'k', value: 'v' }] },
      input: 'task-definition',
      given: 'f',
    });
    expect(wrapped.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(wrapped.request.family).toBe('api');
  });

  it('refuses a document that is not a task definition', () => {
    for (const document of [
      null,
      [1, 2],
      { Resources: {} },
      { containerDefinitions: [{ image: 'x' }] },
    ]) {
      expect(() =>
        taskDefinitionFromDocument({ document, input: 'task-definition', given: 'td.json' }),
      ).toThrow(InputError);
    }
  });
});
