import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  InsufficientCapabilitiesException,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError } from '../../common/src/errors.js';
import { createChangeSet, executeChangeSet, isNoChangesReason } from '../src/change-set.js';
import { changeSetName as runChangeSetName, runIdentity } from '../../common/src/run-identity.js';
import { testContext } from '../../../test-support/action-context.js';

const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  cfn.reset();
});
const client = () => new CloudFormationClient({ region: 'us-east-1' });
const IDS = {
  Id: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
};
const base = {
  stackName: 'app',
  type: 'UPDATE' as const,
  name: 'provision-1-1-abc',
  template: { TemplateBody: 'Resources: {}' },
  parameters: [{ ParameterKey: 'Env', ParameterValue: 'dev' }],
  capabilities: ['CAPABILITY_NAMED_IAM' as const],
  tags: { team: 'web' },
  wait: testContext({ timeoutMs: 60_000 }),
  intervalMs: 1,
};

function validationError(message: string): Error {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });
}

/** The name provision-stack gives its change sets (common/run-identity.ts), from the run's variables. */
function changeSetName(options: { runId?: string; runAttempt?: string; now: number }): string {
  const identity = runIdentity({
    GITHUB_RUN_ID: options.runId,
    GITHUB_RUN_ATTEMPT: options.runAttempt,
  });
  return runChangeSetName({ identity, prefix: 'provision', now: options.now });
}

describe('changeSetName', () => {
  it('is unique per run, attempt and moment, and valid for CloudFormation', () => {
    const a = changeSetName({ runId: '123', runAttempt: '1', now: 1_700_000_000_000 });
    expect(a).toBe('provision-123-1-loyw3v28');
    expect(changeSetName({ runId: '123', runAttempt: '2', now: 1_700_000_000_000 })).not.toBe(a);
    expect(changeSetName({ runId: '123', runAttempt: '1', now: 1_700_000_000_001 })).not.toBe(a);
    expect(changeSetName({ now: 0 })).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });
});

describe('isNoChangesReason', () => {
  it('knows both ways AWS says there is nothing to change', () => {
    expect(
      isNoChangesReason(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      ),
    ).toBe(true);
    expect(isNoChangesReason('No updates are to be performed.')).toBe(true);
    expect(isNoChangesReason('Template format error')).toBe(false);
  });
});

describe('createChangeSet', () => {
  it('creates with a client token, waits through CREATE_PENDING and returns every page of changes', async () => {
    cfn.on(CreateChangeSetCommand).resolves(IDS);
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ ...IDS, ChangeSetId: IDS.Id, Status: 'CREATE_PENDING' })
      .resolvesOnce({
        ChangeSetId: IDS.Id,
        StackId: IDS.StackId,
        Status: 'CREATE_COMPLETE',
        Changes: [{ Type: 'Resource', ResourceChange: { LogicalResourceId: 'A' } }],
        NextToken: 't',
      })
      .resolvesOnce({
        ChangeSetId: IDS.Id,
        StackId: IDS.StackId,
        Status: 'CREATE_COMPLETE',
        Changes: [{ Type: 'Resource', ResourceChange: { LogicalResourceId: 'B' } }],
      });
    const result = await createChangeSet({ client: client(), ...base });
    expect(result).toEqual({
      kind: 'ready',
      id: IDS.Id,
      stackId: IDS.StackId,
      changes: [expect.anything(), expect.anything()],
    });
    const input = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      StackName: 'app',
      ChangeSetName: 'provision-1-1-abc',
      ChangeSetType: 'UPDATE',
      ClientToken: 'provision-1-1-abc',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Tags: [{ Key: 'team', Value: 'web' }],
    });
  });

  it('treats "No updates are to be performed" from CreateChangeSet as empty, with nothing to delete', async () => {
    cfn.on(CreateChangeSetCommand).rejects(validationError('No updates are to be performed.'));
    expect(await createChangeSet({ client: client(), ...base })).toEqual({ kind: 'empty' });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it("treats a FAILED change set that didn't contain changes as empty and deletes it", async () => {
    cfn.on(CreateChangeSetCommand).resolves(IDS);
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: IDS.Id,
      StackId: IDS.StackId,
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
    expect(await createChangeSet({ client: client(), ...base })).toEqual({
      kind: 'empty',
      id: IDS.Id,
      stackId: IDS.StackId,
    });
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: IDS.Id,
      StackName: IDS.StackId,
    });
  });

  it('fails on any other FAILED change set, removing it and the empty stack a CREATE made', async () => {
    cfn.on(CreateChangeSetCommand).resolves(IDS);
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: IDS.Id,
      StackId: IDS.StackId,
      Status: 'FAILED',
      StatusReason: 'Parameter values specified for a template which does not require them.',
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(DeleteStackCommand).resolves({});
    const creating = createChangeSet({ client: client(), ...base, type: 'CREATE' });
    await expect(creating).rejects.toThrow(ActionError);
    await expect(creating).rejects.toThrow(
      /could not make a change set for stack app: Parameter values specified/,
    );
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({
      StackName: IDS.StackId,
    });
  });

  it('explains InsufficientCapabilities', async () => {
    cfn.on(CreateChangeSetCommand).rejects(
      new InsufficientCapabilitiesException({
        $metadata: {},
        message: 'Requires capabilities : [CAPABILITY_AUTO_EXPAND]',
      }),
    );
    await expect(createChangeSet({ client: client(), ...base })).rejects.toThrow(
      expect.objectContaining({
        title: 'Missing capabilities',
        hint: expect.stringContaining('capabilities input'),
      }),
    );
  });
});

describe('executeChangeSet', () => {
  it('passes DisableRollback and an idempotency token', async () => {
    cfn.on(ExecuteChangeSetCommand).resolves({});
    await executeChangeSet({
      client: client(),
      id: IDS.Id,
      stackId: IDS.StackId,
      disableRollback: true,
      token: 'provision-1-1-abc-execute',
    });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: IDS.Id,
      StackName: IDS.StackId,
      ClientRequestToken: 'provision-1-1-abc-execute',
      DisableRollback: true,
    });
  });
});
