import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { EventStream, formatEvent, hookWarnings, orderFailures } from '../src/events.js';

// Event shapes as in the DescribeStackEvents API reference (StackEvent). moto emits only
// stack-level events (no per-resource ones, no nested stacks), so streaming is unit-tested here.
const ROOT = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/aaa';
const NESTED = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app-Network-XYZ/bbb';
let clock = Date.parse('2026-01-01T10:00:00Z');

function event(fields: Partial<StackEvent> & { id: string }): StackEvent {
  clock += 1000;
  const { id, ...rest } = fields;
  return {
    EventId: id,
    StackId: ROOT,
    StackName: 'app',
    Timestamp: new Date(clock),
    ResourceType: 'AWS::S3::Bucket',
    ...rest,
  };
}

const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  cfn.reset();
});

describe('EventStream', () => {
  it('returns only events after start(), each once, oldest first, across pages', async () => {
    const old = event({ id: 'old', LogicalResourceId: 'app', ResourceStatus: 'CREATE_COMPLETE' });
    const e1 = event({ id: 'e1', LogicalResourceId: 'app', ResourceStatus: 'UPDATE_IN_PROGRESS' });
    const e2 = event({
      id: 'e2',
      LogicalResourceId: 'Bucket',
      ResourceStatus: 'UPDATE_IN_PROGRESS',
    });
    const e3 = event({ id: 'e3', LogicalResourceId: 'Bucket', ResourceStatus: 'UPDATE_COMPLETE' });
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [old] })
      // Newest first, as AWS pages them; the second poll pages once before reaching seen events.
      .resolvesOnce({ StackEvents: [e2, e1, old] })
      .resolvesOnce({ StackEvents: [e3], NextToken: 'page2' })
      .resolvesOnce({ StackEvents: [e2, e1, old] });
    const stream = new EventStream(new CloudFormationClient({ region: 'us-east-1' }), ROOT);
    await stream.start();
    expect((await stream.next()).map((e) => e.EventId)).toEqual(['e1', 'e2']);
    expect((await stream.next()).map((e) => e.EventId)).toEqual(['e3']);
    expect(stream.events.map((e) => e.EventId)).toEqual(['e1', 'e2', 'e3']);
    expect(cfn.commandCalls(DescribeStackEventsCommand)[3]?.args[0].input.NextToken).toBe('page2');
  });

  it('follows a nested stack from the moment this execution started', async () => {
    const start = event({
      id: 'r1',
      LogicalResourceId: 'app',
      ResourceStatus: 'UPDATE_IN_PROGRESS',
    });
    const nestedStarts = event({
      id: 'r2',
      LogicalResourceId: 'Network',
      ResourceType: 'AWS::CloudFormation::Stack',
      PhysicalResourceId: NESTED,
      ResourceStatus: 'UPDATE_IN_PROGRESS',
    });
    const inner = event({
      id: 'n1',
      StackId: NESTED,
      StackName: 'app-Network-XYZ',
      LogicalResourceId: 'Vpc',
      ResourceType: 'AWS::EC2::VPC',
      ResourceStatus: 'UPDATE_FAILED',
      ResourceStatusReason: 'CIDR overlaps',
    });
    const ancient: StackEvent = {
      ...inner,
      EventId: 'n0',
      Timestamp: new Date(Date.parse('2025-01-01T00:00:00Z')),
    };
    cfn
      .on(DescribeStackEventsCommand, { StackName: ROOT })
      .resolvesOnce({ StackEvents: [] })
      .resolves({ StackEvents: [nestedStarts, start] });
    cfn
      .on(DescribeStackEventsCommand, { StackName: NESTED })
      .resolves({ StackEvents: [inner, ancient] });
    const stream = new EventStream(new CloudFormationClient({ region: 'us-east-1' }), ROOT);
    await stream.start();
    const fresh = await stream.next();
    expect(fresh.map((e) => e.EventId)).toEqual(['r1', 'r2', 'n1']);
    expect(formatEvent(fresh[2] as StackEvent, 'app')).toMatch(
      /UPDATE_FAILED app-Network-XYZ\/Vpc \(AWS::EC2::VPC\): CIDR overlaps$/,
    );
    expect(await stream.next()).toEqual([]);
  });
});

