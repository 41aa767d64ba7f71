/**
 * The whole pipeline of run() against a mocked CloudFormation (aws-sdk-client-mock), with response
 * shapes from the AWS API reference. These cover what moto 5.2 cannot show: stack outputs after a
 * change set executes, per-resource and nested-stack events, rollbacks, UpdateTerminationProtection
 * (not implemented in moto), stacks busy with another operation, and failed-rollback states.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetStackPolicyCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  SetStackPolicyCommand,
  type Stack,
  type StackEvent,
  UpdateTerminationProtectionCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError, InputError, TimeoutError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { parseFileCommand } from '../../../test-support/run-action.js';
import { definition } from '../src/main.js';
import { coreLogger } from '../../common/src/context.js';
import { testContext } from '../../../test-support/action-context.js';
import { FIXTURES, paddedTemplate } from './helpers.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f2e3d';
const CHANGE_SET_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-77-2-x/9a8b';
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);

// One summary file for the whole file: core.summary remembers the path it first wrote to.
const dir = mkdtempSync(path.join(tmpdir(), 'provision-stack-'));
const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
let stdout: string[];

beforeEach(() => {
  cfn.reset();
  s3.reset();
  core.summary.emptyBuffer();
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  jest
    .spyOn(console, 'log')
    .mockImplementation((line: unknown) => void stdout.push(`${String(line)}\n`));
});

afterEach(() => {
  jest.restoreAllMocks();
});

/**
 * run(context) in-process: the inputs read as runMain reads them, a fake clock (every wait takes
 * no real time, timeouts included) and the step's real output, which the assertions read.
 */
async function start(inputs: Record<string, string>) {
  const source = new Inputs((name) => inputs[name] ?? '', FIXTURES);
  const env = {
    AWS_REGION: 'us-east-1',
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_REPOSITORY: 'example/app',
  };
  const context = testContext(definition.readInputs(source, env), {
    action: definition.name,
    env,
    log: coreLogger,
  });
  lastContext = context;
  return definition.run(context);
}
/** The context of the last start(), to read its clock. */
let lastContext: ReturnType<typeof testContext> | undefined;

const outputs = () => parseFileCommand(readFileSync(files.output, 'utf8'));
const summary = () => readFileSync(files.summary, 'utf8') + core.summary.stringify();

function notFound(): Error {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Stack with id app does not exist',
  });
}

function validationError(message: string): Error {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });
}

function stack(status: string, extra: Partial<Stack> = {}): { Stacks: Stack[] } {
  return {
    Stacks: [
      {
        StackName: 'app',
        StackId: STACK_ID,
        StackStatus: status as Stack['StackStatus'],
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        ...extra,
      },
    ],
  };
}

let eventClock = Date.parse('2026-01-01T10:00:00Z');
function event(
  id: string,
  logicalId: string,
  status: string,
  reason?: string,
  type = 'AWS::SSM::Parameter',
): StackEvent {
  eventClock += 1000;
  return {
    EventId: id,
    StackId: STACK_ID,
    StackName: 'app',
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: status as StackEvent['ResourceStatus'],
    Timestamp: new Date(eventClock),
    ...(reason ? { ResourceStatusReason: reason } : {}),
  };
}

/** A change set that is ready, with these resource changes. */
function changeSetReady(
  changes: { action: string; id: string; type: string; replacement?: string }[],
) {
  cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
  cfn.on(DescribeChangeSetCommand).resolves({
    ChangeSetId: CHANGE_SET_ID,
    StackId: STACK_ID,
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes.map((change) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: change.action as 'Add',
        LogicalResourceId: change.id,
        ResourceType: change.type,
        ...(change.replacement ? { Replacement: change.replacement as 'True' } : {}),
        Scope: change.action === 'Modify' ? ['Properties'] : [],
      },
    })),
  });
}

const appInputs = {
  template: 'app.yaml',
  'stack-name': 'app',
  parameters: 'Env=dev\nSecret=hunter2',
};

