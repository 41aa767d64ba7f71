/**
 * Issue 16's input cases run as the runner runs the bundle, against moto: values that reached AWS
 * changed (YAML's type guessing, UsePreviousValue sent as ""), protect by type in the wrong case,
 * the format rule, repeated keys, comma-joined parameters, local type checks, a stack policy
 * with a BOM, and (issue 10 #3) list parameters checked per item. Every refusal is checked to leave
 * nothing in moto. Also the frozen endpoint of 16 #4, through the fault proxy (moto always answers).
 */
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetStackPolicyCommand,
  ListChangeSetsCommand,
  ListStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '../../common/src/aws-client.js';
import {
  type FaultProxy,
  queryAction,
  signedFor,
  startFaultProxy,
} from '../../../test-support/fault-proxy.js';
import { motoUrl } from '../../../test-support/moto.js';
import { type ActionResult, runAction } from '../../../test-support/run-action.js';
import { FIXTURES } from './helpers.js';

jest.setTimeout(90_000);

const cfn = createClient(CloudFormationClient, 'CLOUDFORMATION', { action: 'test' });
afterAll(() => cfn.destroy());

const fixture = (name: string) => path.join(FIXTURES, name);
const PARAMS = fixture('inputs-params.yaml');

function provision(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ActionResult> {
  return runAction('provision-stack', inputs, options);
}

/** A folder with these files, for `file:` inputs (resolved against the workspace). */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provision-inputs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function deployed(stackName: string): Promise<Stack> {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  return Stacks?.[0] as Stack;
}

const parameterOf = (stack: Stack, key: string) =>
  stack.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
const tagOf = (stack: Stack, key: string) => stack.Tags?.find((tag) => tag.Key === key)?.Value;

async function stacksNamed(name: string): Promise<string[]> {
  const { StackSummaries } = await cfn.send(new ListStacksCommand({}));
  return (StackSummaries ?? [])
    .filter((stack) => stack.StackName === name)
    .map((stack) => stack.StackStatus ?? '');
}

/** moto's ListChangeSets ignores StackName and lists every stack's. */
async function changeSetsOf(stackName: string): Promise<number> {
  const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: stackName }));
  return (Summaries ?? []).filter((summary) => summary.StackName === stackName).length;
}

function errorOf(result: ActionResult) {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
}

const warningsOf = (result: ActionResult) =>
  result.annotations.filter((annotation) => annotation.level === 'warning');

/** Refused as a bad input, before anything reached CloudFormation: no stack of that name. */
async function expectRefused(result: ActionResult, stackName: string, message: RegExp) {
  expect(result.exitCode).toBe(1);
  const error = errorOf(result);
  expect(error.title).toBe('Invalid input: parameters');
  expect(error.message).toMatch(message);
  expect(await stacksNamed(stackName)).toEqual([]);
}

describe('values reach AWS as written (issue 16 #2)', () => {
  it('sends 0012 and 0042 from YAML mappings as 0012 and 0042, not 12 and 42', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-yaml',
      parameters: 'Version: 0012\nPin: 1.10',
      tags: 'cost-center: 0042\nrelease: 8.0',
    });
    expect(result.exitCode).toBe(0);
    const stack = await deployed('in-yaml');
    expect(parameterOf(stack, 'Version')).toBe('0012');
    expect(parameterOf(stack, 'Pin')).toBe('1.10');
    expect(tagOf(stack, 'cost-center')).toBe('0042');
    expect(tagOf(stack, 'release')).toBe('8.0');
  });

  it('refuses a nested mapping as a tag value, naming the key, before any change', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-nested',
      parameters: 'Version=1',
      tags: 'team:\n  name: core',
    });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatchObject({
      title: 'Invalid input: tags',
      message: expect.stringMatching(
        /read as YAML \(line 1 is not Key=Value\): the value of team \(line 1\) is a mapping/,
      ),
    });
    expect(await stacksNamed('in-nested')).toEqual([]);
  });
});