describe('orderFailures', () => {
  it('puts root causes first and the failures they caused after, each group in time order', () => {
    const events = [
      event({
        id: '1',
        LogicalResourceId: 'Queue',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Resource creation cancelled',
      }),
      event({
        id: '2',
        LogicalResourceId: 'Bucket',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Bucket name already exists',
      }),
      event({ id: '3', LogicalResourceId: 'Bucket', ResourceStatus: 'CREATE_IN_PROGRESS' }),
      event({
        id: '4',
        LogicalResourceId: 'Role',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Access denied for iam:CreateRole',
      }),
      event({
        id: '5',
        LogicalResourceId: 'app',
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'ROLLBACK_IN_PROGRESS',
        ResourceStatusReason: 'The following resource(s) failed to create: [Bucket, Queue, Role].',
      }),
      event({
        id: '6',
        LogicalResourceId: 'Network',
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason:
          'Embedded stack arn:x was not successfully created: The following resource(s) failed to create: [Vpc].',
      }),
    ];
    expect(orderFailures(events).map((e) => e.EventId)).toEqual(['2', '4', '1', '6']);
  });
});

/**
 * Hook verdicts on stack events: StackEvent's HookType ("The name of the Hook"), HookStatus
 * (HOOK_IN_PROGRESS | HOOK_COMPLETE_SUCCEEDED | HOOK_COMPLETE_FAILED | HOOK_FAILED),
 * HookStatusReason, HookInvocationPoint (PRE_PROVISION) and HookFailureMode (FAIL "Stops
 * provisioning resources", WARN "Allows provisioning to continue with a warning message") — API
 * reference https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html.
 * The verdict arrives on an IN_PROGRESS event; the resource's CREATE_FAILED event then only says
 * "The following hook(s) failed: [<HookType>]".
 */
describe('hooks', () => {
  const HOOK = 'AWS::ControlTower::Hook';
  const verdict = (id: string, mode: 'FAIL' | 'WARN', reason: string) =>
    event({
      id,
      LogicalResourceId: 'Bucket',
      ResourceStatus: 'CREATE_IN_PROGRESS',
      HookType: HOOK,
      HookStatus: 'HOOK_COMPLETE_FAILED',
      HookStatusReason: reason,
      HookInvocationPoint: 'PRE_PROVISION',
      HookFailureMode: mode,
    });
  const reason =
    'Hook failed with message: Rule [CT.S3.PR.1]: Require an Amazon S3 bucket to have block public access settings configured';

  it('puts a failed hook first, with its reason and type, before the failure it caused', () => {
    const events = [
      event({ id: 'a', LogicalResourceId: 'Bucket', ResourceStatus: 'CREATE_IN_PROGRESS' }),
      verdict('b', 'FAIL', reason),
      event({
        id: 'c',
        LogicalResourceId: 'Bucket',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: `The following hook(s) failed: [${HOOK}]`,
      }),
      event({
        id: 'd',
        LogicalResourceId: 'Queue',
        ResourceType: 'AWS::SQS::Queue',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'Resource creation cancelled',
      }),
    ];
    const ordered = orderFailures(events);
    expect(ordered.map((e) => e.EventId)).toEqual(['b', 'c', 'd']);
    const first = formatEvent(ordered[0] as StackEvent, 'app');
    expect(first).toContain(`Bucket (AWS::S3::Bucket) hook ${HOOK} HOOK_COMPLETE_FAILED`);
    expect(first).toContain(reason);
  });

  it('counts a WARN-mode hook failure as a warning, not a failure, and ignores hooks that passed', () => {
    const events = [
      verdict('w', 'WARN', 'Hook failed with message: versioning is off'),
      event({
        id: 'ok',
        LogicalResourceId: 'Bucket',
        ResourceStatus: 'CREATE_IN_PROGRESS',
        HookType: HOOK,
        HookStatus: 'HOOK_COMPLETE_SUCCEEDED',
        HookStatusReason: 'Hook succeeded',
        HookFailureMode: 'FAIL',
      }),
      event({ id: 'done', LogicalResourceId: 'Bucket', ResourceStatus: 'CREATE_COMPLETE' }),
    ];
    expect(orderFailures(events)).toEqual([]);
    expect(hookWarnings(events, 'app')).toEqual([
      expect.stringMatching(
        /Bucket \(AWS::S3::Bucket\) hook AWS::ControlTower::Hook HOOK_COMPLETE_FAILED \(WARN\): Hook failed with message: versioning is off$/,
      ),
    ]);
  });
});
