/**
 * The three ways a run ends once its change set exists: finish unchanged (the change set was
 * empty), finish preview (the change set is left for review), or execute and wait. Each applies the
 * stack policy and termination protection where that exit calls for them, then reports.
 */
import * as core from '../../common/src/core.js';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { ActionContext } from '../../common/src/context.js';
import { ActionError } from '../../common/src/errors.js';
import { addFacts } from '../../common/src/summary.js';
import { executeChangeSet } from './change-set.js';
import { EventStream, formatEvent, orderFailures } from './events.js';
import type { ProvisionInputs } from './inputs.js';
import { setOutputs } from './outputs.js';
import { describeRisks, type ProtectionRisk } from './protect.js';
import {
  describePolicyOutcome,
  guardStack,
  isPolicyDenial,
  policyMoment,
  type StackPolicy,
} from './stack-policy.js';
import { applyTerminationProtection, describeStack, waitForExecution } from './stack.js';
import { isSuccess } from './stack-state.js';
import * as report from './summary.js';

/** What every exit works with. */
export interface Deployment {
  context: ActionContext<ProvisionInputs>;
  cloudFormation: CloudFormationClient;
  region: string;
  /** The change set's name, for messages. */
  name: string;
  /** undefined: the stack-policy input is empty. */
  stackPolicy?: StackPolicy;
}

/** A change set CloudFormation made, ready to execute or review. */
export interface ReadyChangeSet {
  id: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
}

/**
 * The template changes nothing; the policy and termination protection may still change. `stack`
 * is the stack's id, or the stack itself when the fast no-op check just described it.
 */
export async function finishUnchanged(
  deploy: Deployment,
  stack: string | Stack,
  how: 'change set' | 'fast' = 'change set',
): Promise<void> {
  const { cloudFormation, context } = deploy;
  report.reportNoChanges(context.inputs.stackName, how);
  let current =
    typeof stack === 'string' ? ((await describeStack(cloudFormation, stack)) as Stack) : stack;
  refuseFailedAsUnchanged(deploy, current);
  // The template is unchanged but the policy file may not be: it is applied all the same.
  const policy = await setPolicy(deploy, { stackId: current.StackId as string, isNew: false });
  const protectionChanged =
    context.inputs.mode === 'deploy' &&
    (await applyTerminationProtection(
      cloudFormation,
      current,
      context.inputs.terminationProtection,
    ));
  const changed = protectionChanged || Boolean(policy?.set);
  if (changed)
    current = (await describeStack(cloudFormation, current.StackId as string)) ?? current;
  finish(deploy, { stack: current, changed, stackPolicy: policy?.words });
}

/**
 * CREATE_FAILED and UPDATE_FAILED (reachable only with rollback disabled) keep what the failed
 * operation left, and the stack's template is the one that failed. "No changes" then means this
 * run would deploy exactly what failed: not a success. Deploy fails saying so; preview warns.
 */
function refuseFailedAsUnchanged(deploy: Deployment, current: Stack): void {
  const status = current.StackStatus ?? '';
  if (status !== 'CREATE_FAILED' && status !== 'UPDATE_FAILED') return;
  const { inputs } = deploy.context;
  const name = inputs.stackName;
  const title = `Stack ${name} is in ${status}`;
  const operation = status === 'CREATE_FAILED' ? 'create' : 'update';
  const message = `No changes: the template and parameters are those of the ${operation} that failed; stack ${name} is in ${status} (rollback was disabled), holding what that ${operation} left.`;
  const hint = `Fix forward: change the template or parameters so the failed resources can be ${operation === 'create' ? 'created' : 'updated'}, and run this step again; or roll the stack back first (aws cloudformation rollback-stack --stack-name ${name}).`;
  if (inputs.mode === 'preview') {
    deploy.context.log.warning(`${message} ${hint}`, title);
    return;
  }
  setOutputs({ stack: current, changed: false });
  throw new ActionError(title, message, hint);
}

/** Preview: the change set stays for review; a deploy run would be blocked by `risks`. */
export async function finishPreview(
  deploy: Deployment,
  changeSet: ReadyChangeSet,
  risks: ProtectionRisk[],
): Promise<void> {
  const { context } = deploy;
  if (risks.length > 0) {
    report.reportRisks(risks, false);
    context.log.warning(
      `Executing this change set would be blocked: ${describeRisks(risks)}.`,
      'Protected resources at risk',
    );
  }
  context.log.info(`Preview only: change set ${deploy.name} was created and not executed.`);
  const policy = await setPolicy(deploy, {
    stackId: changeSet.stackId,
    isNew: changeSet.type === 'CREATE',
  });
  const current = await describeStack(deploy.cloudFormation, changeSet.stackId);
  finish(deploy, {
    stack: current,
    changed: true,
    changeSetId: changeSet.id,
    stackPolicy: policy?.words,
  });
}

/** Refuses to execute a change set that replaces or deletes a protected resource. */
export function refuseProtectedChanges(deploy: Deployment, risks: ProtectionRisk[]): void {
  if (risks.length === 0) return;
  report.reportRisks(risks, true);
  throw new ActionError(
    'Protected resources would be replaced or deleted',
    `Change set ${deploy.name} for stack ${deploy.context.inputs.stackName} was not executed: ${describeRisks(risks)}.`,
    `If this is intended (data will be lost), add the logical id or type to allow-replacement; otherwise change the template so the resource keeps its identity. The change set is left on the stack for review.`,
  );
}