describe("CloudFormation's parameter file with UsePreviousValue (issue 16 #1)", () => {
  it('keeps the deployed value (it sent "" before) and lists it as kept', async () => {
    const created = await provision({
      template: PARAMS,
      'stack-name': 'in-keep',
      parameters: 'Version=first\nAccount=111111111111',
    });
    expect(created.exitCode).toBe(0);
    const cwd = workspace({
      'params.json': JSON.stringify([
        { ParameterKey: 'Version', UsePreviousValue: true },
        { ParameterKey: 'Account', ParameterValue: '222222222222' },
      ]),
    });
    const result = await provision(
      { template: PARAMS, 'stack-name': 'in-keep', parameters: 'file:params.json' },
      { cwd, env: { GITHUB_WORKSPACE: cwd } },
    );
    expect(result.exitCode).toBe(0);
    const stack = await deployed('in-keep');
    expect(parameterOf(stack, 'Version')).toBe('first');
    expect(parameterOf(stack, 'Account')).toBe('222222222222');
    expect(result.summary).toMatch(
      /<th>Kept at deployed value<\/th><td>Version(, [A-Za-z]+)*<\/td>/,
    );
  });

  it('refuses an entry with neither ParameterValue nor UsePreviousValue, naming it, changing nothing', async () => {
    const before = await changeSetsOf('in-keep');
    const cwd = workspace({ 'params.json': JSON.stringify([{ ParameterKey: 'Version' }]) });
    const result = await provision(
      { template: PARAMS, 'stack-name': 'in-keep', parameters: 'file:params.json' },
      { cwd, env: { GITHUB_WORKSPACE: cwd } },
    );
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).message).toMatch(
      /params\.json, read as JSON \(it starts with \[\): entry 1 \(line 1\): Version has neither a ParameterValue nor UsePreviousValue: true/,
    );
    expect(await changeSetsOf('in-keep')).toBe(before);
  });

  it('refuses UsePreviousValue on a stack that does not exist yet', async () => {
    const cwd = workspace({
      'params.json': JSON.stringify([{ ParameterKey: 'Version', UsePreviousValue: true }]),
    });
    const result = await provision(
      { template: PARAMS, 'stack-name': 'in-keep-new', parameters: 'file:params.json' },
      { cwd, env: { GITHUB_WORKSPACE: cwd } },
    );
    await expectRefused(
      result,
      'in-keep-new',
      /a ParameterValue for Version: UsePreviousValue keeps the deployed value, and the stack has none yet/,
    );
  });
});

describe('protect by type in any case (issue 16 #3)', () => {
  it('blocks deleting a bucket protected as aws::s3::bucket, and warns about a misspelt type', async () => {
    const created = await provision({
      template: fixture('inputs-bucket.yaml'),
      'stack-name': 'in-protect',
    });
    expect(created.exitCode).toBe(0);
    const result = await provision({
      template: fixture('inputs-no-bucket.yaml'),
      'stack-name': 'in-protect',
      protect: 'aws::s3::bucket, AWS::S3::Bukcet',
    });
    expect(result.exitCode).toBe(1);
    expect(errorOf(result)).toMatchObject({
      title: 'Protected resources would be replaced or deleted',
      message: expect.stringContaining('Assets (AWS::S3::Bucket) would be deleted'),
    });
    expect(warningsOf(result)).toContainEqual({
      level: 'warning',
      title: 'Protected type not in the template',
      message: expect.stringMatching(
        /^protect names AWS::S3::Bukcet, which matches no resource type/,
      ),
    });
    const s3 = createClient(S3Client, 'S3', { action: 'test' });
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: 'provision-stack-inputs-assets' })),
    ).resolves.toBeDefined();
    s3.destroy();
    expect(await stacksNamed('in-protect')).toEqual(['CREATE_COMPLETE']);
  });
});