describe('run: a new stack', () => {
  it('creates it through a change set, streams events, and sets every stack output as a step output', async () => {
    cfn.on(ValidateTemplateCommand).resolves({ Parameters: [], Capabilities: [] });
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([
      { action: 'Add', id: 'Setting', type: 'AWS::SSM::Parameter' },
      { action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' },
    ]);
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({
        StackEvents: [
          event('e0', 'app', 'REVIEW_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
        ],
      })
      .resolves({
        // Made oldest first, listed newest first as DescribeStackEvents pages them.
        StackEvents: [
          event('e1', 'app', 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
          event('e2', 'Setting', 'CREATE_IN_PROGRESS'),
          event('e3', 'Setting', 'CREATE_COMPLETE'),
        ].reverse(),
      });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    // moto gap: moto fills no Outputs after executing a change set, so outputs are tested here.
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('CREATE_IN_PROGRESS'))
      .resolves(
        stack('CREATE_COMPLETE', {
          Outputs: [
            { OutputKey: 'SettingName', OutputValue: '/provision-stack-test/dev/setting' },
            {
              OutputKey: 'LogGroupArn',
              OutputValue: 'arn:aws:logs:us-east-1:123456789012:log-group:/x',
            },
          ],
        }),
      );

    await start(appInputs);

    expect(outputs()).toEqual({
      SettingName: '/provision-stack-test/dev/setting',
      LogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/x',
      'outputs-json': JSON.stringify({
        SettingName: '/provision-stack-test/dev/setting',
        LogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/x',
      }),
      'stack-id': STACK_ID,
      'stack-status': 'CREATE_COMPLETE',
      changed: 'true',
      'change-set-id': CHANGE_SET_ID,
    });
    const create = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      StackName: 'app',
      ChangeSetType: 'CREATE',
      ChangeSetName: expect.stringMatching(/^provision-77-2-[a-z0-9]+$/),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', ParameterValue: 'hunter2' },
      ],
    });
    expect(create?.ClientToken).toBe(create?.ChangeSetName);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input).toMatchObject({
      DisableRollback: false,
    });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    const log = stdout.join('');
    expect(log).toMatch(
      /CREATE_IN_PROGRESS Setting \(AWS::SSM::Parameter\)[\s\S]*CREATE_COMPLETE Setting/,
    );
    expect(log.match(/CREATE_COMPLETE Setting/g)).toHaveLength(1);
    expect(summary()).toContain('<td>Add</td><td>Setting</td><td>AWS::SSM::Parameter</td>');
    expect(summary()).toContain('<td>SettingName</td><td>/provision-stack-test/dev/setting</td>');
  });

  it('masks NoEcho parameter values before printing anything', async () => {
    cfn.on(ValidateTemplateCommand).rejects(new Error('stop here'));
    await expect(start(appInputs)).rejects.toThrow('stop here');
    expect(stdout[0]).toBe('::add-mask::hunter2\n');
    expect(stdout.filter((line) => line.includes('hunter2'))).toHaveLength(1);
  });

  it('applies termination protection after the create and passes disable-rollback to ExecuteChangeSet', async () => {
    // moto gap: UpdateTerminationProtection is not implemented in moto 5.2 (it answers 500).
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('CREATE_COMPLETE', { EnableTerminationProtection: false }))
      .resolves(stack('CREATE_COMPLETE', { EnableTerminationProtection: true }));

    await start({ ...appInputs, 'termination-protection': 'true', 'disable-rollback': 'true' });

    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET_ID,
      StackName: STACK_ID,
      ClientRequestToken: expect.stringMatching(/^provision-77-2-[a-z0-9]+-execute$/),
      DisableRollback: true,
    });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true,
    });
    expect(summary()).toContain('<th>Termination protection</th><td>true</td>');
  });

  it('fails when the create rolls back, listing every failed resource with the root cause first', async () => {
    // moto gap: moto neither rolls back nor emits per-resource events.
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([
      { action: 'Add', id: 'Setting', type: 'AWS::SSM::Parameter' },
      { action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' },
    ]);
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        // The cancelled sibling fails first in time; the root cause is still listed first.
        StackEvents: [
          event('f1', 'app', 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
          event('f2', 'Setting', 'CREATE_FAILED', 'Resource creation cancelled'),
          event(
            'f3',
            'Logs',
            'CREATE_FAILED',
            'Resource handler returned message: "Log group already exists"',
            'AWS::Logs::LogGroup',
          ),
          event(
            'f4',
            'app',
            'ROLLBACK_IN_PROGRESS',
            'The following resource(s) failed to create: [Logs, Setting].',
            'AWS::CloudFormation::Stack',
          ),
          event('f5', 'app', 'ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        ].reverse(),
      });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('ROLLBACK_COMPLETE'));

    const failure = await start(appInputs).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ActionError);
    expect((failure as ActionError).title).toBe('Stack app ended in ROLLBACK_COMPLETE');
    expect((failure as Error).message).toMatch(
      /root cause first:\n.*CREATE_FAILED Logs \(AWS::Logs::LogGroup\): Resource handler returned message: "Log group already exists"\n.*CREATE_FAILED Setting .*Resource creation cancelled/,
    );
    expect(summary()).toMatch(
      /Failed resources \(root cause first\)[\s\S]*<td>Logs<\/td>[\s\S]*<td>Setting<\/td>/,
    );
    expect(outputs()['stack-status']).toBe('ROLLBACK_COMPLETE');
  });

  // Hook fields of StackEvent (API_StackEvent): the verdict of a Control Tower proactive control
  // arrives on the resource's IN_PROGRESS event; its CREATE_FAILED event only names the hook.
  // moto has no hooks, so this is a unit test.
  it('names the hook and its reason when a hook stops a resource', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    const verdict: StackEvent = {
      ...event('h1', 'Logs', 'CREATE_IN_PROGRESS', undefined, 'AWS::Logs::LogGroup'),
      HookType: 'Private::Guard::LogRetention',
      HookStatus: 'HOOK_COMPLETE_FAILED',
      HookStatusReason: 'Hook failed with message: RetentionInDays must be at least 30',
      HookInvocationPoint: 'PRE_PROVISION',
      HookFailureMode: 'FAIL',
    };
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          verdict,
          event(
            'h2',
            'Logs',
            'CREATE_FAILED',
            'The following hook(s) failed: [Private::Guard::LogRetention]',
            'AWS::Logs::LogGroup',
          ),
          event('h3', 'app', 'ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        ].reverse(),
      });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('ROLLBACK_COMPLETE'));
    const failure = (await start(appInputs).catch((error: unknown) => error)) as ActionError;
    expect(failure.message).toMatch(
      /root cause first:\n.*CREATE_IN_PROGRESS Logs \(AWS::Logs::LogGroup\) hook Private::Guard::LogRetention HOOK_COMPLETE_FAILED: Hook failed with message: RetentionInDays must be at least 30\n.*CREATE_FAILED Logs .*The following hook\(s\) failed/,
    );
    expect(summary()).toContain(
      '<td>HOOK_COMPLETE_FAILED (hook Private::Guard::LogRetention)</td><td>Hook failed with message: RetentionInDays must be at least 30</td>',
    );
  });

  it('warns about a hook that failed in WARN mode, and the deploy still succeeds', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          {
            ...event('w1', 'Logs', 'CREATE_IN_PROGRESS', undefined, 'AWS::Logs::LogGroup'),
            HookType: 'Private::Guard::LogRetention',
            HookStatus: 'HOOK_COMPLETE_FAILED',
            HookStatusReason: 'Hook failed with message: RetentionInDays below 30',
            HookFailureMode: 'WARN',
          } as StackEvent,
          event('w2', 'Logs', 'CREATE_COMPLETE', undefined, 'AWS::Logs::LogGroup'),
          event('w3', 'app', 'CREATE_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        ].reverse(),
      });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_COMPLETE'));
    await start(appInputs);
    expect(stdout.join('')).toMatch(
      /::warning title=Hook warning::.*Logs \(AWS::Logs::LogGroup\) hook Private::Guard::LogRetention HOOK_COMPLETE_FAILED \(WARN\): Hook failed with message: RetentionInDays below 30/,
    );
    expect(outputs()).toMatchObject({ 'stack-status': 'CREATE_COMPLETE', changed: 'true' });
  });

  it('uploads a template over 51,200 bytes to template-bucket and passes its URL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'big-'));
    writeFileSync(path.join(dir, 'big.yaml'), paddedTemplate(60_000));
    s3.on(PutObjectCommand).resolves({});
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_COMPLETE'));

    await start({
      template: path.join(dir, 'big.yaml'),
      'stack-name': 'app',
      'template-bucket': 'my-artifacts',
    });

    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'my-artifacts',
      Key: expect.stringMatching(/^provision-stack\/app\/[0-9a-f]{16}\.template$/),
    });
    const url = `https://s3.us-east-1.amazonaws.com/my-artifacts/${put?.Key}`;
    expect(cfn.commandCalls(ValidateTemplateCommand)[0]?.args[0].input).toEqual({
      TemplateURL: url,
    });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      TemplateURL: url,
    });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.TemplateBody).toBeUndefined();
  });
});

