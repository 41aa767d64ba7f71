/**
 * Bringing the stack to a state a change set can start from: wait out another operation, recreate
 * a stack that never finished its create (when asked), or fail saying why nothing can be done.
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { ActionError } from '../../common/src/errors.js';
import type { WaitContext } from '../../common/src/poller.js';
import type { ProvisionInputs } from './inputs.js';
import { deleteRolledBackStack, describeStack, failedResources, waitWhileBusy } from './stack.js';
import { decide } from './stack-state.js';

export interface SettleOptions {
  client: CloudFormationClient;
  inputs: ProvisionInputs;
  /** The step's deadline, clock and log, shared by every wait. */
  wait: WaitContext;
  intervalMs?: number;
  beforeRecreate: () => void;
  /** The stack as DescribeStacks just gave it (undefined: none), to save the first call. */
  described?: { stack: Stack | undefined };
}

export interface SettledStack {
  type: 'CREATE' | 'UPDATE';
  /** The stack the change set will update; undefined for a new one (or one in REVIEW_IN_PROGRESS). */
  existing?: Stack;
  /**
   * CREATE on a stack already in REVIEW_IN_PROGRESS: it was made by an earlier run (a preview, or
   * one stopped before executing) and may hold that run's change sets, so it is never this run's
   * to delete.
   */
  onReview?: Stack;
}

/** Brings the stack to a state a change set can start from, or fails saying why it cannot. */
export async function settleStack(options: SettleOptions): Promise<SettledStack> {
  const { client, inputs } = options;
  let stack = options.described
    ? options.described.stack
    : await describeStack(client, inputs.stackName);
  for (;;) {
    const decision = decide(stack, {
      stackName: inputs.stackName,
      onRollbackComplete: inputs.onRollbackComplete,
    });
    const waitOptions = {
      client,
      stackName: inputs.stackName,
      stackId: stack?.StackId ?? inputs.stackName,
      wait: options.wait,
      intervalMs: options.intervalMs,
    };
    switch (decision.kind) {
      case 'create':
        return { type: 'CREATE' };
      case 'create-on-review':
        return { type: 'CREATE', onReview: stack };
      case 'update':
        return { type: 'UPDATE', existing: stack };
      case 'wait':
        options.wait.log.info(
          `Stack ${inputs.stackName} is ${decision.status}: waiting for that operation to finish first.`,
        );
        stack = await waitWhileBusy(waitOptions);
        break;
      case 'recreate':
        if (inputs.mode === 'preview') {
          throw new ActionError(
            `Stack ${inputs.stackName} is in ROLLBACK_COMPLETE`,
            'Preview mode does not delete stacks; the deploy run will delete and recreate it (on-rollback-complete: recreate).',
            `Nothing to preview until the stack is gone: run this step in deploy mode, or delete the stack (aws cloudformation delete-stack --stack-name ${inputs.stackName}) to preview a fresh create.`,
          );
        }
        options.beforeRecreate();
        options.wait.log.info(
          `Stack ${inputs.stackName} is in ROLLBACK_COMPLETE (it never finished a create): deleting it to create it again.`,
        );
        await deleteRolledBackStack(waitOptions);
        stack = undefined;
        break;
      case 'fail': {
        const failed =
          stack?.StackStatus === 'UPDATE_ROLLBACK_FAILED' && stack.StackId
            ? await failedResources(client, stack.StackId)
            : [];
        const listing = failed.length > 0 ? `\nResources that failed:\n${failed.join('\n')}` : '';
        throw new ActionError(decision.title, `${decision.message}${listing}`, decision.hint);
      }
    }
  }
}
