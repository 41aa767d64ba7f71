/**
 * The bundled action (dist/index.js) run as the Actions runner runs it, against moto over HTTP.
 * moto 5.2 fills no stack outputs after a change set executes, emits only stack-level events, does
 * not roll back and does not implement UpdateTerminationProtection: those paths are in
 * main.test.ts. Each bad-input case checks the annotation and that moto holds no trace of the stack.
 */
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetStackPolicyCommand,
  ListChangeSetsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '../../common/src/aws-client.js';
import {
  type FaultProxy,
  queryAction,
  queryError,
  signedFor,
  startFaultProxy,
} from '../../../test-support/fault-proxy.js';
import { motoUrl } from '../../../test-support/moto.js';
import { type ActionResult, runAction } from '../../../test-support/run-action.js';
import { FIXTURES, paddedTemplate } from './helpers.js';

// Each run spawns node and the first ValidateTemplate makes moto load cfn-lint: seconds, not ms.
jest.setTimeout(60_000);

const cfn = createClient(CloudFormationClient, 'CLOUDFORMATION', { action: 'test' });
afterAll(() => cfn.destroy());

/** Change sets of one stack (moto's ListChangeSets ignores StackName and lists every stack's). */
async function changeSetsOf(stackName: string) {
  const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: stackName }));
  return (Summaries ?? []).filter((summary) => summary.StackName === stackName);
}
const fixture = (name: string) => path.join(FIXTURES, name);
const appParameters = 'Env=it\nSecret=s3cr=t,x';

