/**
 * Reading the inputs without AWS: command splitting (quotes, JSON arrays), the refusals with the
 * input's name, KEY=VALUE environment lines, subnet and security group ids, defaults, and secrets
 * masked before anything could print them.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { readInputs } from '../src/inputs.js';

let stdout: string[];
beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

function read(values: Record<string, string>) {
  const all: Record<string, string> = {
    cluster: 'prod',
    service: 'app-api',
    command: 'npm run migrate',
    ...values,
  };
  return readInputs(new Inputs((name) => (all[name] ?? '').trim(), '/tmp'));
}

function refusal(values: Record<string, string>): InputError {
  try {
    read(values);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('accepted');
}

describe('readInputs', () => {
  it('has the documented defaults', () => {
    const inputs = read({});
    expect(inputs).toMatchObject({
      cluster: 'prod',
      service: 'app-api',
      command: ['npm', 'run', 'migrate'],
      environment: {},
      subnets: [],
      securityGroups: [],
      stopOnCancel: true,
      deregisterOnFailure: true,
      timeoutMs: 30 * 60_000,
    });
    expect(inputs.taskDefinition).toBeUndefined();
    expect(inputs.containerName).toBeUndefined();
  });

  it('splits the command like a shell, quotes respected, or takes a JSON array as given', () => {
    expect(read({ command: `npm run migrate -- --to "v 2" --name='a b'` }).command).toEqual([
      'npm',
      'run',
      'migrate',
      '--',
      '--to',
      'v 2',
      '--name=a b',
    ]);
    expect(read({ command: '["sh", "-c", "npm run migrate && npm run seed"]' }).command).toEqual([
      'sh',
      '-c',
      'npm run migrate && npm run seed',
    ]);
  });

  it.each([
    ['an empty command', { command: '' }, 'command', /the command is empty/],
    [
      'an unbalanced quote',
      { command: 'npm run migrate --to "v 2' },
      'command',
      /quote is not closed/,
    ],
    [
      'a shell operator',
      { command: 'npm run migrate && npm run seed' },
      'command',
      /shell operator/,
    ],
    ['a bad environment key', { environment: 'GOOD=1\n1BAD=2' }, 'environment', /"1BAD" is not/],
    [
      'an environment line without =',
      { environment: 'JUST_A_NAME' },
      'environment',
      /Key=Value on every line/,
    ],
    [
      'a subnet that is not an id',
      { subnets: 'subnet-0aaaaaaaaaaaaaaaa, private-a' },
      'subnets',
      /subnet ids/,
    ],
    [
      'a security group that is not an id',
      { 'security-groups': 'default' },
      'security-groups',
      /security group ids/,
    ],
    ['a cluster name with spaces', { cluster: 'my cluster' }, 'cluster', /ECS cluster name or ARN/],
    [
      'a task definition that is no name or ARN',
      { 'task-definition': 'app api:3' },
      'task-definition',
      /task definition ARN, family:revision or family/,
    ],
    ['a timeout of zero', { 'timeout-minutes': '0' }, 'timeout-minutes', /above zero/],
    [
      'stop-on-cancel that is not a boolean',
      { 'stop-on-cancel': 'maybe' },
      'stop-on-cancel',
      /true or false/,
    ],
  ])('refuses %s, naming the input', (_what, values, input, accepted) => {
    const error = refusal(values);
    expect(error.input).toBe(input);
    expect(error.message).toMatch(accepted);
  });

  it('reads KEY=VALUE environment lines, values keeping every =', () => {
    expect(
      read({ environment: 'LOG_LEVEL=debug\nDSN=mysql://app@db:3306/app?ssl=true' }).environment,
    ).toEqual({
      LOG_LEVEL: 'debug',
      DSN: 'mysql://app@db:3306/app?ssl=true',
    });
  });

  it('masks secrets of the environment and the command before parsing the command', () => {
    const inputs = read({
      environment: 'DB_PASSWORD=hunter2\nLOG_LEVEL=debug',
      command: 'migrate --url mysql://app:s3cret@db/app --api-key=abc123',
    });
    const masks = stdout
      .filter((line) => line.startsWith('::add-mask::'))
      .map((line) => line.trim());
    expect(masks).toEqual(
      expect.arrayContaining(['::add-mask::hunter2', '::add-mask::s3cret', '::add-mask::abc123']),
    );
    expect(masks).not.toContain('::add-mask::debug');
    expect(inputs.secrets).toEqual(expect.arrayContaining(['hunter2', 's3cret', 'abc123']));
    // A command that fails to parse has had its secret masked already.
    stdout.length = 0;
    refusal({ command: 'migrate --password=topsecret "unclosed' });
    expect(stdout.join('')).toContain('::add-mask::topsecret');
  });

  it('reads subnets and security groups, comma or newline separated', () => {
    const inputs = read({
      subnets: 'subnet-0aaaaaaaaaaaaaaaa,\nsubnet-0bbbbbbbbbbbbbbbb',
      'security-groups': 'sg-0cccccccccccccccc',
    });
    expect(inputs.subnets).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
    expect(inputs.securityGroups).toEqual(['sg-0cccccccccccccccc']);
  });

  it('reads timeouts as minutes or durations', () => {
    expect(read({ 'timeout-minutes': '45' }).timeoutMs).toBe(45 * 60_000);
    expect(read({ 'timeout-minutes': '1h30m' }).timeoutMs).toBe(90 * 60_000);
  });
});
