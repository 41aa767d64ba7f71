/**
 * What to do with a stack in a given state. Pure: the caller describes the stack, this decides,
 * and the decision table is what the README documents and the unit tests pin down.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';

export type StackDecision =
  /** No stack by that name: a CREATE change set makes one. */
  | { kind: 'create' }
  /**
   * REVIEW_IN_PROGRESS: a stack that holds only change sets (an earlier preview, or a run that
   * stopped before executing). It has no resources; a CREATE change set on it is what AWS expects.
   */
  | { kind: 'create-on-review' }
  | { kind: 'update' }
  /** Another operation is running: wait until it ends, then decide again. */
  | { kind: 'wait'; status: string }
  /** ROLLBACK_COMPLETE with on-rollback-complete: recreate — the stack never finished a create. */
  | { kind: 'recreate'; status: string }
  | { kind: 'fail'; title: string; message: string; hint: string };

export interface DecideOptions {
  stackName: string;
  onRollbackComplete: 'fail' | 'recreate';
}

/** Terminal states from which a change set of type UPDATE can be made. */
const UPDATABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
  // Only reachable with rollback disabled; AWS lets such a stack be updated to fix it forward.
  'CREATE_FAILED',
  'UPDATE_FAILED',
]);

export function isBusy(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** The states an executed change set may end in that mean it worked. */
export function isSuccess(status: string): boolean {
  return (
    status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE'
  );
}

export function decide(stack: Stack | undefined, options: DecideOptions): StackDecision {
  const status = stack?.StackStatus;
  if (stack === undefined || status === undefined || status === 'DELETE_COMPLETE') {
    return { kind: 'create' };
  }
  if (status === 'REVIEW_IN_PROGRESS') return { kind: 'create-on-review' };
  if (isBusy(status)) return { kind: 'wait', status };
  if (UPDATABLE.has(status)) return { kind: 'update' };
  const name = options.stackName;
  switch (status) {
    case 'ROLLBACK_COMPLETE':
      if (options.onRollbackComplete === 'recreate') return { kind: 'recreate', status };
      return {
        kind: 'fail',
        title: `Stack ${name} is in ROLLBACK_COMPLETE`,
        message: `Stack ${name} failed to create and was rolled back; CloudFormation cannot update a stack in ROLLBACK_COMPLETE.`,
        hint: `It holds no resources. Set on-rollback-complete: recreate to let this action delete and recreate it, or delete it yourself (aws cloudformation delete-stack --stack-name ${name}); the events of the failed create say what to fix first.`,
      };
    case 'UPDATE_ROLLBACK_FAILED':
      return {
        kind: 'fail',
        title: `Stack ${name} is in UPDATE_ROLLBACK_FAILED`,
        message: `An update of stack ${name} failed and its rollback failed too; CloudFormation accepts no change until the rollback is finished.`,
        hint: `Fix what stopped the rollback (see the resources listed), then run aws cloudformation continue-update-rollback --stack-name ${name}, adding --resources-to-skip <LogicalId> for resources that cannot be rolled back; then run this step again.`,
      };
    case 'ROLLBACK_FAILED':
      return {
        kind: 'fail',
        title: `Stack ${name} is in ROLLBACK_FAILED`,
        message: `Stack ${name} failed to create and its rollback failed; CloudFormation can only delete it.`,
        hint: `Delete it (aws cloudformation delete-stack --stack-name ${name}, retaining the resources that block the delete), clean up what it left, then run this step again.`,
      };
    case 'DELETE_FAILED':
      return {
        kind: 'fail',
        title: `Stack ${name} is in DELETE_FAILED`,
        message: `A delete of stack ${name} failed; the stack is half deleted.`,
        hint: `Finish the delete (aws cloudformation delete-stack --stack-name ${name}, with --retain-resources for what blocks it) before deploying it again.`,
      };
    default:
      return {
        kind: 'fail',
        title: `Stack ${name} is in ${status}`,
        message: `Stack ${name} is in ${status}, a state this action does not deploy over.`,
        hint: 'Look at the stack in the CloudFormation console and bring it to a stable state first.',
      };
  }
}
