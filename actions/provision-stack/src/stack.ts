/**
 * Reading a stack and waiting on it: describe, wait out another run's operation, delete a stack
 * that never finished its create, follow an execution with its events, and set termination
 * protection. The decisions live in stack-state.ts; this is the thin layer over the SDK.
 */
import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackResourceSummary,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { ActionError, errorMessage, isAwsError, TimeoutError } from '../../common/src/errors.js';
import { poll, untilDeadline, type WaitContext } from '../../common/src/poller.js';
import { type EventStream, formatEvent, hookWarnings } from './events.js';
import { isBusy } from './stack-state.js';

export const POLL_INTERVAL_MS = 5000;

/** The stack by name or id, or undefined when there is none. */
export async function describeStack(
  client: CloudFormationClient,
  stack: string,
): Promise<Stack | undefined> {
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stack }));
    return response.Stacks?.[0];
  } catch (error) {
    if (isAwsError(error, 'ValidationError') && /does not exist/i.test(errorMessage(error))) {
      return undefined;
    }
    throw error;
  }
}

export interface WaitOptions {
  client: CloudFormationClient;
  stackName: string;
  stackId: string;
  /** The step's deadline, clock and log: every wait here draws on the one deadline. */
  wait: WaitContext;
  intervalMs?: number;
}

/** Another run (or a person) is updating the stack: wait for it to settle, printing its status. */
export async function waitWhileBusy(options: WaitOptions): Promise<Stack | undefined> {
  const waiting = poll<Stack | undefined>({
    what: `stack ${options.stackName} (busy with another operation)`,
    intervalMs: options.intervalMs ?? POLL_INTERVAL_MS,
    ...untilDeadline(options.wait),
    check: async () => {
      const stack = await describeStack(options.client, options.stackId);
      const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
      return { done: !isBusy(status), state: status, value: stack };
    },
  });
  return withTimeoutAdvice(
    waiting,
    'Nothing was changed: the other operation was still running. Raise timeout-minutes, or run this step again once the stack has settled.',
  );
}

/** Deletes a stack in ROLLBACK_COMPLETE (it holds no resources) and waits until it is gone. */
export async function deleteRolledBackStack(options: WaitOptions): Promise<void> {
  await options.client.send(new DeleteStackCommand({ StackName: options.stackId }));
  const final = await poll<string>({
    what: `stack ${options.stackName} to be deleted`,
    intervalMs: options.intervalMs ?? POLL_INTERVAL_MS,
    ...untilDeadline(options.wait),
    check: async () => {
      const status =
        (await describeStack(options.client, options.stackId))?.StackStatus ?? 'DELETE_COMPLETE';
      return { done: !isBusy(status), state: status, value: status };
    },
  });
  if (final !== 'DELETE_COMPLETE') {
    throw new ActionError(
      `Could not delete stack ${options.stackName}`,
      `Deleting stack ${options.stackName} (in ROLLBACK_COMPLETE, to recreate it) ended in ${final}.`,
      'Delete it in the CloudFormation console, then run this step again.',
    );
  }
}

/**
 * Follows an execution until the stack settles, printing each event as it arrives; returns the
 * stack as it ended. A timeout throws: the stack keeps going in AWS, but this step does not pass.
 */
export async function waitForExecution(
  options: WaitOptions & { events: EventStream },
): Promise<Stack> {
  const execution = poll<Stack>({
    what: `stack ${options.stackName}`,
    intervalMs: options.intervalMs ?? POLL_INTERVAL_MS,
    ...untilDeadline(options.wait),
    check: async (report) => {
      const stack = await describeStack(options.client, options.stackId);
      const fresh = await options.events.next();
      for (const event of fresh) report(formatEvent(event, options.stackName));
      // A hook in WARN mode let provisioning go on; what it objected to is still worth a warning.
      for (const line of hookWarnings(fresh, options.stackName))
        options.wait.log.warning(line, 'Hook warning');
      const status = stack?.StackStatus ?? 'UNKNOWN';
      // ExecuteChangeSet moves the stack to *_IN_PROGRESS before it returns (the AWS CLI's
      // `deploy` relies on the same), so a settled status here is this execution's end. A new
      // stack may still read REVIEW_IN_PROGRESS for a moment, which is not an end.
      const done = stack !== undefined && !isBusy(status) && status !== 'REVIEW_IN_PROGRESS';
      return { done, state: status, value: stack as Stack };
    },
  });
  return withTimeoutAdvice(
    execution,
    'The stack operation goes on in CloudFormation; this step gave up before it ended (see the stack in the console). Raise timeout-minutes if such a deploy is known to take longer.',
  );
}

/** A timeout keeps its type (a failure, titled "Timed out") and gains what it means here. */
async function withTimeoutAdvice<T>(wait: Promise<T>, advice: string): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    if (error instanceof TimeoutError) throw new TimeoutError(`${error.message} ${advice}`);
    throw error;
  }
}

/**
 * Resources left failed by a failed rollback, with their reasons: what continue-update-rollback is
 * about. ListStackResources pages through every resource; DescribeStackResources would stop at
 * the first 100 ("If your stack has more resources than this, you should use ListStackResources
 * instead", API_DescribeStackResources), and a large stack's stuck resource may be past them.
 */
export async function failedResources(
  client: CloudFormationClient,
  stackId: string,
): Promise<string[]> {
  return (await stackResources(client, stackId))
    .filter((resource) => (resource.ResourceStatus ?? '').endsWith('_FAILED'))
    .map(
      (resource) =>
        `${resource.LogicalResourceId} (${resource.ResourceType}) ${resource.ResourceStatus}: ${resource.ResourceStatusReason ?? 'no reason given'}`,
    );
}

/** Every resource of a stack, all pages of ListStackResources. */
export async function stackResources(
  client: CloudFormationClient,
  stackId: string,
): Promise<StackResourceSummary[]> {
  const resources: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListStackResourcesCommand({ StackName: stackId, NextToken: token }),
    );
    resources.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return resources;
}

/**
 * Sets termination protection when the input asks for a state the stack is not in. Returns true
 * when it changed something. Change sets cannot carry this setting, hence a call of its own.
 */
export async function applyTerminationProtection(
  client: CloudFormationClient,
  stack: Stack,
  wanted: boolean | undefined,
): Promise<boolean> {
  if (wanted === undefined || Boolean(stack.EnableTerminationProtection) === wanted) return false;
  await client.send(
    new UpdateTerminationProtectionCommand({
      StackName: stack.StackId,
      EnableTerminationProtection: wanted,
    }),
  );
  return true;
}