/** Executes the change set, streams its events until the stack settles, and reports the end. */
export async function executeAndWait(deploy: Deployment, changeSet: ReadyChangeSet): Promise<void> {
  const { cloudFormation, context } = deploy;
  const { inputs } = context;
  const moment = policyMoment(changeSet.type);
  let policy =
    moment === 'before-execute'
      ? await setPolicy(deploy, { stackId: changeSet.stackId, isNew: false })
      : undefined;

  const events = new EventStream(cloudFormation, changeSet.stackId);
  await events.start();
  await executeChangeSet({
    client: cloudFormation,
    id: changeSet.id,
    stackId: changeSet.stackId,
    disableRollback: inputs.disableRollback,
    token: `${deploy.name}-execute`,
  });
  context.log.info(
    `Executing change set ${deploy.name}${inputs.disableRollback ? ' (rollback disabled)' : ''}`,
  );
  const ended = await waitForExecution({
    client: cloudFormation,
    stackName: inputs.stackName,
    stackId: changeSet.stackId,
    events,
    wait: context,
  });
  if (!isSuccess(ended.StackStatus ?? 'UNKNOWN')) {
    failExecution(deploy, { ended, events, changeSetId: changeSet.id, policy: policy?.words });
  }
  if (moment === 'after-create') {
    policy = await setPolicy(deploy, { stackId: changeSet.stackId, isNew: true });
  }
  await applyTerminationProtection(cloudFormation, ended, inputs.terminationProtection);
  const final = (await describeStack(cloudFormation, changeSet.stackId)) ?? ended;
  finish(deploy, {
    stack: final,
    changed: true,
    changeSetId: changeSet.id,
    stackPolicy: policy?.words,
  });
}

/** The execution ended in a failed state: report the failures, root cause first, and fail. */
function failExecution(
  deploy: Deployment,
  options: { ended: Stack; events: EventStream; changeSetId: string; policy?: string },
): never {
  const { inputs } = deploy.context;
  const status = options.ended.StackStatus ?? 'UNKNOWN';
  const failures = orderFailures(options.events.events);
  report.reportFailures(failures, inputs.stackName);
  if (options.policy) addFacts({ 'Stack policy': options.policy });
  const causes = failures.map((event) => formatEvent(event, inputs.stackName)).join('\n');
  setOutputs({ stack: options.ended, changed: true, changeSetId: options.changeSetId });
  throw new ActionError(
    `Stack ${inputs.stackName} ended in ${status}`,
    `Executing change set ${deploy.name} failed; stack ${inputs.stackName} is now ${status}.` +
      (causes ? `\nFailed resources, root cause first:\n${causes}` : ''),
    failureHint({
      disableRollback: inputs.disableRollback,
      deniedByPolicy: failures.some((event) => isPolicyDenial(event.ResourceStatusReason)),
      policyInput: inputs.stackPolicyInput,
    }),
  );
}

/** Sets the stack policy (in preview, says whether it would); the outcome in words. */
async function setPolicy(
  deploy: Deployment,
  options: { stackId: string; isNew: boolean },
): Promise<{ set: boolean; words: string } | undefined> {
  const { stackPolicy } = deploy;
  if (!stackPolicy) return undefined;
  const outcome = await guardStack({
    client: deploy.cloudFormation,
    stackId: options.stackId,
    policy: stackPolicy,
    isNew: options.isNew,
    preview: deploy.context.inputs.mode === 'preview',
  });
  const words = describePolicyOutcome(outcome, stackPolicy);
  deploy.context.log.info(`Stack policy ${words}`);
  return { set: outcome === 'set', words };
}

/** Outputs, the outcome table and the console link; runMain writes the summary. */
function finish(
  deploy: Deployment,
  options: { stack?: Stack; changed: boolean; changeSetId?: string; stackPolicy?: string },
): void {
  const outputs = setOutputs(options);
  report.reportOutcome(
    {
      Stack: options.stack?.StackName ?? deploy.context.inputs.stackName,
      Status: options.stack?.StackStatus,
      Changed: options.changed ? 'yes' : 'no',
      'Termination protection': options.stack
        ? String(Boolean(options.stack.EnableTerminationProtection))
        : undefined,
      'Stack policy': options.stackPolicy,
    },
    outputs,
  );
  const url = options.stack?.StackId
    ? report.stackConsoleUrl(deploy.region, options.stack.StackId)
    : '';
  // '' in a partition without a public console (partitions.ts).
  if (url) {
    core.summary.addLink('Open the stack in the CloudFormation console', url);
    deploy.context.log.info(`Stack: ${url}`);
  }
}

function failureHint(options: {
  disableRollback: boolean;
  deniedByPolicy: boolean;
  policyInput: string;
}): string {
  const fix = options.disableRollback
    ? 'Rollback was disabled, so the resources that were created are kept: fix the cause above and run this step again to fix forward.'
    : 'Fix the root cause (the first failure above) and run this step again.';
  if (!options.deniedByPolicy) return fix;
  const where = options.policyInput
    ? `the policy file given to stack-policy (${options.policyInput}); it is set before the change set executes`
    : 'the stack policy (give the new one to the stack-policy input, which sets it before the change set executes)';
  return `The stack policy refused the update. If the change is intended, allow it in ${where}; otherwise change the template so it leaves that resource alone. ${fix}`;
}
