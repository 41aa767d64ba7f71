/**
 * Creating the change set and reading it back. The name is unique per run, attempt and moment, so
 * two runs (or a re-run) never collide over one name; the client token makes the SDK's own
 * retries of CreateChangeSet idempotent. An empty change set is a success, in both forms AWS
 * reports it, and is deleted so that it does not pile up on the stack.
 */
import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import type { Logger } from '../../common/src/context.js';
import { ActionError, awsErrorCode, errorMessage, isAwsError } from '../../common/src/errors.js';
import { poll, untilDeadline, type WaitContext } from '../../common/src/poller.js';
import {
  type FailureDetails,
  failureDetails,
  failureHint,
  formatFailure,
  pointsToEvents,
} from './early-validation.js';
import type { Capability } from './inputs.js';
import { collectChanges, type StackChange } from './stack-changes.js';
import { reportValidationFailures } from './summary.js';

/** The two ways AWS says a change set would change nothing. */
export function isNoChangesReason(reason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed/i.test(reason ?? '');
}

export type TemplateSource = { TemplateBody: string } | { TemplateURL: string };

export interface CreateChangeSetOptions {
  client: CloudFormationClient;
  stackName: string;
  type: 'CREATE' | 'UPDATE';
  name: string;
  template: TemplateSource;
  parameters: Parameter[];
  capabilities: Capability[];
  tags: Record<string, string>;
  roleArn?: string;
  description?: string;
  /**
   * True when no stack existed before this change set (a CREATE that made its stack): only then
   * may a failed change set take the empty REVIEW_IN_PROGRESS stack with it.
   */
  stackIsNew: boolean;
  /** The step's deadline, clock and log: waiting for the change set draws on the deadline. */
  wait: WaitContext;
  intervalMs?: number;
}

export type ChangeSetResult =
  | { kind: 'empty'; id?: string; stackId?: string }
  | { kind: 'ready'; id: string; stackId: string; changes: StackChange[] };

export async function createChangeSet(options: CreateChangeSetOptions): Promise<ChangeSetResult> {
  const { client } = options;
  const input: CreateChangeSetCommandInput = {
    StackName: options.stackName,
    ChangeSetName: options.name,
    ChangeSetType: options.type,
    ClientToken: options.name,
    ...options.template,
    // Nested stacks get change sets of their own, so their resources' changes are seen (and
    // guarded) before anything runs; a change set without them shows a nested stack only as
    // "Modify".
    IncludeNestedStacks: true,
    Parameters: options.parameters,
    Capabilities: options.capabilities,
    ...(Object.keys(options.tags).length > 0
      ? { Tags: Object.entries(options.tags).map(([Key, Value]) => ({ Key, Value })) }
      : {}),
    ...(options.roleArn ? { RoleARN: options.roleArn } : {}),
    ...(options.description ? { Description: options.description } : {}),
  };
  let created: { Id?: string; StackId?: string };
  try {
    created = await client.send(new CreateChangeSetCommand(input));
  } catch (error) {
    // The synchronous form of "nothing to change": no change set was made.
    if (isAwsError(error, 'ValidationError') && isNoChangesReason(errorMessage(error))) {
      return { kind: 'empty' };
    }
    if (isAwsError(error, 'InsufficientCapabilitiesException', 'InsufficientCapabilities')) {
      throw new ActionError(
        'Missing capabilities',
        `CloudFormation refused stack ${options.stackName}: ${errorMessage(error)}`,
        'Add the capabilities named above to the capabilities input (for example CAPABILITY_NAMED_IAM) after checking what the template creates.',
      );
    }
    throw error;
  }
  const id = created.Id as string;
  const stackId = created.StackId as string;

  const described = await poll<DescribeChangeSetCommandOutput>({
    what: `change set ${options.name}`,
    intervalMs: options.intervalMs ?? 3000,
    ...untilDeadline(options.wait),
    check: async () => {
      const response = await client.send(
        new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stackId }),
      );
      const status = response.Status ?? 'UNKNOWN';
      return {
        done: status === 'CREATE_COMPLETE' || status === 'FAILED',
        state: status,
        value: response,
      };
    },
  });

  if (described.Status === 'FAILED') {
    if (isNoChangesReason(described.StatusReason)) {
      await deleteChangeSet(client, id, stackId);
      return { kind: 'empty', id, stackId };
    }
    // Read before the change set is deleted: its events say what the reason only points at.
    const reason = described.StatusReason ?? 'no reason given';
    const details = await failureDetails({ client, changeSetId: id, stackId, reason });
    await discardFailed({
      client,
      id,
      stackId,
      createdStack: options.type === 'CREATE' && options.stackIsNew,
      log: options.wait.log,
    });
    throw changeSetFailure({
      stackName: options.stackName,
      reason,
      details,
      log: options.wait.log,
    });
  }
  const changes = await collectChanges({
    client,
    root: described,
    wait: options.wait,
    intervalMs: options.intervalMs ?? 3000,
  });
  return { kind: 'ready', id, stackId, changes };
}