describe('run: an existing stack', () => {
  it('waits for another operation to finish, then updates keeping unmentioned parameters', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    const deployed = {
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', ParameterValue: '****' },
      ],
    };
    cfn
      .on(DescribeStacksCommand, { StackName: 'app' })
      .resolves(stack('UPDATE_IN_PROGRESS', deployed));
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('UPDATE_IN_PROGRESS', deployed))
      .resolvesOnce(stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', deployed))
      .resolves(stack('UPDATE_COMPLETE', deployed));
    cfn.on(CreateChangeSetCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: 'No updates are to be performed.',
      }),
    );

    await start({ template: 'app.yaml', 'stack-name': 'app', parameters: 'Env: dev' });

    expect(stdout.join('')).toMatch(/Stack app is UPDATE_IN_PROGRESS: waiting/);
    expect(
      cfn.commandCalls(DescribeStacksCommand, { StackName: STACK_ID }).length,
    ).toBeGreaterThanOrEqual(3);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetType: 'UPDATE',
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', UsePreviousValue: true },
      ],
    });
    expect(outputs()).toMatchObject({
      changed: 'false',
      'change-set-id': '',
      'stack-status': 'UPDATE_COMPLETE',
    });
    expect(summary()).toContain('No changes');
  });

  it('waits while another run deletes the stack, then creates it anew', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('DELETE_IN_PROGRESS'));
    // DescribeStacks by stack id still answers for a deleted stack, with DELETE_COMPLETE.
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('DELETE_IN_PROGRESS'))
      .resolvesOnce(stack('DELETE_COMPLETE'))
      .resolves(stack('CREATE_COMPLETE'));
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});

    await start(appInputs);

    expect(stdout.join('')).toMatch(/Stack app is DELETE_IN_PROGRESS: waiting/);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      StackName: 'app',
      ChangeSetType: 'CREATE',
      // Nothing deployed to keep: every value is sent.
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', ParameterValue: 'hunter2' },
      ],
    });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(outputs()['stack-status']).toBe('CREATE_COMPLETE');
  });

  it('fails a create that ends in CREATE_FAILED with rollback disabled, saying what was kept', async () => {
    // moto gap: moto does not fail resources, so a failed execution exists only in unit tests.
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          event('k1', 'Logs', 'CREATE_FAILED', 'Log group already exists', 'AWS::Logs::LogGroup'),
          event('k2', 'app', 'CREATE_FAILED', undefined, 'AWS::CloudFormation::Stack'),
        ].reverse(),
      });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_FAILED'));
    cfn.on(UpdateTerminationProtectionCommand).resolves({});

    const failure = (await start({
      ...appInputs,
      'disable-rollback': 'true',
      'termination-protection': 'true',
    }).catch((error: unknown) => error)) as ActionError;

    expect(failure.title).toBe('Stack app ended in CREATE_FAILED');
    expect(failure.message).toContain(
      'CREATE_FAILED Logs (AWS::Logs::LogGroup): Log group already',
    );
    expect(failure.hint).toMatch(
      /^Rollback was disabled, so the resources that were created are kept/,
    );
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input.DisableRollback).toBe(true);
    // A failed run sets no protection: that belongs to a stack that deployed.
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    expect(outputs()).toMatchObject({ 'stack-status': 'CREATE_FAILED', changed: 'true' });
  });

  it('fails on UPDATE_ROLLBACK_FAILED with the stuck resources and continue-update-rollback guidance', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('UPDATE_ROLLBACK_FAILED'));
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Logs',
          ResourceType: 'AWS::Logs::LogGroup',
          ResourceStatus: 'UPDATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
        {
          LogicalResourceId: 'Setting',
          ResourceType: 'AWS::SSM::Parameter',
          ResourceStatus: 'UPDATE_FAILED',
          ResourceStatusReason: 'Parameter was deleted outside CloudFormation',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    const failure = (await start(appInputs).catch((error: unknown) => error)) as ActionError;
    expect(failure.title).toBe('Stack app is in UPDATE_ROLLBACK_FAILED');
    expect(failure.message).toContain(
      'Setting (AWS::SSM::Parameter) UPDATE_FAILED: Parameter was deleted outside CloudFormation',
    );
    expect(failure.message).not.toContain('Logs (');
    expect(failure.hint).toContain('continue-update-rollback --stack-name app');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('fails on ROLLBACK_COMPLETE by default, changing nothing', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    await expect(start(appInputs)).rejects.toThrow(/failed to create and was rolled back/);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('deletes and recreates a ROLLBACK_COMPLETE stack with on-rollback-complete: recreate', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('ROLLBACK_COMPLETE'));
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('DELETE_IN_PROGRESS'))
      .resolvesOnce(stack('DELETE_COMPLETE'))
      .resolves(stack('CREATE_COMPLETE'));
    cfn.on(DeleteStackCommand).resolves({});
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});

    await start({ ...appInputs, 'on-rollback-complete': 'recreate' });

    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    expect(outputs()['stack-status']).toBe('CREATE_COMPLETE');
  });

  it('does not delete a ROLLBACK_COMPLETE stack when the parameters are incomplete for a create', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    await expect(
      start({ template: 'app.yaml', 'stack-name': 'app', 'on-rollback-complete': 'recreate' }),
    ).rejects.toThrow(/missing: Env/);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('makes a CREATE change set on a stack left in REVIEW_IN_PROGRESS', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('REVIEW_IN_PROGRESS'));
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_COMPLETE'));
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    await start(appInputs);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetType: 'CREATE',
      // REVIEW_IN_PROGRESS stacks have no deployed values to keep.
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', ParameterValue: 'hunter2' },
      ],
    });
  });

  it("never deletes a REVIEW_IN_PROGRESS stack it did not create when its change set fails (another run's preview stays)", async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('REVIEW_IN_PROGRESS'));
    cfn.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: CHANGE_SET_ID,
      StackId: STACK_ID,
      Status: 'FAILED',
      StatusReason: 'Template error: instance of Fn::GetAtt references undefined resource Nope',
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(DeleteStackCommand).resolves({});
    // Even with no other change set listed: the stack predates this run.
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
    await expect(start(appInputs)).rejects.toThrow(/references undefined resource Nope/);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('stops before executing a change that replaces or deletes a protected resource', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    changeSetReady([
      { action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup', replacement: 'True' },
      { action: 'Modify', id: 'Setting', type: 'AWS::SSM::Parameter', replacement: 'Conditional' },
    ]);
    const failure = (await start({ ...appInputs, protect: 'AWS::Logs::LogGroup, Setting' }).catch(
      (error: unknown) => error,
    )) as ActionError;
    expect(failure.title).toBe('Protected resources would be replaced or deleted');
    expect(failure.message).toContain(
      'Logs (AWS::Logs::LogGroup) would be replaced; Setting (AWS::SSM::Parameter) would possibly be replaced',
    );
    expect(failure.hint).toContain('allow-replacement');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(summary()).toContain(
      '<td>Modify</td><td>Logs</td><td>AWS::Logs::LogGroup</td><td>yes</td><td>Properties</td>',
    );
    expect(summary()).toContain('<td>conditional</td>');
  });

  it('executes the same change once allow-replacement names it', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    changeSetReady([
      { action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup', replacement: 'True' },
    ]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    await start({ ...appInputs, protect: 'AWS::Logs::LogGroup', 'allow-replacement': 'Logs' });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('in preview mode writes the change set and executes nothing, warning about protected resources', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn
      .on(DescribeStacksCommand)
      .resolves(stack('UPDATE_COMPLETE', { EnableTerminationProtection: false }));
    changeSetReady([{ action: 'Remove', id: 'Assets', type: 'AWS::S3::Bucket' }]);
    await start({ ...appInputs, mode: 'preview', 'termination-protection': 'true' });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    expect(outputs()).toMatchObject({ changed: 'true', 'change-set-id': CHANGE_SET_ID });
    expect(stdout.join('')).toMatch(
      /::warning title=Protected resources at risk::.*Assets \(AWS::S3::Bucket\) would be deleted/,
    );
    expect(summary()).toContain('<td>Remove</td><td>Assets</td>');
  });

  it('passes role-arn to CreateChangeSet as the stack role (RoleARN)', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const roleArn = 'arn:aws:iam::123456789012:role/prod-cloudformation-execution';
    await start({ ...appInputs, 'role-arn': roleArn });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      RoleARN: roleArn,
      Description: 'provision-stack, example/app run 77 attempt 2',
    });
  });

  it('sets termination protection on a "no changes" run, and only when it differs', async () => {
    // moto gap: UpdateTerminationProtection is not implemented in moto 5.2.
    const noUpdates = new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: {},
      message: 'No updates are to be performed.',
    });
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(CreateChangeSetCommand).rejects(noUpdates);
    cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE', { EnableTerminationProtection: false }))
      .resolvesOnce(stack('UPDATE_COMPLETE', { EnableTerminationProtection: false }))
      .resolves(stack('UPDATE_COMPLETE', { EnableTerminationProtection: true }));

    await start({ ...appInputs, 'termination-protection': 'true' });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true,
    });
    expect(outputs()).toMatchObject({ changed: 'true', 'change-set-id': '' });
    expect(summary()).toContain('<th>Termination protection</th><td>true</td>');

    // The same input again: the stack already has it, so no second call and nothing changed.
    writeFileSync(files.output, '');
    await start({ ...appInputs, 'termination-protection': 'true' });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(1);
    expect(outputs()).toMatchObject({ changed: 'false' });
  });

  // Issue 10 #8: CREATE_FAILED / UPDATE_FAILED are reachable only with rollback disabled; an empty
  // change set there means the failed template is what the stack has, not that all is well.
  // StackStatus values: API_Stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html).
  for (const status of ['UPDATE_FAILED', 'CREATE_FAILED']) {
    it(`fails on "no changes" when the stack is in ${status}, saying so`, async () => {
      cfn.on(ValidateTemplateCommand).resolves({});
      cfn.on(CreateChangeSetCommand).rejects(validationError('No updates are to be performed.'));
      cfn.on(DescribeStacksCommand).resolves(stack(status));
      const failure = (await start(appInputs).catch((error: unknown) => error)) as ActionError;
      expect(failure).toBeInstanceOf(ActionError);
      expect(failure.title).toBe(`Stack app is in ${status}`);
      expect(failure.message).toContain('No changes');
      expect(failure.message).toContain(status);
      expect(failure.hint).toContain('rollback-stack --stack-name app');
      expect(outputs()).toMatchObject({ changed: 'false', 'stack-status': status });
      expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    });
  }

  it('in preview mode warns that a "no changes" stack is in UPDATE_FAILED', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(CreateChangeSetCommand).rejects(validationError('No updates are to be performed.'));
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_FAILED'));
    await start({ ...appInputs, mode: 'preview' });
    expect(stdout.join('')).toMatch(/::warning title=Stack app is in UPDATE_FAILED::.*No changes/);
    expect(outputs()).toMatchObject({ changed: 'false', 'stack-status': 'UPDATE_FAILED' });
    expect(summary()).toContain('UPDATE_FAILED');
  });

  it('fails with a TimeoutError when the execution outlasts timeout-minutes, never a success', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('UPDATE_IN_PROGRESS'));
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const failure = await start({ ...appInputs, 'timeout-minutes': '1s' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toMatch(
      /^Gave up waiting for stack app after .*; last state: UPDATE_IN_PROGRESS\. The stack operation goes on in CloudFormation; .*Raise timeout-minutes/,
    );
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(outputs()).toEqual({});
  });

  it('gives every wait of the step one timeout-minutes budget: a busy stack leaves the execution the rest', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).resolves(stack('UPDATE_IN_PROGRESS'));
    const byId = cfn.on(DescribeStacksCommand, { StackName: STACK_ID });
    for (let i = 0; i < 6; i++) byId.resolvesOnce(stack('UPDATE_IN_PROGRESS'));
    byId.resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_IN_PROGRESS'));
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const failure = await start({ ...appInputs, 'timeout-minutes': '1m' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toMatch(/^Gave up waiting for stack app after /);
    const context = lastContext as NonNullable<typeof lastContext>;
    // Waiting out the other operation and the execution took one minute in all, not one each.
    expect(context.clock.now() - Date.UTC(2026, 0, 1)).toBe(60_000);
    expect(context.clock.sleeps.length).toBeGreaterThan(6);
  });

  it('never deletes a ROLLBACK_COMPLETE stack in preview mode, even with recreate', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    await expect(
      start({ ...appInputs, mode: 'preview', 'on-rollback-complete': 'recreate' }),
    ).rejects.toThrow(
      expect.objectContaining({
        message: expect.stringContaining('Preview mode does not delete stacks'),
        hint: expect.stringContaining('run this step in deploy mode'),
      }),
    );
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('fails with a TimeoutError when the stack stays busy past timeout-minutes', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    const failure = await start({ ...appInputs, 'timeout-minutes': '1s' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toMatch(
      /^Gave up waiting for stack app \(busy with another operation\) after .*; last state: UPDATE_IN_PROGRESS\. Nothing was changed: .*Raise timeout-minutes/,
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

// The no-op release without a change set (issue 10). DescribeStacks (API_Stack) and GetTemplate
// (API_GetTemplate, TemplateStage Original) shapes; the decision's every condition is in no-op.test.ts.
describe('run: fast no-op', () => {
  const body = readFileSync(path.join(FIXTURES, 'app.yaml'), 'utf8');
  const deployed = (extra: Partial<Stack> = {}) =>
    stack('UPDATE_COMPLETE', {
      Parameters: [
        { ParameterKey: 'Env', ParameterValue: 'dev' },
        { ParameterKey: 'Secret', ParameterValue: '****' },
        { ParameterKey: 'Retention', ParameterValue: '7' },
      ],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Outputs: [{ OutputKey: 'SettingName', OutputValue: '/dev/setting' }],
      ...extra,
    });
  const sameInputs = { template: 'app.yaml', 'stack-name': 'app', parameters: 'Env=dev' };

  it('says "No changes" from DescribeStacks and GetTemplate alone when the stack already has this template and these parameters', async () => {
    cfn.on(DescribeStacksCommand).resolves(deployed());
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: body });
    await start(sameInputs);
    expect(cfn.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribeStacksCommand',
      'GetTemplateCommand',
    ]);
    expect(outputs()).toMatchObject({
      changed: 'false',
      'change-set-id': '',
      'stack-status': 'UPDATE_COMPLETE',
      SettingName: '/dev/setting',
    });
    expect(summary()).toContain('<b>No changes</b>');
    expect(summary()).toContain('<th>Change set</th><td>none (fast no-op)</td>');
    expect(summary()).toContain('<th>Kept at deployed value</th><td>Secret, Retention</td>');
    expect(stdout.join('')).toContain('no change set was needed');
  });

  it('still sets a changed stack policy and termination protection on the fast path', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce(deployed({ EnableTerminationProtection: false }))
      .resolves(deployed({ EnableTerminationProtection: true }));
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: body });
    cfn.on(GetStackPolicyCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
    cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
    await start({
      ...sameInputs,
      'stack-policy': 'stack-policy.json',
      'termination-protection': 'true',
    });
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(1);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(1);
    expect(outputs()).toMatchObject({ changed: 'true', 'change-set-id': '' });
  });

  it('with fast-no-op: false makes the change set as before', async () => {
    cfn.on(DescribeStacksCommand).resolves(deployed());
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: body });
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(CreateChangeSetCommand).rejects(validationError('No updates are to be performed.'));
    await start({ ...sameInputs, 'fast-no-op': 'false' });
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(0);
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    expect(outputs()).toMatchObject({ changed: 'false' });
  });

  it('goes through the change set when the deployed template differs, saying why, with one DescribeStacks for both', async () => {
    cfn.on(DescribeStacksCommand).resolves(deployed());
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: `${body}# an older revision\n` });
    cfn.on(ValidateTemplateCommand).resolves({});
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    await start(sameInputs);
    expect(stdout.join('')).toContain(
      'Fast no-op check: the template differs from the deployed one; creating a change set.',
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    // The change-set path reuses the fast check's DescribeStacks to settle the stack.
    const names = cfn.calls().map((call) => call.args[0].constructor.name);
    expect(names.slice(0, 4)).toEqual([
      'DescribeStacksCommand',
      'GetTemplateCommand',
      'ValidateTemplateCommand',
      'CreateChangeSetCommand',
    ]);
  });
});

