import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeEventsCommand,
  ExecuteChangeSetCommand,
  InsufficientCapabilitiesException,
  ListChangeSetsCommand,
  type OperationEvent,
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
  stackIsNew: false,
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
    cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
    const creating = createChangeSet({
      client: client(),
      ...base,
      type: 'CREATE',
      stackIsNew: true,
    });
    await expect(creating).rejects.toThrow(ActionError);
    await expect(creating).rejects.toThrow(
      /could not make a change set for stack app: Parameter values specified/,
    );
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({
      StackName: IDS.StackId,
    });
  });

  // Issue 10 #7: a REVIEW_IN_PROGRESS stack holds change sets only, but those may be another
  // run's preview. ChangeSetSummary shapes: API_ListChangeSets / API_ChangeSetSummary
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ChangeSetSummary.html).
  function failedCreate(): void {
    cfn.on(CreateChangeSetCommand).resolves(IDS);
    cfn.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: IDS.Id,
      StackId: IDS.StackId,
      Status: 'FAILED',
      StatusReason: 'Template format error: Unresolved resource dependencies [Vpc]',
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(DeleteStackCommand).resolves({});
  }

  it('never deletes a stack that was already in REVIEW_IN_PROGRESS before this run', async () => {
    failedCreate();
    const creating = createChangeSet({ client: client(), ...base, type: 'CREATE' });
    await expect(creating).rejects.toThrow(/Unresolved resource dependencies/);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it("keeps the stack this run made when it also holds another run's change set", async () => {
    failedCreate();
    cfn.on(ListChangeSetsCommand).resolves({
      Summaries: [
        {
          StackId: IDS.StackId,
          StackName: 'app',
          ChangeSetId: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-9-1-x/2',
          ChangeSetName: 'provision-9-1-x',
          ExecutionStatus: 'AVAILABLE',
          Status: 'CREATE_COMPLETE',
        },
      ],
    });
    const wait = testContext({ timeoutMs: 60_000 });
    const creating = createChangeSet({
      client: client(),
      ...base,
      wait,
      type: 'CREATE',
      stackIsNew: true,
    });
    await expect(creating).rejects.toThrow(/Unresolved resource dependencies/);
    expect(cfn.commandCalls(ListChangeSetsCommand)[0]?.args[0].input.StackName).toBe(IDS.StackId);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(wait.log.lines.join('\n')).toContain('provision-9-1-x of another run');
  });

  // Issue 10 #1. The reason as CloudFormation gives it for early validation; the events as
  // DescribeEvents returns them (OperationEvent: ValidationName, ValidationStatus,
  // ValidationStatusReason, ValidationPath, ValidationFailureMode — API_DescribeEvents,
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeEvents.html, and
  // API_OperationEvent, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_OperationEvent.html).
  const EARLY =
    'The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation, AWS::EarlyValidation::ResourceExistenceCheck]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.';
  const propertyEvent: OperationEvent = {
    EventId: 'ev-1',
    StackId: IDS.StackId,
    OperationId: 'op-1',
    OperationType: 'CREATE_CHANGESET',
    OperationStatus: 'FAILED',
    EventType: 'VALIDATION_ERROR',
    LogicalResourceId: 'Policy',
    ResourceType: 'AWS::IAM::ManagedPolicy',
    Timestamp: new Date('2026-01-01T10:00:00Z'),
    ValidationFailureMode: 'FAIL',
    ValidationName: 'PROPERTY_VALIDATION',
    ValidationStatus: 'FAILED',
    ValidationStatusReason: 'Required property [PolicyDocument] not found',
    ValidationPath: '/Resources/Policy/Properties',
  };
  const conflictEvent: OperationEvent = {
    ...propertyEvent,
    EventId: 'ev-2',
    LogicalResourceId: 'Bucket',
    ResourceType: 'AWS::S3::Bucket',
    ValidationName: 'NAME_CONFLICT_VALIDATION',
    ValidationStatusReason:
      "Resource of type 'AWS::S3::Bucket' with identifier 'app-assets' already exists.",
    ValidationPath: '/Resources/Bucket/Properties/BucketName',
  };
  function earlyValidationFailure(reason = EARLY): void {
    cfn.on(CreateChangeSetCommand).resolves(IDS);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: IDS.Id }).resolves({
      ChangeSetId: IDS.Id,
      StackId: IDS.StackId,
      StackName: 'app',
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason: reason,
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
  }
  const commandNames = () => cfn.calls().map((call) => call.args[0].constructor.name);

  it('reads the failed validations with DescribeEvents before deleting the change set, and names each', async () => {
    earlyValidationFailure();
    cfn.on(DescribeEventsCommand).resolves({ OperationEvents: [propertyEvent, conflictEvent] });
    const failure = (await createChangeSet({ client: client(), ...base }).catch(
      (error: unknown) => error,
    )) as ActionError;
    expect(failure).toBeInstanceOf(ActionError);
    expect(failure.message).toContain(EARLY);
    expect(failure.message).toContain(
      'Policy (AWS::IAM::ManagedPolicy): PROPERTY_VALIDATION at /Resources/Policy/Properties: Required property [PolicyDocument] not found',
    );
    expect(failure.message).toContain(
      "Bucket (AWS::S3::Bucket): NAME_CONFLICT_VALIDATION at /Resources/Bucket/Properties/BucketName: Resource of type 'AWS::S3::Bucket' with identifier 'app-assets' already exists.",
    );
    expect(failure.hint).toMatch(/already exists outside this stack/);
    expect(cfn.commandCalls(DescribeEventsCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: IDS.Id,
      Filters: { FailedEvents: true },
    });
    const order = commandNames();
    expect(order.indexOf('DescribeEventsCommand')).toBeGreaterThan(-1);
    expect(order.indexOf('DescribeEventsCommand')).toBeLessThan(
      order.indexOf('DeleteChangeSetCommand'),
    );
  });

  it('follows every page of DescribeEvents', async () => {
    earlyValidationFailure();
    cfn
      .on(DescribeEventsCommand)
      .resolvesOnce({ OperationEvents: [propertyEvent], NextToken: 'more' })
      .resolvesOnce({ OperationEvents: [conflictEvent] });
    const failure = (await createChangeSet({ client: client(), ...base }).catch(
      (error: unknown) => error,
    )) as ActionError;
    expect(failure.message).toContain('PROPERTY_VALIDATION');
    expect(failure.message).toContain('NAME_CONFLICT_VALIDATION');
    expect(cfn.commandCalls(DescribeEventsCommand)[1]?.args[0].input.NextToken).toBe('more');
  });

  it('still fails with the original reason when DescribeEvents is denied, warning that the details are missing', async () => {
    earlyValidationFailure();
    cfn.on(DescribeEventsCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: cloudformation:DescribeEvents',
      }),
    );
    const wait = testContext({ timeoutMs: 60_000 });
    const failure = (await createChangeSet({ client: client(), ...base, wait }).catch(
      (error: unknown) => error,
    )) as ActionError;
    expect(failure.title).toBe('Change set failed');
    expect(failure.message).toContain(EARLY);
    expect(wait.log.warnings).toEqual([
      {
        line: expect.stringContaining('cloudformation:DescribeEvents (AccessDenied)'),
        title: 'Early validation details unavailable',
      },
    ]);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('treats any other failure of DescribeEvents (a local AWS without it answers HTML) as details unavailable', async () => {
    earlyValidationFailure(
      'Template format error: Unrecognized resource types: [AWS::Nope::Thing]',
    );
    cfn.on(DescribeEventsCommand).rejects(new Error('XML parse error: mismatched tags'));
    const wait = testContext({ timeoutMs: 60_000 });
    await expect(createChangeSet({ client: client(), ...base, wait })).rejects.toThrow(
      /could not make a change set for stack app: Template format error: Unrecognized resource types/,
    );
    // The reason does not point at DescribeEvents, so there is nothing missing to warn about.
    expect(wait.log.warnings).toEqual([]);
  });

  // EMPIRICAL (public reports; the API reference is silent): with IncludeNestedStacks, the root
  // change set's reason only names the nested change set that failed, which holds the
  // EarlyValidation reason and the events.
  it('follows a failed nested change set to its reason and its events', async () => {
    const nestedId =
      'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-1-1-abc-Network-1ABC/77';
    earlyValidationFailure(
      `Nested change set ${nestedId} was not successfully created: Currently in FAILED.`,
    );
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: nestedId }).resolves({
      ChangeSetId: nestedId,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app-Network-1ABC/88',
      StackName: 'app-Network-1ABC',
      ParentChangeSetId: IDS.Id,
      RootChangeSetId: IDS.Id,
      Status: 'FAILED',
      StatusReason: EARLY,
    });
    cfn.on(DescribeEventsCommand, { ChangeSetName: IDS.Id }).resolves({ OperationEvents: [] });
    cfn
      .on(DescribeEventsCommand, { ChangeSetName: nestedId })
      .resolves({ OperationEvents: [conflictEvent] });
    const failure = (await createChangeSet({ client: client(), ...base }).catch(
      (error: unknown) => error,
    )) as ActionError;
    expect(failure.message).toContain(`The nested change set says: ${EARLY}`);
    expect(failure.message).toContain(
      'Network/Bucket (AWS::S3::Bucket): NAME_CONFLICT_VALIDATION at /Resources/Bucket/Properties/BucketName',
    );
    // Only the root change set is deleted: nested ones go with it (executed or deleted from the root only).
    expect(cfn.commandCalls(DeleteChangeSetCommand).map((call) => call.args[0].input)).toEqual([
      { ChangeSetName: IDS.Id, StackName: IDS.StackId },
    ]);
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
