/** readInputs: every bad input refused with the input's name, before any AWS call (none is possible here). */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { readInputs } from '../src/inputs.js';
import { bootstrapDefinition, REGISTRY } from './fake-aws.js';

const dir = mkdtempSync(path.join(tmpdir(), 'deploy-inputs-'));
writeFileSync(path.join(dir, 'td.json'), JSON.stringify(bootstrapDefinition()));
writeFileSync(path.join(dir, 'stack.yaml'), 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n');
writeFileSync(path.join(dir, 'broken.json'), '{"family": ');

const read = (given: Record<string, string>) =>
  readInputs(new Inputs((name) => given[name] ?? '', dir));
const base = { cluster: 'prod', service: 'prod-api', image: `${REGISTRY}/api:v2` };

function refusal(given: Record<string, string>): InputError {
  try {
    read(given);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('readInputs', () => {
  it('reads the defaults', () => {
    const inputs = read(base);
    expect(inputs).toMatchObject({
      registerOnly: false,
      pinDigest: true,
      wait: true,
      forceNewDeployment: false,
      timeoutMs: 15 * 60_000,
    });
    expect(inputs.image?.tag).toBe('v2');
  });

  it('reads release as given, and leaves it unset when empty', () => {
    expect(read({ ...base, release: 'v1.3.0' }).release).toBe('v1.3.0');
    expect(read({ ...base, release: 'release/2026-12' }).release).toBe('release/2026-12');
    expect(read(base)).not.toHaveProperty('release');
  });

  it('keeps = in environment values', () => {
    expect(read({ ...base, environment: 'A=b=c\nURL=https://x/?q=1\nEMPTY=' }).environment).toEqual(
      {
        A: 'b=c',
        URL: 'https://x/?q=1',
        EMPTY: '',
      },
    );
  });

  it('reads a task-definition file (JSON) as the base, read-only fields dropped', () => {
    const inputs = read({ ...base, 'task-definition': 'td.json' });
    expect(inputs.baseFromFile?.request.family).toBe('prod-api');
    expect(inputs.baseFromFile?.request).not.toHaveProperty('revision');
  });

  it.each<[string, Record<string, string>, string]>([
    ['a malformed image URI', { ...base, image: `${REGISTRY}/API` }, 'image'],
    ['an image without tag or digest', { ...base, image: `${REGISTRY}/api` }, 'image'],
    ['no image and no revision', { cluster: 'prod', service: 'prod-api' }, 'image'],
    ['an environment line without =', { ...base, environment: 'A=1\nJUSTAWORD' }, 'environment'],
    [
      'an environment name that is no variable name',
      { ...base, environment: '1A=1' },
      'environment',
    ],
    [
      'a task-definition file that is not a task definition',
      { ...base, 'task-definition': 'stack.yaml' },
      'task-definition',
    ],
    [
      'a task-definition file that does not parse',
      { ...base, 'task-definition': 'broken.json' },
      'task-definition',
    ],
    [
      'a task-definition file that does not exist',
      { ...base, 'task-definition': 'nope.json' },
      'task-definition',
    ],
    ['timeout-minutes under one minute', { ...base, 'timeout-minutes': '30s' }, 'timeout-minutes'],
    ['timeout-minutes of zero', { ...base, 'timeout-minutes': '0' }, 'timeout-minutes'],
    [
      'task-definition-arn that is no revision',
      { cluster: 'prod', service: 'prod-api', 'task-definition-arn': 'prod-api' },
      'task-definition-arn',
    ],
    [
      'task-definition-arn with an image',
      { ...base, 'task-definition-arn': 'prod-api:3' },
      'task-definition-arn',
    ],
    ['a cluster name with spaces', { ...base, cluster: 'my cluster' }, 'cluster'],
    ['register-only that is not a boolean', { ...base, 'register-only': 'maybe' }, 'register-only'],
    ['a release with a space', { ...base, release: 'v1.3.0 hotfix' }, 'release'],
    ['a release over 256 characters', { ...base, release: 'v'.repeat(257) }, 'release'],
  ])('refuses %s, naming the input', (_name, given, input) => {
    const error = refusal(given);
    expect(error.input).toBe(input);
  });

  it('does not repeat environment values in its message', () => {
    expect(refusal({ ...base, environment: 'TOKEN=hunter2\nbroken' }).message).not.toContain(
      'hunter2',
    );
  });
});