describe('the format rule (issue 16 #8) and repeated keys (#9)', () => {
  it('reads tags: app:tier=web as Key=Value lines (a key with :)', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-colon',
      parameters: 'Version=1',
      tags: 'app:tier=web\naws-team/name=core',
    });
    expect(result.exitCode).toBe(0);
    const stack = await deployed('in-colon');
    expect(tagOf(stack, 'app:tier')).toBe('web');
    expect(tagOf(stack, 'aws-team/name')).toBe('core');
  });

  it('refuses a key given twice, naming both lines', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-twice',
      parameters: 'Version=one\nVersion=two',
    });
    await expectRefused(
      result,
      'in-twice',
      /read as Key=Value lines \(every line is Key=Value\): Version is given twice \(lines 1 and 2\)/,
    );
  });
});

describe('comma-joined parameters (issue 16 #10), quotes kept (#16)', () => {
  it('warns that Version=2,Account=… sets Version only', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-comma',
      parameters: 'Version=2,Account=111111111111',
    });
    expect(result.exitCode).toBe(0);
    expect(warningsOf(result)).toContainEqual({
      level: 'warning',
      title: 'Two parameters on one line?',
      message: expect.stringMatching(/^The value of Version holds ',Account='/),
    });
    const stack = await deployed('in-comma');
    expect(parameterOf(stack, 'Version')).toBe('2,Account=111111111111');
    expect(parameterOf(stack, 'Account')).toBe('none');
  });

  it('sends Pin="1234" with its quotes, and says so', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-quotes',
      parameters: 'Version=1\nPin="1234"',
    });
    expect(result.exitCode).toBe(0);
    expect(warningsOf(result)).toContainEqual({
      level: 'warning',
      title: 'Input parameters taken as written',
      message: expect.stringMatching(/^Input 'parameters': Pin \(line 2\) keeps its quotes/),
    });
    expect(parameterOf(await deployed('in-quotes'), 'Pin')).toBe('"1234"');
  });
});

describe('types and constraints checked before AWS (issue 16 #11, issue 10 #3)', () => {
  it('refuses 0x1F for a Number parameter (before: a generic AWS error from moto)', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-number',
      parameters: 'Version=1\nCount=0x1F',
    });
    await expectRefused(result, 'in-number', /a number for Count \(its Type is Number\)/);
  });

  it('accepts a CommaDelimitedList whose items each match AllowedPattern', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-list',
      parameters: 'Version=1\nIds=sg-0a1, sg-0b2',
    });
    expect(result.exitCode).toBe(0);
    expect(result.annotations.filter((annotation) => annotation.level === 'error')).toEqual([]);
  });

  it('refuses a Number over MaxValue and a String under MinLength (before: moto took them)', async () => {
    const count = await provision({
      template: PARAMS,
      'stack-name': 'in-range',
      parameters: 'Version=1\nCount=11',
    });
    await expectRefused(
      count,
      'in-range',
      /a value of Count from 1 to 10 \(MinValue 1, MaxValue 10\)/,
    );
    const name = await provision({
      template: PARAMS,
      'stack-name': 'in-range',
      parameters: 'Version=1\nName=ab',
    });
    await expectRefused(
      name,
      'in-range',
      /a value of Name of at least 3 characters \(MinLength 3; it has 2\)/,
    );
  });

  it('refuses the list item that does not match, naming it', async () => {
    const result = await provision({
      template: PARAMS,
      'stack-name': 'in-list-bad',
      parameters: 'Version=1\nIds=sg-0a1,bad',
    });
    await expectRefused(
      result,
      'in-list-bad',
      /each item of Ids \(a CommaDelimitedList\) matching its AllowedPattern .* \(item 2 of 2 is "bad"\)/,
    );
  });
});

