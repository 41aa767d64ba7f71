/**
 * Every resource change of a change set, nested stacks' included. The change set is created with
 * IncludeNestedStacks, so a nested stack's change (ResourceType AWS::CloudFormation::Stack)
 * carries the ChangeSetId of the nested change set that holds its own resources' changes; those
 * are read too, depth first, so a database inside a nested stack is shown and guarded like one at
 * the top. A removed nested stack has no change set: every resource it holds goes with it, so they
 * are listed (ListStackResources) as removals too. Only the root change set is ever executed or
 * deleted ("You must execute or delete a change set for nested stacks from the root change set",
 * CloudFormation User Guide, change-sets-for-nested-stacks).
 */
import {
  type Change,
  type CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { ActionError } from '../../common/src/errors.js';
import { poll, untilDeadline, type WaitContext } from '../../common/src/poller.js';
import { protectionRisks, type ProtectionRisk } from './protect.js';
import { stackResources } from './stack.js';

const NESTED_STACK = 'AWS::CloudFormation::Stack';

export interface StackChange {
  change: Change;
  /** Logical ids of the nested stacks the resource is in, outermost first; empty at the root. */
  stackPath: string[];
  /** Set when the resource is listed because its nested stack (this logical id) is removed. */
  removedWith?: string;
}

/** `Network/Db`: the resource's logical id under the nested stacks it is in. */
export function changePath(change: StackChange): string {
  return [...change.stackPath, change.change.ResourceChange?.LogicalResourceId ?? ''].join('/');
}

export interface CollectOptions {
  client: CloudFormationClient;
  /** The root change set as DescribeChangeSet returned it (CREATE_COMPLETE, first page). */
  root: DescribeChangeSetCommandOutput;
  wait: WaitContext;
  intervalMs: number;
}

export async function collectChanges(options: CollectOptions): Promise<StackChange[]> {
  return expand(options, await allPages(options.client, options.root), []);
}

async function expand(
  options: CollectOptions,
  changes: Change[],
  stackPath: string[],
): Promise<StackChange[]> {
  const collected: StackChange[] = [];
  for (const change of changes) {
    collected.push({ change, stackPath });
    const resource = change.ResourceChange;
    if (resource?.ResourceType !== NESTED_STACK || !resource.LogicalResourceId) continue;
    const inner = [...stackPath, resource.LogicalResourceId];
    if (resource.ChangeSetId) {
      const nested = await settledNested(options, resource.ChangeSetId, inner.join('/'));
      collected.push(...(await expand(options, await allPages(options.client, nested), inner)));
    } else if (resource.Action === 'Remove' && resource.PhysicalResourceId?.startsWith('arn:')) {
      collected.push(...(await removedWith(options.client, resource.PhysicalResourceId, inner)));
    }
  }
  return collected;
}

/** A nested change set may still be in progress a moment after the root is complete. */
async function settledNested(
  options: CollectOptions,
  id: string,
  where: string,
): Promise<DescribeChangeSetCommandOutput> {
  const described = await poll<DescribeChangeSetCommandOutput>({
    what: `nested change set of ${where}`,
    intervalMs: options.intervalMs,
    ...untilDeadline(options.wait),
    check: async () => {
      const response = await options.client.send(
        new DescribeChangeSetCommand({ ChangeSetName: id }),
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
    throw new ActionError(
      'Change set failed',
      `The nested change set of ${where} failed: ${described.StatusReason ?? 'no reason given'}`,
      'Fix the nested template or the parameters it is given; nothing was changed.',
    );
  }
  return described;
}

/** DescribeChangeSet pages its changes; a large stack has more than one page. */
async function allPages(
  client: CloudFormationClient,
  first: DescribeChangeSetCommandOutput,
): Promise<Change[]> {
  const changes = [...(first.Changes ?? [])];
  let token = first.NextToken;
  while (token) {
    const page = await client.send(
      new DescribeChangeSetCommand({
        ChangeSetName: first.ChangeSetId,
        ...(first.StackId ? { StackName: first.StackId } : {}),
        NextToken: token,
      }),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return changes;
}

/** The resources of a nested stack that is removed, as removals (deeper nested stacks too). */
async function removedWith(
  client: CloudFormationClient,
  stackId: string,
  stackPath: string[],
): Promise<StackChange[]> {
  const removedStack = stackPath.join('/');
  const collected: StackChange[] = [];
  for (const resource of await stackResources(client, stackId)) {
    collected.push({
      change: {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Remove',
          LogicalResourceId: resource.LogicalResourceId,
          PhysicalResourceId: resource.PhysicalResourceId,
          ResourceType: resource.ResourceType,
        },
      },
      stackPath,
      removedWith: removedStack,
    });
    const id = resource.PhysicalResourceId;
    if (
      resource.ResourceType === NESTED_STACK &&
      resource.LogicalResourceId &&
      id?.startsWith('arn:')
    )
      collected.push(
        ...(await removedWith(client, id, [...stackPath, resource.LogicalResourceId])),
      );
  }
  return collected;
}

/**
 * protect and allow-replacement for every change, nested ones included. A nested resource matches
 * an entry by its type, its own logical id (`Db`) or its path (`Network/Db`); its risk is named
 * by the path.
 */
export function stackProtectionRisks(options: {
  changes: StackChange[];
  protect: readonly string[];
  allowReplacement: readonly string[];
}): ProtectionRisk[] {
  return options.changes.flatMap((stackChange) => {
    const id = stackChange.change.ResourceChange?.LogicalResourceId ?? '';
    const path = changePath(stackChange);
    // The path form of an entry is read as the resource's own id, for this change only.
    const local = (entries: readonly string[]) =>
      entries.map((entry) => (entry === path ? id : entry));
    return protectionRisks({
      changes: [stackChange.change],
      protect: local(options.protect),
      allowReplacement: local(options.allowReplacement),
    }).map((risk) => ({
      ...risk,
      logicalId: path,
      protectedBy: options.protect.includes(path) ? path : risk.protectedBy,
    }));
  });
}