/** The error for a failed change set: its reason, and each failed validation or hook with its path. */
function changeSetFailure(options: {
  stackName: string;
  reason: string;
  details: FailureDetails;
  log: Logger;
}): ActionError {
  const { details } = options;
  const lines = details.failures.map(formatFailure);
  reportValidationFailures(details.failures);
  if (details.unavailable && pointsToEvents(details.reason)) {
    options.log.warning(
      `Cannot show the details of the failed validation: ${details.unavailable}.`,
      'Early validation details unavailable',
    );
  }
  const nested =
    details.reason !== options.reason ? `\nThe nested change set says: ${details.reason}` : '';
  return new ActionError(
    'Change set failed',
    `CloudFormation could not make a change set for stack ${options.stackName}: ${options.reason}${nested}` +
      (lines.length > 0 ? `\nFailed checks:\n${lines.join('\n')}` : ''),
    lines.length > 0
      ? failureHint(details.failures)
      : 'Fix the template or parameters named in the reason; nothing was changed.',
  );
}

export async function deleteChangeSet(
  client: CloudFormationClient,
  id: string,
  stackId: string,
): Promise<void> {
  await client.send(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: stackId }));
}

/**
 * A failed CREATE change set on a stack this run made leaves behind an empty stack in
 * REVIEW_IN_PROGRESS; it holds no resources, so it goes too and the next run starts clean. A
 * stack that was already in REVIEW_IN_PROGRESS (an earlier run's preview) is never deleted, and
 * neither is one that holds a change set besides this run's: another run made it at the same
 * moment, and deleting it would throw that run's preview away.
 */
async function discardFailed(options: {
  client: CloudFormationClient;
  id: string;
  stackId: string;
  createdStack: boolean;
  log: Logger;
}): Promise<void> {
  try {
    await deleteChangeSet(options.client, options.id, options.stackId);
    if (!options.createdStack) return;
    const others = await otherChangeSets(options.client, options.stackId, options.id);
    if (others.length > 0) {
      options.log.info(
        `Stack ${options.stackId} is left in REVIEW_IN_PROGRESS: it holds change set ${others.join(', ')} of another run.`,
      );
      return;
    }
    await options.client.send(new DeleteStackCommand({ StackName: options.stackId }));
  } catch (error) {
    // Clean-up is best effort: the failure being reported matters more than its leftovers.
    options.log.warning(
      `Could not clean up change set ${options.id}: ${awsErrorCode(error) ?? ''} ${errorMessage(error)}`,
    );
  }
}

/** Names of the stack's change sets other than `own` (all pages of ListChangeSets). */
async function otherChangeSets(
  client: CloudFormationClient,
  stackId: string,
  own: string,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListChangeSetsCommand({ StackName: stackId, NextToken: token }),
    );
    for (const summary of page.Summaries ?? []) {
      // Summaries of other stacks are skipped too (moto lists every stack's under any StackName).
      if (summary.ChangeSetId === own || (summary.StackId && summary.StackId !== stackId)) continue;
      names.push(summary.ChangeSetName ?? summary.ChangeSetId ?? '?');
    }
    token = page.NextToken;
  } while (token);
  return names;
}

export interface ExecuteOptions {
  client: CloudFormationClient;
  id: string;
  stackId: string;
  disableRollback: boolean;
  /** Idempotency token for ExecuteChangeSet, so an SDK retry never starts a second execution. */
  token: string;
}

export async function executeChangeSet(options: ExecuteOptions): Promise<void> {
  await options.client.send(
    new ExecuteChangeSetCommand({
      ChangeSetName: options.id,
      StackName: options.stackId,
      ClientRequestToken: options.token,
      DisableRollback: options.disableRollback,
    }),
  );
}