describe('run: checks before any AWS call', () => {
  it('refuses a template that needs a capability the input does not grant, without calling AWS', async () => {
    const failure = await start({
      template: 'named-role.yaml',
      'stack-name': 'roles',
      capabilities: 'CAPABILITY_IAM',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InputError);
    expect((failure as Error).message).toMatch(
      /Input 'capabilities'.*CAPABILITY_NAMED_IAM \(for IAM resources with custom names: Role\).*InsufficientCapabilities/,
    );
    expect(cfn.calls()).toHaveLength(0);
  });

  it('warns when protect names a logical id the template does not declare', async () => {
    cfn.on(ValidateTemplateCommand).rejects(new Error('stop here'));
    await expect(
      start({ ...appInputs, protect: 'AWS::S3::Bucket, Logs, Setings' }),
    ).rejects.toThrow('stop here');
    const warnings = stdout.filter((line) => line.startsWith('::warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^::warning title=Protected logical id not in the template::protect names Setings, which app\.yaml does not declare\./,
    );
  });

  // Issue 10 #4: Fn::ForEach (AWS::LanguageExtensions) in Resources. moto answers HTTP 500 to this
  // transform, so the template's way through the action is shown here. The change set lists the
  // loops' resources under their expanded logical ids (CloudFormation expands the transform first).
  it('accepts Fn::ForEach loops, leaving them to CloudFormation, and says so under the change table', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'foreach-'));
    writeFileSync(
      path.join(dir, 'loops.yaml'),
      [
        'Transform: AWS::LanguageExtensions',
        'Resources:',
        "  'Fn::ForEach::Topics':",
        '    - TopicName',
        '    - [Success, Failure]',
        "    - 'SnsTopic${TopicName}':",
        '        Type: AWS::SNS::Topic',
        '',
      ].join('\n'),
    );
    cfn.on(ValidateTemplateCommand).resolves({ Capabilities: ['CAPABILITY_AUTO_EXPAND'] });
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('REVIEW_IN_PROGRESS'));
    changeSetReady([
      { action: 'Add', id: 'SnsTopicSuccess', type: 'AWS::SNS::Topic' },
      { action: 'Add', id: 'SnsTopicFailure', type: 'AWS::SNS::Topic' },
    ]);
    await start({
      template: path.join(dir, 'loops.yaml'),
      'stack-name': 'app',
      capabilities: 'CAPABILITY_AUTO_EXPAND',
      protect: 'SnsTopicAudit',
      mode: 'preview',
    });
    expect(summary()).toContain('<td>Add</td><td>SnsTopicSuccess</td><td>AWS::SNS::Topic</td>');
    expect(summary()).toContain(
      'Resources made by the Fn::ForEach loops (Topics) are listed under their expanded logical ids.',
    );
    const warnings = stdout.filter((line) => line.startsWith('::warning'));
    expect(warnings).toEqual([
      expect.stringContaining(
        'protect names SnsTopicAudit, which the template does not declare outside its Fn::ForEach loops (Topics)',
      ),
    ]);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.Capabilities).toEqual([
      'CAPABILITY_AUTO_EXPAND',
    ]);
  });

  it('refuses when ValidateTemplate reports a capability that is not granted', async () => {
    cfn.on(ValidateTemplateCommand).resolves({
      Capabilities: ['CAPABILITY_AUTO_EXPAND'],
      CapabilitiesReason:
        'The following resource(s) require capabilities: [AWS::Serverless::Function]',
    });
    await expect(start(appInputs)).rejects.toThrow(
      /Input 'capabilities'.*CAPABILITY_AUTO_EXPAND: The following resource\(s\) require/,
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('reports a template CloudFormation rejects as such', async () => {
    cfn.on(ValidateTemplateCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: 'Template format error: Unrecognized resource types: [AWS::Nope::Thing]',
      }),
    );
    await expect(start(appInputs)).rejects.toThrow(
      expect.objectContaining({ title: 'Template rejected by CloudFormation' }),
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

describe('run: stack-policy', () => {
  const policyBody = readFileSync(path.join(FIXTURES, 'stack-policy.json'), 'utf8');
  const withPolicy = { ...appInputs, 'stack-policy': 'stack-policy.json' };
  /** The CloudFormation commands in the order they were sent. */
  const sent = () => cfn.calls().map((call) => (call.args[0] as object).constructor.name);

  function updateReady() {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
  }

  it('sets it on a new stack once the create has completed, without reading it first', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('CREATE_IN_PROGRESS'))
      .resolves(stack('CREATE_COMPLETE'));

    await start(withPolicy);

    const order = sent();
    expect(cfn.commandCalls(SetStackPolicyCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: STACK_ID, StackPolicyBody: policyBody },
    ]);
    // After the execution and after the stack was seen in CREATE_COMPLETE (the second describe).
    const describesOfTheStack = cfn.calls().flatMap((call, index) => {
      const command = call.args[0];
      return command instanceof DescribeStacksCommand && command.input.StackName === STACK_ID
        ? [index]
        : [];
    });
    expect(order.indexOf('SetStackPolicyCommand')).toBeGreaterThan(
      describesOfTheStack[1] ?? Infinity,
    );
    expect(order.indexOf('SetStackPolicyCommand')).toBeGreaterThan(
      order.indexOf('ExecuteChangeSetCommand'),
    );
    expect(order).not.toContain('GetStackPolicyCommand');
    expect(stdout.join('')).toContain('Stack policy set from stack-policy.json');
    expect(summary()).toContain('<th>Stack policy</th><td>set from stack-policy.json</td>');
  });

  it('sets it on an existing stack before executing the change set, when the deployed one differs', async () => {
    updateReady();
    cfn.on(GetStackPolicyCommand).resolves({
      StackPolicyBody:
        '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"Update:*","Resource":"*"}]}',
    });
    await start(withPolicy);
    const order = sent();
    const get = order.indexOf('GetStackPolicyCommand');
    const set = order.indexOf('SetStackPolicyCommand');
    expect(get).toBeGreaterThan(order.indexOf('DescribeChangeSetCommand'));
    expect(set).toBeGreaterThan(get);
    expect(order.indexOf('ExecuteChangeSetCommand')).toBeGreaterThan(set);
    expect(cfn.commandCalls(GetStackPolicyCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
    });
    expect(cfn.commandCalls(SetStackPolicyCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      StackPolicyBody: policyBody,
    });
    expect(summary()).toContain('<th>Stack policy</th><td>set from stack-policy.json</td>');
  });

  it('skips SetStackPolicy when the deployed policy is the same, and says so', async () => {
    updateReady();
    // CloudFormation may return it re-serialised: compact, same content.
    cfn
      .on(GetStackPolicyCommand)
      .resolves({ StackPolicyBody: JSON.stringify(JSON.parse(policyBody)) });
    await start(withPolicy);
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(0);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(stdout.join('')).toContain(
      'Stack policy unchanged (the stack already has the policy in stack-policy.json)',
    );
    expect(summary()).toContain('<th>Stack policy</th><td>unchanged (the stack already has');
  });

  it('sets a changed policy even when the template has no changes (changed=true)', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfn.on(CreateChangeSetCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: 'No updates are to be performed.',
      }),
    );
    cfn.on(GetStackPolicyCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
    await start(withPolicy);
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(1);
    expect(outputs()).toMatchObject({ changed: 'true', 'change-set-id': '' });
    expect(summary()).toContain('No changes');
  });

  it('in preview mode sets nothing and reports what would be set', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    changeSetReady([{ action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(GetStackPolicyCommand).resolves({});
    await start({ ...withPolicy, mode: 'preview' });
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(0);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(summary()).toContain(
      '<th>Stack policy</th><td>would be set from stack-policy.json (preview: not set)</td>',
    );
  });

  it('leaves the policy alone when a protected resource blocks the run', async () => {
    updateReady();
    changeSetReady([
      { action: 'Modify', id: 'Logs', type: 'AWS::Logs::LogGroup', replacement: 'True' },
    ]);
    await expect(start({ ...withPolicy, protect: 'Logs' })).rejects.toThrow(
      /Change set .* was not executed: Logs/,
    );
    expect(sent()).not.toContain('GetStackPolicyCommand');
    expect(sent()).not.toContain('SetStackPolicyCommand');
  });

  it('does not set it on a stack whose create rolled back', async () => {
    cfn.on(ValidateTemplateCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: 'app' }).rejects(notFound());
    changeSetReady([{ action: 'Add', id: 'Logs', type: 'AWS::Logs::LogGroup' }]);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('ROLLBACK_COMPLETE'));
    await expect(start(withPolicy)).rejects.toThrow(/is now ROLLBACK_COMPLETE/);
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(0);
  });

  it('says in the summary that the policy was set when the update then fails', async () => {
    updateReady();
    cfn.on(GetStackPolicyCommand).resolves({});
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    await expect(start(withPolicy)).rejects.toThrow(/is now UPDATE_ROLLBACK_COMPLETE/);
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(1);
    expect(summary()).toContain('<th>Stack policy</th><td>set from stack-policy.json</td>');
  });

  it('names the stack-policy input in the fix when the policy refused the update', async () => {
    // moto gap: moto stores stack policies but never enforces them.
    updateReady();
    cfn.on(GetStackPolicyCommand).resolves({ StackPolicyBody: policyBody });
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          event(
            'p1',
            'Logs',
            'UPDATE_FAILED',
            'Action denied by stack policy: Statement #2 of stack policy: Deny Update:Replace',
            'AWS::Logs::LogGroup',
          ),
        ],
      });
    cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    const failure = (await start(withPolicy).catch((error: unknown) => error)) as ActionError;
    expect(failure.message).toContain('UPDATE_FAILED Logs (AWS::Logs::LogGroup): Action denied');
    expect(failure.hint).toMatch(
      /^The stack policy refused the update\. If the change is intended, allow it in the policy file given to stack-policy \(stack-policy\.json\)/,
    );
  });

  it('warns that a policy without an Allow statement refuses every later update', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'deny.json');
    writeFileSync(
      file,
      JSON.stringify({
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 'Update:Delete', Resource: '*' }],
      }),
    );
    cfn.on(ValidateTemplateCommand).rejects(new Error('stop here'));
    await expect(start({ ...appInputs, 'stack-policy': file })).rejects.toThrow('stop here');
    expect(stdout.join('')).toMatch(
      /::warning title=Stack policy allows no updates::.*deny\.json has no Allow statement: once set, CloudFormation refuses every update of stack app/,
    );
  });

  it('refuses a policy file that is not JSON before any AWS call', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    writeFileSync(path.join(dir, 'policy.yaml'), 'Statement:\n  - Effect: Deny\n');
    const failure = await start({
      ...appInputs,
      'stack-policy': path.join(dir, 'policy.yaml'),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InputError);
    expect((failure as InputError).input).toBe('stack-policy');
    expect(cfn.calls()).toHaveLength(0);
  });
});