function provision(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionResult> {
  return runAction('provision-stack', inputs, { env });
}

/** Every stack moto knows by that name, deleted ones included. */
async function stacksNamed(name: string): Promise<string[]> {
  const { StackSummaries } = await cfn.send(new ListStacksCommand({}));
  return (StackSummaries ?? [])
    .filter((stack) => stack.StackName === name)
    .map((stack) => stack.StackStatus ?? '');
}

function errorOf(result: ActionResult) {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
}

/** A bad input: exit 1, one titled error annotation, and nothing of the stack in moto. */
async function expectRejected(
  result: ActionResult,
  stackName: string,
  title: string,
  message: RegExp,
) {
  expect(result.exitCode).toBe(1);
  const error = errorOf(result);
  expect(error.title).toBe(title);
  expect(error.message).toMatch(message);
  expect(result.summary).toContain(`Failed: ${title}`);
  expect(await stacksNamed(stackName)).toEqual([]);
}

describe('provision-stack against moto', () => {
  it('creates a stack through a change set, printing the change table', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-app',
      parameters: appParameters,
    });
    expect(result.exitCode).toBe(0);
    expect(result.annotations).toEqual([]);
    // The NoEcho value is masked before anything else is printed.
    expect(result.lines[0]).toBe('::add-mask::s3cr=t,x');
    expect(result.outputs).toMatchObject({
      changed: 'true',
      'stack-status': 'CREATE_COMPLETE',
      'stack-id': expect.stringMatching(/^arn:aws:cloudformation:us-east-1:\d+:stack\/it-app\//),
      'change-set-id': expect.stringMatching(/changeSet\/provision-\d+-1-[a-z0-9]+\//),
      'outputs-json': '{}',
    });
    expect(result.log).toMatch(
      /Action +Logical ID +Type +Replacement +Scope\n[- ]+\nAdd +Setting +AWS::SSM::Parameter/,
    );
    expect(result.summary).toContain('<td>Add</td><td>Setting</td><td>AWS::SSM::Parameter</td>');
    expect(result.summary).toContain('<td>Add</td><td>Logs</td><td>AWS::Logs::LogGroup</td>');
    // The resources really exist, and a value with '=' and ',' arrived intact.
    const logs = createClient(CloudWatchLogsClient, 'CLOUDWATCH_LOGS', { action: 'test' });
    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/provision-stack-test/it' }),
    );
    expect(logGroups?.map((group) => group.logGroupName)).toEqual(['/provision-stack-test/it']);
    // moto shows NoEcho values in DescribeStacks (AWS shows ****), which lets this check them.
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'it-app' }));
    expect(Stacks?.[0]?.Parameters).toContainEqual({
      ParameterKey: 'Secret',
      ParameterValue: 's3cr=t,x',
    });
    expect(await stacksNamed('it-app')).toEqual(['CREATE_COMPLETE']);
  });

  it('says "no changes" on a second run with the same inputs (changed=false, AWS form: ValidationError)', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-app',
      parameters: appParameters,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      changed: 'false',
      'change-set-id': '',
      'stack-status': 'CREATE_COMPLETE',
    });
    expect(result.log).toContain(
      'No changes: stack it-app already matches the template and parameters.',
    );
    expect(result.summary).toContain('<b>No changes</b>');
    expect(result.summary).not.toContain('<th>Logical ID</th>');
  });

  it('keeps parameters it is not given at their deployed values', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-app',
      parameters: 'Env: it',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changed).toBe('false');
    expect(result.summary).toContain('<th>Kept at deployed value</th><td>Secret, Retention</td>');
  });

  it('handles the other empty form (a FAILED change set without changes) and deletes that change set', async () => {
    const first = await provision({
      template: fixture('no-params.yaml'),
      'stack-name': 'it-plain',
    });
    expect(first.exitCode).toBe(0);
    const second = await provision({
      template: fixture('no-params.yaml'),
      'stack-name': 'it-plain',
    });
    expect(second.exitCode).toBe(0);
    expect(second.outputs.changed).toBe('false');
    const changeSets = await changeSetsOf('it-plain');
    expect(changeSets.map((summary) => summary.ExecutionStatus)).toEqual(['EXECUTE_COMPLETE']);
  });

  it('previews a change without executing it', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-app',
      parameters: 'Env=it\nRetention=30',
      mode: 'preview',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      changed: 'true',
      'change-set-id': expect.stringContaining(':changeSet/'),
    });
    expect(result.log).toContain('Preview only');
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'it-app' }));
    expect(
      Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === 'Retention')?.ParameterValue,
    ).toBe('7');
    const changeSets = await changeSetsOf('it-app');
    expect(changeSets.map((summary) => summary.ExecutionStatus)).toEqual([
      'EXECUTE_COMPLETE',
      'AVAILABLE',
    ]);
  });

  it('refuses to delete a protected resource, leaving stack and resource as they were', async () => {
    const created = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-protect',
      parameters: 'Env=protect',
    });
    expect(created.exitCode).toBe(0);
    // moto reports a removed resource as Action: Remove (it never reports Replacement, so
    // replacement is covered in main.test.ts).
    const result = await provision({
      template: fixture('app-without-logs.yaml'),
      'stack-name': 'it-protect',
      protect: 'AWS::Logs::LogGroup',
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Protected resources would be replaced or deleted');
    expect(error.message).toContain('Logs (AWS::Logs::LogGroup) would be deleted');
    expect(error.message).toContain(
      'Fix: If this is intended (data will be lost), add the logical id or type to allow-replacement',
    );
    expect(result.summary).toContain('<td>Remove</td><td>Logs</td><td>AWS::Logs::LogGroup</td>');
    const logs = createClient(CloudWatchLogsClient, 'CLOUDWATCH_LOGS', { action: 'test' });
    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/provision-stack-test/protect' }),
    );
    expect(logGroups).toHaveLength(1);
    expect(await stacksNamed('it-protect')).toEqual(['CREATE_COMPLETE']);
    // The change set is left for review, not executed.
    expect((await changeSetsOf('it-protect')).map((summary) => summary.ExecutionStatus)).toEqual([
      'EXECUTE_COMPLETE',
      'AVAILABLE',
    ]);

    const allowed = await provision({
      template: fixture('app-without-logs.yaml'),
      'stack-name': 'it-protect',
      protect: 'AWS::Logs::LogGroup',
      'allow-replacement': 'Logs',
    });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.outputs).toMatchObject({ changed: 'true', 'stack-status': 'UPDATE_COMPLETE' });
  });

  it('uploads a template over 51,200 bytes to template-bucket and deploys it from there', async () => {
    const s3 = createClient(S3Client, 'S3', { action: 'test' });
    await s3.send(new CreateBucketCommand({ Bucket: 'it-templates' }));
    const dir = mkdtempSync(path.join(tmpdir(), 'big-'));
    writeFileSync(path.join(dir, 'big.yaml'), paddedTemplate(60_000));
    const result = await provision({
      template: path.join(dir, 'big.yaml'),
      'stack-name': 'it-big',
      'template-bucket': 'it-templates',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['stack-status']).toBe('CREATE_COMPLETE');
    const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: 'it-templates' }));
    s3.destroy();
    expect(Contents?.map((object) => object.Key)).toEqual([
      expect.stringMatching(/^provision-stack\/it-big\/[0-9a-f]{16}\.template$/),
    ]);
  });
});