describe('a stack policy file with a UTF-8 BOM (issue 16 #16)', () => {
  it('is accepted and set, without the mark', async () => {
    const policy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'Update:*', Resource: '*' }],
    });
    const cwd = workspace({ 'policy.json': `\uFEFF${policy}` });
    const result = await provision(
      {
        template: PARAMS,
        'stack-name': 'in-bom',
        parameters: 'Version=1',
        'stack-policy': 'policy.json',
      },
      { cwd, env: { GITHUB_WORKSPACE: cwd } },
    );
    expect(result.exitCode).toBe(0);
    const { StackPolicyBody } = await cfn.send(new GetStackPolicyCommand({ StackName: 'in-bom' }));
    expect(JSON.parse(StackPolicyBody ?? '')).toEqual(JSON.parse(policy));
  });
});

describe('a frozen endpoint (issue 16 #4)', () => {
  // moto always answers: the proxy holds the matching requests and never answers them.
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  /** The run, and how long it took from spawn to exit. */
  async function timed(run: () => Promise<ActionResult>) {
    const started = Date.now();
    const result = await run();
    return { result, seconds: (Date.now() - started) / 1000 };
  }

  it('fails as a timeout naming the call when CloudFormation never answers, within timeout-minutes', async () => {
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [{ match: signedFor('cloudformation'), times: Infinity, hold: true }],
    });
    const url = proxy.url;
    const { result, seconds } = await timed(() =>
      provision(
        {
          template: PARAMS,
          'stack-name': 'in-frozen',
          parameters: 'Version=1',
          'timeout-minutes': '8s',
        },
        { env: { AWS_ENDPOINT_URL: url } },
      ),
    );
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Timed out');
    expect(error.message).toMatch(
      /CloudFormation \w+ got no answer from http:\/\/127\.0\.0\.1:\d+ before the step's timeout-minutes \(8s\) ran out; the request was stopped\./,
    );
    // Measured from spawn: node's start and the bundle's load on a busy machine, then the
    // deadline; never the 20 s clean-up window or run-main's hard stop (30 s after it).
    expect(seconds).toBeLessThan(8 + 10);
    expect(result.outputs.changed).toBeUndefined();
    expect(await stacksNamed('in-frozen')).toEqual([]);
  });

  it('fails the same way when the endpoint freezes mid-run (the change set wait)', async () => {
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [{ match: queryAction('DescribeChangeSet'), times: Infinity, hold: true }],
    });
    const url = proxy.url;
    const { result, seconds } = await timed(() =>
      provision(
        {
          template: PARAMS,
          'stack-name': 'in-frozen-mid',
          parameters: 'Version=1',
          'timeout-minutes': '10s',
        },
        { env: { AWS_ENDPOINT_URL: url } },
      ),
    );
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Timed out');
    expect(error.message).toContain('CloudFormation DescribeChangeSet got no answer');
    expect(seconds).toBeLessThan(10 + 10);
    // The change set was never executed: the stack waits for review, nothing was created.
    expect(await stacksNamed('in-frozen-mid')).toEqual(['REVIEW_IN_PROGRESS']);
  });

  it('fails the same way when the endpoint freezes while the execution is watched', async () => {
    // Forward everything until ExecuteChangeSet has gone through, then hold every read.
    let executed = false;
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [
        {
          match: (request) => {
            if (queryAction('ExecuteChangeSet')(request)) executed = true;
            return false;
          },
          times: Infinity,
          hold: true,
        },
        {
          match: (request) =>
            executed &&
            !queryAction('ExecuteChangeSet')(request) &&
            signedFor('cloudformation')(request),
          times: Infinity,
          hold: true,
        },
      ],
    });
    const url = proxy.url;
    const { result, seconds } = await timed(() =>
      provision(
        {
          template: PARAMS,
          'stack-name': 'in-frozen-wait',
          parameters: 'Version=1',
          'timeout-minutes': '10s',
        },
        { env: { AWS_ENDPOINT_URL: url } },
      ),
    );
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Timed out');
    expect(error.message).toMatch(
      /CloudFormation (DescribeStacks|DescribeStackEvents) got no answer/,
    );
    expect(seconds).toBeLessThan(10 + 10);
    expect(proxy.requests.some((request) => queryAction('ExecuteChangeSet')(request))).toBe(true);
  });
});
