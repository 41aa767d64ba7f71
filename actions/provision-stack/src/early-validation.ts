/**
 * Why a change set failed, in detail. Since late 2025 CloudFormation validates a change set before
 * it exists (property syntax, resource name conflicts, a non-empty bucket to delete); a failure's
 * StatusReason then only says "The following hook(s)/validation failed:
 * [AWS::EarlyValidation::…]. To troubleshoot Early Validation errors, use the DescribeEvents API",
 * so the details are read with DescribeEvents (failed events only) before the change set is
 * deleted. With nested stacks the root change set only says that a nested one failed; the nested
 * change set holds the reason and the events.
 *
 * DescribeEvents: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeEvents.html
 * OperationEvent: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_OperationEvent.html
 */
import {
  type CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeEventsCommand,
  type OperationEvent,
} from '@aws-sdk/client-cloudformation';
import { awsErrorCode, errorMessage, TimeoutError } from '../../common/src/errors.js';

/** One failed validation or hook of a change set, as DescribeEvents reports it. */
export interface ValidationFailure {
  /** The nested stacks the resource is in, outermost first (logical ids); empty at the root. */
  stackPath: string[];
  logicalId: string;
  resourceType: string;
  /** ValidationName (e.g. NAME_CONFLICT_VALIDATION), or `hook <HookType>`, or the resource status. */
  check: string;
  /** ValidationPath: where in the resource the validation applied, e.g. /Properties/BucketName. */
  path: string;
  reason: string;
  /** WARN: CloudFormation went on despite it. */
  warning: boolean;
}

export interface FailureDetails {
  /** The reason of the change set that really failed (a nested one's, when the root only points at it). */
  reason: string;
  failures: ValidationFailure[];
  /** Set when the details could not be read: what went wrong (the original reason still stands). */
  unavailable?: string;
}

/** The reason says the details are in DescribeEvents (early validation, or a hook on the change set). */
export function pointsToEvents(reason: string): boolean {
  return /AWS::EarlyValidation::|use the DescribeEvents API|hook\(s\)\/validation failed/i.test(
    reason,
  );
}

const NESTED_FAILED = /Nested change set (arn:\S+?) was not successfully created/;

/** A root change set's reason naming the nested change set that failed, or undefined. */
export function failedNestedChangeSet(reason: string): string | undefined {
  return NESTED_FAILED.exec(reason)?.[1];
}

/** How deep a chain of nested change sets is followed to the one that failed. */
const MAX_NESTING = 5;

/**
 * Reads what made a change set fail: follows "Nested change set <arn> was not successfully
 * created" down to the change set that failed, and reads the failed events of each. Never throws
 * for a failure of these reads (a role without cloudformation:DescribeEvents, a local AWS without
 * it): the original reason is reported all the same, with a note that the details are missing.
 */
export async function failureDetails(options: {
  client: CloudFormationClient;
  changeSetId: string;
  stackId: string;
  reason: string;
}): Promise<FailureDetails> {
  const { client } = options;
  const failures: ValidationFailure[] = [];
  let reason = options.reason;
  let changeSetId = options.changeSetId;
  let stackId: string | undefined = options.stackId;
  const stackPath: string[] = [];
  try {
    for (let depth = 0; ; depth++) {
      failures.push(...(await failedEvents(client, changeSetId, stackPath)));
      const nested = failedNestedChangeSet(reason);
      if (!nested || depth >= MAX_NESTING) break;
      const described = await client.send(new DescribeChangeSetCommand({ ChangeSetName: nested }));
      // The nested change set names its parent's resource only through its stack: the nested
      // stack's name is <root>-<LogicalId>-<suffix>; the logical id is what a reader knows.
      stackPath.push(nestedLogicalId(described.StackName, stackId) ?? described.StackName ?? '?');
      stackId = described.StackId;
      changeSetId = described.ChangeSetId ?? nested;
      reason = described.StatusReason ?? reason;
    }
  } catch (error) {
    if (error instanceof TimeoutError) throw error;
    const code = awsErrorCode(error);
    const denied = /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(code ?? '');
    return {
      reason,
      failures,
      unavailable: denied
        ? `the role may not call cloudformation:DescribeEvents (${code}); grant it to see each validation's details`
        : `DescribeEvents failed: ${code ? `${code} ` : ''}${errorMessage(error).split('\n')[0]}`,
    };
  }
  return { reason, failures };
}

