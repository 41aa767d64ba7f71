/**
 * Stack events as they happen: only those of this run's execution, each once (DescribeStackEvents
 * pages newest first and repeats what it showed before), with the events of nested stacks
 * followed as they appear, and the failures kept for the report, root cause first.
 */
import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  type NewestFirstReader,
  newestFirstReader,
  readFresh,
} from '../../common/src/event-reader.js';

const NESTED_STACK = 'AWS::CloudFormation::Stack';

export class EventStream {
  /** The root stack's events: everything after start() is news. */
  private readonly root = newestFirstReader<StackEvent>({ id: eventId });
  /** Nested stacks' events, from this execution's first event on (their history is not news). */
  private readonly nestedReader = newestFirstReader<StackEvent>({
    id: eventId,
    isBefore: (event) => this.since !== undefined && time(event) < this.since.getTime(),
  });
  /** Nested stack ids found in the events so far. */
  private readonly nested = new Set<string>();
  /** AWS's time of the first event of this execution; nested stacks are read from then on. */
  private since?: Date;
  readonly events: StackEvent[] = [];

  constructor(
    private readonly client: CloudFormationClient,
    private readonly stackId: string,
  ) {}

  /** Marks what already happened as seen. Call before executing the change set. */
  async start(): Promise<void> {
    const page = await this.client.send(
      new DescribeStackEventsCommand({ StackName: this.stackId }),
    );
    this.root.skip(page.StackEvents ?? []);
  }

  /** The events that happened since the last call, oldest first. */
  async next(): Promise<StackEvent[]> {
    const fresh = await this.read(this.stackId, this.root);
    if (!this.since && fresh.length > 0) this.since = fresh[0]?.Timestamp;
    for (const event of fresh) {
      const nestedId = nestedStackId(event, this.stackId);
      if (nestedId && !this.nested.has(nestedId)) this.nested.add(nestedId);
    }
    for (const nestedId of this.nested) {
      const nestedEvents = await this.read(nestedId, this.nestedReader);
      fresh.push(...nestedEvents);
      for (const event of nestedEvents) {
        const deeper = nestedStackId(event, nestedId);
        if (deeper) this.nested.add(deeper);
      }
    }
    fresh.sort((a, b) => time(a) - time(b));
    this.events.push(...fresh);
    return fresh;
  }

  /** Unseen events of one stack, oldest first: pages until one holds an event seen before. */
  private read(stackId: string, reader: NewestFirstReader<StackEvent>): Promise<StackEvent[]> {
    return readFresh({
      reader,
      page: async (token) => {
        const page = await this.client.send(
          new DescribeStackEventsCommand({ StackName: stackId, NextToken: token }),
        );
        return { events: page.StackEvents ?? [], next: page.NextToken };
      },
    });
  }
}

/** EventId, or (for a hand-built event without one) what makes the event itself. */
function eventId(event: StackEvent): string {
  return event.EventId ?? `${event.LogicalResourceId}:${event.ResourceStatus}:${time(event)}`;
}

function nestedStackId(event: StackEvent, parentId: string): string | undefined {
  const id = event.PhysicalResourceId;
  if (event.ResourceType !== NESTED_STACK || !id || id === parentId || event.StackId === id)
    return undefined;
  return id.startsWith('arn:') ? id : undefined;
}

function time(event: StackEvent): number {
  return event.Timestamp ? new Date(event.Timestamp).getTime() : 0;
}

/**
 * A hook's verdict that stopped the resource (HookFailureMode FAIL, or no mode given): the event
 * carrying it is IN_PROGRESS, and the resource's own *_FAILED event that follows only says "The
 * following hook(s) failed: [<type>]", so the hook's event is the one that says why.
 */
export function isHookFailure(event: StackEvent): boolean {
  return (
    (event.HookStatus === 'HOOK_COMPLETE_FAILED' || event.HookStatus === 'HOOK_FAILED') &&
    event.HookFailureMode !== 'WARN'
  );
}

/** A hook that failed in WARN mode: provisioning went on, with this warning. */
function isHookWarning(event: StackEvent): boolean {
  return (
    (event.HookStatus === 'HOOK_COMPLETE_FAILED' || event.HookStatus === 'HOOK_FAILED') &&
    event.HookFailureMode === 'WARN'
  );
}

export function isFailure(event: StackEvent): boolean {
  return (event.ResourceStatus ?? '').endsWith('_FAILED') || isHookFailure(event);
}

/**
 * Reasons that only repeat another failure: resources cancelled because a sibling failed, a
 * parent saying which children failed, an embedded stack failing because of its own resources, a
 * resource failing because a hook (reported on its own event) failed.
 */
const CONSEQUENCE =
  /Resource (creation|update|deletion) cancelled|The following resource\(s\) failed|Embedded stack .* was not successfully|The following hook\(s\) failed/i;

/** Every failure of the events, root causes first, each group in the order it happened. */
export function orderFailures(events: StackEvent[]): StackEvent[] {
  const failures = events.filter(isFailure).sort((a, b) => time(a) - time(b));
  const isConsequence = (event: StackEvent) =>
    !isHookFailure(event) && CONSEQUENCE.test(event.ResourceStatusReason ?? '');
  return [...failures.filter((event) => !isConsequence(event)), ...failures.filter(isConsequence)];
}

/** Hooks that failed in WARN mode, one line each: provisioning went on, but they said something. */
export function hookWarnings(events: StackEvent[], rootStackName: string): string[] {
  return events.filter(isHookWarning).map((event) => formatEvent(event, rootStackName));
}

/** One log line per event, the way the console's Events tab reads; a hook's verdict with its reason. */
export function formatEvent(event: StackEvent, rootStackName: string): string {
  const at = event.Timestamp ? new Date(event.Timestamp).toISOString().slice(11, 19) : '--:--:--';
  const stack = event.StackName && event.StackName !== rootStackName ? `${event.StackName}/` : '';
  const resource = `${event.ResourceStatus ?? ''} ${stack}${event.LogicalResourceId ?? ''} (${event.ResourceType ?? ''})`;
  if (event.HookType && event.HookStatus) {
    const mode = event.HookFailureMode === 'WARN' && isHookWarning(event) ? ' (WARN)' : '';
    const reason = event.HookStatusReason ? `: ${event.HookStatusReason}` : '';
    return `${at} ${resource} hook ${event.HookType} ${event.HookStatus}${mode}${reason}`;
  }
  const reason = event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : '';
  return `${at} ${resource}${reason}`;
}
