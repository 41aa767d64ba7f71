/** deriveRevision and revisionDiff on task definitions shaped as DescribeTaskDefinition returns them (fake-aws.ts). */
import { describe, expect, it } from '@jest/globals';
import { BOOTSTRAP_TAG, REVISION_TAGS } from '../../common/src/ecs/task-definition.js';
import { ActionError } from '../../common/src/errors.js';
import { deriveRevision, revisionDiff } from '../src/derive.js';
import { bootstrapDefinition, FAMILY, REGISTRY } from './fake-aws.js';

const origin = { release: 'v1.4.0', run: 'o/r/1/1', imageTag: 'v1.4.0' };

describe('deriveRevision', () => {
  it('changes the image and environment of one container, field by field nothing else', () => {
    const base = bootstrapDefinition();
    const { request, container } = deriveRevision({
      base,
      baseTags: [{ key: 'Environment', value: 'prod' }],
      family: FAMILY,
      image: `${REGISTRY}/api:v2`,
      environment: { NEW: 'x=y', PORT: '9090', BLANK: '' },
      origin,
    });
    expect(container).toBe('api');
    const [api, xray] = request.containerDefinitions!;
    expect(api!.image).toBe(`${REGISTRY}/api:v2`);
    expect(api!.environment).toEqual([
      { name: 'PORT', value: '9090' },
      { name: 'DB_TLS', value: 'rds' },
      { name: 'NEW', value: 'x=y' },
      { name: 'BLANK', value: '' },
    ]);
    expect(api!.secrets).toEqual(base.containerDefinitions![0]!.secrets);
    expect(api!.logConfiguration).toEqual(base.containerDefinitions![0]!.logConfiguration);
    expect(api!.portMappings).toEqual(base.containerDefinitions![0]!.portMappings);
    expect(xray).toEqual(base.containerDefinitions![1]);
    expect(request).not.toHaveProperty('revision');
    expect(request).not.toHaveProperty('status');
    expect(request).not.toHaveProperty('registeredBy');
    expect(request).not.toHaveProperty('compatibilities');
    expect(request.runtimePlatform).toBeUndefined();
    expect(request.cpu).toBe('256');
    expect(request.tags).toEqual([
      { key: 'Environment', value: 'prod' },
      { key: REVISION_TAGS.release, value: 'v1.4.0' },
      { key: REVISION_TAGS.run, value: 'o/r/1/1' },
      { key: REVISION_TAGS.imageTag, value: 'v1.4.0' },
    ]);
    // The base is untouched.
    expect(base.containerDefinitions![0]!.image).toBe(`${REGISTRY}/api:v1`);
  });

  it('deploys to the named container among several', () => {
    const { request } = deriveRevision({
      base: bootstrapDefinition(),
      baseTags: [],
      family: FAMILY,
      containerName: 'xray',
      image: 'public.ecr.aws/xray/aws-xray-daemon:4',
      environment: {},
      origin,
    });
    expect(request.containerDefinitions![0]!.image).toBe(`${REGISTRY}/api:v1`);
    expect(request.containerDefinitions![1]!.image).toBe('public.ecr.aws/xray/aws-xray-daemon:4');
  });

  it('refuses a base of another family, and a variable the container takes from a secret', () => {
    const other = { ...bootstrapDefinition(), family: 'web' };
    expect(() =>
      deriveRevision({
        base: other,
        baseTags: [],
        family: FAMILY,
        baseInput: 'task-definition',
        image: 'x:1',
        environment: {},
        origin,
      }),
    ).toThrow(/family 'web', but the service runs family 'prod-api'/);
    expect(() =>
      deriveRevision({
        base: bootstrapDefinition(),
        baseTags: [],
        family: FAMILY,
        image: 'x:1',
        environment: { DB_PASSWORD: 'p' },
        origin,
      }),
    ).toThrow(ActionError);
  });

  it('fills in the family of a file without one', () => {
    const { family: _omit, ...withoutFamily } = bootstrapDefinition();
    void _omit;
    const { request } = deriveRevision({
      base: withoutFamily,
      baseTags: [],
      family: FAMILY,
      image: 'x:1',
      environment: {},
      origin,
    });
    expect(request.family).toBe(FAMILY);
  });

  it('from the bootstrap revision: drops its tag and the command and entry point of the deployed container', () => {
    const base = bootstrapDefinition();
    base.containerDefinitions![0]!.command = ['node', '-e', 'server()'];
    base.containerDefinitions![0]!.entryPoint = ['/bin/sh', '-c'];
    base.containerDefinitions![1]!.command = ['--local-mode'];
    const { request, bootstrapDropped } = deriveRevision({
      base,
      baseTags: [
        { key: 'Environment', value: 'prod' },
        { key: BOOTSTRAP_TAG, value: 'true' },
      ],
      family: FAMILY,
      image: `${REGISTRY}/api:v2`,
      environment: {},
      origin,
    });
    expect(bootstrapDropped).toBe(true);
    const [api, xray] = request.containerDefinitions!;
    expect(api).not.toHaveProperty('command');
    expect(api).not.toHaveProperty('entryPoint');
    // Only the container that gets the image: a sidecar's command is its own.
    expect(xray!.command).toEqual(['--local-mode']);
    expect(request.tags!.map((tag) => tag.key)).toEqual([
      'Environment',
      REVISION_TAGS.release,
      REVISION_TAGS.run,
      REVISION_TAGS.imageTag,
    ]);
    expect(base.containerDefinitions![0]!.command).toEqual(['node', '-e', 'server()']);
  });

  it('keeps the command of a base that is not the bootstrap revision', () => {
    const base = bootstrapDefinition();
    base.containerDefinitions![0]!.command = ['node', 'server.js'];
    const { request, bootstrapDropped } = deriveRevision({
      base,
      baseTags: [{ key: BOOTSTRAP_TAG, value: 'false' }],
      family: FAMILY,
      image: `${REGISTRY}/api:v2`,
      environment: {},
      origin,
    });
    expect(bootstrapDropped).toBe(false);
    expect(request.containerDefinitions![0]!.command).toEqual(['node', 'server.js']);
    expect(request.tags).toContainEqual({ key: BOOTSTRAP_TAG, value: 'false' });
  });
});

describe('revisionDiff', () => {
  it('names the image change and environment keys, never values', () => {
    const before = bootstrapDefinition();
    const { request } = deriveRevision({
      base: before,
      baseTags: [],
      family: FAMILY,
      image: `${REGISTRY}/api:v2`,
      environment: { PORT: '9090', NEW: 'secret-ish' },
      origin,
    });
    request.containerDefinitions![0]!.environment =
      request.containerDefinitions![0]!.environment!.filter((p) => p.name !== 'DB_TLS');
    const diff = revisionDiff({ before, after: request, container: 'api' });
    expect(diff.imageBefore).toBe(`${REGISTRY}/api:v1`);
    expect(diff.imageAfter).toBe(`${REGISTRY}/api:v2`);
    expect(diff.environment).toEqual([
      { name: 'PORT', change: 'changed' },
      { name: 'NEW', change: 'added' },
      { name: 'DB_TLS', change: 'removed' },
    ]);
    expect(JSON.stringify(diff)).not.toContain('secret-ish');
    expect(diff.other).toEqual([]);
  });

  it('lists other fields that differ (a task-definition file as base)', () => {
    const before = bootstrapDefinition();
    const after = { ...bootstrapDefinition(), memory: '1024' };
    after.containerDefinitions![1]!.cpu = 64;
    expect(revisionDiff({ before, after, container: 'api' }).other).toEqual([
      'memory',
      'container xray',
    ]);
  });
});