describe('provision-stack refuses bad input before any change', () => {
  it('a missing template file', async () => {
    const result = await provision({ template: 'nowhere/app.yaml', 'stack-name': 'it-missing' });
    await expectRejected(
      result,
      'it-missing',
      'Invalid input: template',
      /nowhere\/app\.yaml does not exist/,
    );
  });

  it('a template that is not YAML', async () => {
    const result = await provision({
      template: fixture('not-yaml.template'),
      'stack-name': 'it-not-yaml',
    });
    await expectRejected(
      result,
      'it-not-yaml',
      'Invalid input: template',
      /not readable at line \d+, column \d+/,
    );
  });

  it('a template CloudFormation rejects', async () => {
    const result = await provision({
      template: fixture('rejected.yaml'),
      'stack-name': 'it-rejected',
    });
    await expectRejected(
      result,
      'it-rejected',
      'Template rejected by CloudFormation',
      /AWS::Nope::Thing/,
    );
  });

  it('a template over 51,200 bytes without template-bucket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'big-'));
    writeFileSync(path.join(dir, 'big.yaml'), paddedTemplate(51_201));
    const result = await provision({
      template: path.join(dir, 'big.yaml'),
      'stack-name': 'it-too-big',
    });
    await expectRejected(
      result,
      'it-too-big',
      'Invalid input: template-bucket',
      /51,201 bytes, over CloudFormation's 51,200-byte limit/,
    );
  });

  it('an invalid stack name', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it_bad!',
      parameters: appParameters,
    });
    await expectRejected(
      result,
      'it_bad!',
      'Invalid input: stack-name',
      /a letter, then letters, digits and hyphens/,
    );
  });

  it('malformed parameters', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-malformed',
      parameters: '{Env: [unclosed',
    });
    await expectRejected(
      result,
      'it-malformed',
      'Invalid input: parameters',
      /YAML or JSON mapping/,
    );
  });

  it('an unknown parameter, named', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-unknown',
      parameters: 'Env=it\nColour=red',
    });
    await expectRejected(
      result,
      'it-unknown',
      'Invalid input: parameters',
      /unknown: Colour \(the template declares Env, Secret, Retention\)/,
    );
  });

  it('a missing required parameter, named', async () => {
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-required',
      parameters: 'Retention=14',
    });
    await expectRejected(result, 'it-required', 'Invalid input: parameters', /missing: Env/);
  });

  it('a capability the template needs and the input does not grant', async () => {
    const result = await provision({
      template: fixture('named-role.yaml'),
      'stack-name': 'it-caps',
      capabilities: 'CAPABILITY_IAM',
    });
    await expectRejected(
      result,
      'it-caps',
      'Invalid input: capabilities',
      /CAPABILITY_NAMED_IAM \(for IAM resources with custom names: Role\).*InsufficientCapabilities/,
    );
  });
});