/** Every failed event of one change set (all pages), as failures. */
async function failedEvents(
  client: CloudFormationClient,
  changeSetId: string,
  stackPath: string[],
): Promise<ValidationFailure[]> {
  const failures: ValidationFailure[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new DescribeEventsCommand({
        ChangeSetName: changeSetId,
        Filters: { FailedEvents: true },
        NextToken: token,
      }),
    );
    for (const event of page.OperationEvents ?? []) {
      const failure = toFailure(event, [...stackPath]);
      if (failure) failures.push(failure);
    }
    token = page.NextToken;
  } while (token);
  return failures;
}

function toFailure(event: OperationEvent, stackPath: string[]): ValidationFailure | undefined {
  const common = {
    stackPath,
    logicalId: event.LogicalResourceId ?? '',
    resourceType: event.ResourceType ?? '',
  };
  if (event.ValidationName || event.ValidationStatusReason) {
    return {
      ...common,
      check: event.ValidationName ?? 'validation',
      path: event.ValidationPath ?? '',
      reason: event.ValidationStatusReason ?? event.ResourceStatusReason ?? '',
      warning: event.ValidationFailureMode === 'WARN',
    };
  }
  if (event.HookType && event.HookStatusReason) {
    return {
      ...common,
      check: `hook ${event.HookType}`,
      path: '',
      reason: event.HookStatusReason,
      warning: event.HookFailureMode === 'WARN',
    };
  }
  // A stack-level event of the failed operation repeats the change set's own reason: skip it.
  if (!event.LogicalResourceId || !event.ResourceStatusReason) return undefined;
  if (event.ResourceType === 'AWS::CloudFormation::Stack' && event.EventType === 'STACK_EVENT')
    return undefined;
  return {
    ...common,
    check: event.ResourceStatus ?? event.EventType ?? 'failed',
    path: '',
    reason: event.ResourceStatusReason,
    warning: false,
  };
}

/** `app-Network-1AB2C3` under stack `app` → `Network` (the nested stack's logical id). */
function nestedLogicalId(nestedName?: string, parentId?: string): string | undefined {
  const parent = parentId?.split('/')[1];
  if (!nestedName || !parent || !nestedName.startsWith(`${parent}-`)) return undefined;
  const rest = nestedName.slice(parent.length + 1);
  const cut = rest.lastIndexOf('-');
  return cut > 0 ? rest.slice(0, cut) : rest;
}

/** The resource as a reader names it: `Network/Bucket (AWS::S3::Bucket)`. */
export function failureResource(failure: ValidationFailure): string {
  const id = [...failure.stackPath, failure.logicalId].filter(Boolean).join('/');
  return failure.resourceType ? `${id} (${failure.resourceType})` : id;
}

/** One line per failure: resource, check, path and reason. */
export function formatFailure(failure: ValidationFailure): string {
  const at = failure.path ? ` at ${failure.path}` : '';
  const mode = failure.warning ? ' (warning only)' : '';
  return `${failureResource(failure)}: ${failure.check}${at}${mode}: ${failure.reason}`;
}

/** What to do about these failures: a name conflict is fixed outside the template's syntax. */
export function failureHint(failures: ValidationFailure[]): string {
  const conflict = failures.some((failure) =>
    /NAME_CONFLICT|ResourceExistence|already exists/i.test(`${failure.check} ${failure.reason}`),
  );
  const parts = [];
  if (conflict)
    parts.push(
      'A resource with that name already exists outside this stack: give the resource another name in the template, delete the other one, or import it into the stack.',
    );
  if (failures.some((failure) => failure.path))
    parts.push('Fix the property at the path named in the template.');
  parts.push('Nothing was changed; run this step again after the fix.');
  return parts.join(' ');
}