// moto stores a stack policy (SetStackPolicy, GetStackPolicy) but does not enforce it, so what the
// policy refuses during an update cannot be shown here; the order of the calls (the policy set
// before ExecuteChangeSet) is pinned in main.test.ts and seen here in the log.
describe('provision-stack with a stack-policy against moto', () => {
  const policyFile = fixture('stack-policy.json');
  const policyBody = readFileSync(policyFile, 'utf8');
  const tighter = JSON.stringify({
    Statement: [
      ...(JSON.parse(policyBody) as { Statement: unknown[] }).Statement,
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'Update:Delete',
        Resource: 'LogicalResourceId/Setting',
      },
    ],
  });
  const tighterFile = path.join(mkdtempSync(path.join(tmpdir(), 'policy-')), 'tighter.json');
  writeFileSync(tighterFile, tighter);
  const deployedPolicy = async (stackName: string) =>
    (await cfn.send(new GetStackPolicyCommand({ StackName: stackName }))).StackPolicyBody;
  /** One run on the same stack, as successive workflow runs would make it. */
  const runWithPolicy = (file: string, parameters: string, extra: Record<string, string> = {}) =>
    provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-policy',
      parameters,
      'stack-policy': file,
      ...extra,
    });

  it('sets the policy on a new stack after the create', async () => {
    const result = await runWithPolicy(policyFile, 'Env=policy');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['stack-status']).toBe('CREATE_COMPLETE');
    expect(result.log).toMatch(
      /Executing change set[\s\S]*Stack policy set from .*stack-policy\.json/,
    );
    expect(result.summary).toMatch(/<th>Stack policy<\/th><td>set from .*stack-policy\.json<\/td>/);
    expect(await deployedPolicy('it-policy')).toBe(policyBody);
  });

  it('leaves the same policy alone on a second run (changed=false)', async () => {
    const result = await runWithPolicy(policyFile, 'Env=policy');
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changed).toBe('false');
    expect(result.log).toContain('Stack policy unchanged (the stack already has the policy in');
    expect(result.summary).toMatch(/<th>Stack policy<\/th><td>unchanged /);
  });

  it('in preview mode reports the new policy without setting it', async () => {
    const result = await runWithPolicy(tighterFile, 'Env=policy\nRetention=30', {
      mode: 'preview',
    });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatch(
      /<th>Stack policy<\/th><td>would be set from .*tighter\.json \(preview: not set\)<\/td>/,
    );
    expect(await deployedPolicy('it-policy')).toBe(policyBody);
  });

  it('sets a changed policy on an existing stack before executing the update', async () => {
    const result = await runWithPolicy(tighterFile, 'Env=policy\nRetention=30');
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ changed: 'true', 'stack-status': 'UPDATE_COMPLETE' });
    expect(result.log).toMatch(/Stack policy set from .*tighter\.json[\s\S]*Executing change set/);
    expect(await deployedPolicy('it-policy')).toBe(tighter);
  });

  it('refuses a policy file that is not a stack policy, before any change', async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'policy-')), 'bad.json');
    writeFileSync(bad, JSON.stringify({ Effect: 'Deny' }));
    const result = await provision({
      template: fixture('app.yaml'),
      'stack-name': 'it-bad-policy',
      parameters: 'Env=bad-policy',
      'stack-policy': bad,
    });
    await expectRejected(
      result,
      'it-bad-policy',
      'Invalid input: stack-policy',
      /no non-empty Statement array/,
    );
  });
});

describe('provision-stack through a fault-injecting proxy', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('fails clearly on expired credentials, changing nothing', async () => {
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [
        {
          match: signedFor('cloudformation'),
          times: Infinity,
          response: queryError(
            'ExpiredToken',
            'The security token included in the request is expired',
            403,
          ),
        },
      ],
    });
    const result = await provision(
      { template: fixture('app.yaml'), 'stack-name': 'it-expired', parameters: appParameters },
      { AWS_ENDPOINT_URL: proxy.url },
    );
    await expectRejected(
      result,
      'it-expired',
      'AWS credentials expired',
      /ExpiredToken \(stack it-expired\)[\s\S]*Fix: The credentials ran out/,
    );
    // Not retried: one refused call, and nothing reached moto.
    expect(proxy.hits).toEqual([1]);
    expect(proxy.requests.filter((request) => !request.faulted)).toEqual([]);
  });

  it('retries throttled calls and then succeeds', async () => {
    proxy = await startFaultProxy({
      target: motoUrl(),
      rules: [
        {
          match: queryAction('CreateChangeSet'),
          times: 2,
          response: queryError('Throttling', 'Rate exceeded'),
        },
        {
          match: queryAction('DescribeStacks'),
          times: 1,
          response: queryError('Throttling', 'Rate exceeded'),
        },
      ],
    });
    const result = await provision(
      { template: fixture('app.yaml'), 'stack-name': 'it-throttled', parameters: 'Env=throttled' },
      { AWS_ENDPOINT_URL: proxy.url },
    );
    expect(result.log).not.toContain('::error');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['stack-status']).toBe('CREATE_COMPLETE');
    expect(proxy.hits).toEqual([2, 1]);
    // The retries reused one client token, so exactly one change set exists.
    expect(await changeSetsOf('it-throttled')).toHaveLength(1);
  });
});
