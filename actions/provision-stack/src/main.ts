/**
 * provision-stack: deploy a CloudFormation stack through a change set.
 * read inputs → check (template, parameters, ValidateTemplate) → settle the stack's state →
 * plan (change set) → guard (protected resources, stack policy) → apply (execute) → wait (events) →
 * report.
 */
import * as core from '@actions/core';
import { CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, resolveRegion } from '../../common/src/aws-client.js';
import { ActionError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import type { MainContext } from '../../common/src/run-main.js';
import { addFacts, writeSummary } from '../../common/src/summary.js';
import { assertCapabilities } from './capabilities.js';
import {
  type ChangeSetResult,
  changeSetName,
  createChangeSet,
  executeChangeSet,
} from './change-set.js';
import { EventStream, formatEvent, orderFailures } from './events.js';
import { type ProvisionInputs, readInputs } from './inputs.js';
import { setOutputs } from './outputs.js';
import { checkKnownParameters, planParameters, secretValues } from './parameters.js';
import { describeRisks, protectionRisks, undeclaredLogicalIds } from './protect.js';
import { settleStack } from './settle.js';
import {
  describePolicyOutcome,
  guardStack,
  isPolicyDenial,
  loadStackPolicy,
  type StackPolicy,
} from './stack-policy.js';
import { applyTerminationProtection, describeStack, waitForExecution } from './stack.js';
import { isSuccess } from './stack-state.js';
import * as report from './summary.js';
import { loadTemplate, type Template } from './template.js';
import { templateSource, validateTemplate } from './template-source.js';

const ACTION = 'provision-stack';

export interface RunOptions {
  inputs?: Inputs;
  env?: NodeJS.ProcessEnv;
  /** Poll interval for every wait; tests shorten it. */
  intervalMs?: number;
}

export async function run(context: MainContext = {}, options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  // 1. Read and check everything that needs no AWS call.
  const inputs = readInputs(options.inputs ?? new Inputs());
  context.resource = `stack ${inputs.stackName}`;
  const template = loadTemplate({
    path: inputs.templatePath,
    input: inputs.templateInput,
    bucket: inputs.templateBucket,
  });
  // Masked before anything could print them, including the errors below.
  for (const secret of secretValues(template.parameters, inputs.parameters)) core.setSecret(secret);
  checkKnownParameters(template.parameters, inputs.parameters);
  assertCapabilities(template, inputs.capabilities);
  const stackPolicy = inputs.stackPolicyPath
    ? loadStackPolicy({ path: inputs.stackPolicyPath, input: inputs.stackPolicyInput })
    : undefined;
  warnOfLikelyMistakes({ inputs, template, stackPolicy });

  const region = resolveRegion(inputs.region, env);
  const clientContext = { action: ACTION, region, env };
  const cloudFormation = createClient(CloudFormationClient, 'CLOUDFORMATION', clientContext);
  const deadline = Date.now() + inputs.timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const intervalMs = options.intervalMs;
  /** Sets the stack policy (or, in preview, says whether it would); the outcome in words. */
  const guardWithPolicy = async (stackId: string, isNew: boolean) => {
    if (!stackPolicy) return undefined;
    const outcome = await guardStack({
      client: cloudFormation,
      stackId,
      policy: stackPolicy,
      isNew,
      preview: inputs.mode === 'preview',
    });
    const words = describePolicyOutcome(outcome, stackPolicy);
    core.info(`Stack policy ${words}`);
    return { set: outcome === 'set', words };
  };

  // 2. Check with CloudFormation (read-only calls, plus the template upload when it is too big).
  const source = await templateSource({
    template,
    stackName: inputs.stackName,
    bucket: inputs.templateBucket,
    region,
    s3: () => createClient(S3Client, 'S3', clientContext),
  });
  await validateTemplate({
    client: cloudFormation,
    source,
    input: inputs.templateInput,
    capabilities: inputs.capabilities,
  });
  const stack = await settleStack({
    client: cloudFormation,
    inputs,
    remaining,
    intervalMs,
    // Recreating deletes a stack: the parameters must be complete for a create before that.
    beforeRecreate: () =>
      void planParameters({ declared: template.parameters, given: inputs.parameters }),
  });
  const parameters = planParameters({
    declared: template.parameters,
    given: inputs.parameters,
    deployed: stack.existing?.Parameters?.map((parameter) => parameter.ParameterKey ?? ''),
  });

  // 3. Plan: the change set.
  const name = changeSetName({
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    now: Date.now(),
  });
  report.addHeader({
    stackName: inputs.stackName,
    region,
    mode: inputs.mode,
    changeSetName: name,
    kept: parameters.kept,
  });
  core.info(`Creating change set ${name} (${stack.type}) for stack ${inputs.stackName}`);
  const changeSet: ChangeSetResult = await createChangeSet({
    client: cloudFormation,
    stackName: inputs.stackName,
    type: stack.type,
    name,
    template: source,
    parameters: parameters.parameters,
    capabilities: inputs.capabilities,
    tags: inputs.tags,
    roleArn: inputs.roleArn,
    description: describeRun(env),
    timeoutMs: remaining(),
    intervalMs,
  });

  if (changeSet.kind === 'empty') {
    report.reportNoChanges(inputs.stackName);
    let current = (await describeStack(
      cloudFormation,
      stack.existing?.StackId ?? inputs.stackName,
    )) as Stack;
    // The template is unchanged but the policy file may not be: it is applied all the same.
    const policy = await guardWithPolicy(current.StackId as string, false);
    const protectionChanged =
      inputs.mode === 'deploy' &&
      (await applyTerminationProtection(cloudFormation, current, inputs.terminationProtection));
    const changed = protectionChanged || Boolean(policy?.set);
    if (changed)
      current = (await describeStack(cloudFormation, current.StackId as string)) ?? current;
    return finish({ stack: current, changed, region, inputs, stackPolicy: policy?.words });
  }

  report.reportChanges(changeSet.changes);
  const risks = protectionRisks({
    changes: changeSet.changes,
    protect: inputs.protect,
    allowReplacement: inputs.allowReplacement,
  });

  // 4. Guard, or stop here in preview mode.
  if (inputs.mode === 'preview') {
    if (risks.length > 0) {
      report.reportRisks(risks, false);
      core.warning(`Executing this change set would be blocked: ${describeRisks(risks)}.`, {
        title: 'Protected resources at risk',
      });
    }
    core.info(`Preview only: change set ${name} was created and not executed.`);
    const policy = await guardWithPolicy(changeSet.stackId, stack.type === 'CREATE');
    const current = await describeStack(cloudFormation, changeSet.stackId);
    return finish({
      stack: current,
      changed: true,
      changeSetId: changeSet.id,
      region,
      inputs,
      stackPolicy: policy?.words,
    });
  }
  if (risks.length > 0) {
    report.reportRisks(risks, true);
    throw new ActionError(
      'Protected resources would be replaced or deleted',
      `Change set ${name} for stack ${inputs.stackName} was not executed: ${describeRisks(risks)}.`,
      `If this is intended (data will be lost), add the logical id or type to allow-replacement; otherwise change the template so the resource keeps its identity. The change set is left on the stack for review.`,
    );
  }

  // An existing stack gets its policy before the change set executes, so that the policy already
  // guards this update; a new stack gets it once the create is complete (below).
  let policy =
    stack.type === 'UPDATE' ? await guardWithPolicy(changeSet.stackId, false) : undefined;

  // 5. Apply and wait, streaming the events.
  const events = new EventStream(cloudFormation, changeSet.stackId);
  await events.start();
  await executeChangeSet({
    client: cloudFormation,
    id: changeSet.id,
    stackId: changeSet.stackId,
    disableRollback: inputs.disableRollback,
    token: `${name}-execute`,
  });
  core.info(`Executing change set ${name}${inputs.disableRollback ? ' (rollback disabled)' : ''}`);
  const ended = await waitForExecution({
    client: cloudFormation,
    stackName: inputs.stackName,
    stackId: changeSet.stackId,
    events,
    timeoutMs: remaining(),
    intervalMs,
  });
  const status = ended.StackStatus ?? 'UNKNOWN';
  if (!isSuccess(status)) {
    const failures = orderFailures(events.events);
    report.reportFailures(failures, inputs.stackName);
    if (policy) addFacts({ 'Stack policy': policy.words });
    const causes = failures.map((event) => formatEvent(event, inputs.stackName)).join('\n');
    setOutputs({ stack: ended, changed: true, changeSetId: changeSet.id });
    throw new ActionError(
      `Stack ${inputs.stackName} ended in ${status}`,
      `Executing change set ${name} failed; stack ${inputs.stackName} is now ${status}.` +
        (causes ? `\nFailed resources, root cause first:\n${causes}` : ''),
      failureHint({
        disableRollback: inputs.disableRollback,
        deniedByPolicy: failures.some((event) => isPolicyDenial(event.ResourceStatusReason)),
        policyInput: inputs.stackPolicyInput,
      }),
    );
  }
  if (stack.type === 'CREATE') policy = await guardWithPolicy(changeSet.stackId, true);
  await applyTerminationProtection(cloudFormation, ended, inputs.terminationProtection);
  const final = (await describeStack(cloudFormation, changeSet.stackId)) ?? ended;
  return finish({
    stack: final,
    changed: true,
    changeSetId: changeSet.id,
    region,
    inputs,
    stackPolicy: policy?.words,
  });
}

interface FinishOptions {
  stack?: Stack;
  changed: boolean;
  changeSetId?: string;
  region: string;
  inputs: ProvisionInputs;
  /** What happened to the stack policy, in words; undefined when the input is empty. */
  stackPolicy?: string;
}

async function finish(options: FinishOptions): Promise<void> {
  const outputs = setOutputs(options);
  report.reportOutcome(
    {
      Stack: options.stack?.StackName ?? options.inputs.stackName,
      Status: options.stack?.StackStatus,
      Changed: options.changed ? 'yes' : 'no',
      'Termination protection': options.stack
        ? String(Boolean(options.stack.EnableTerminationProtection))
        : undefined,
      'Stack policy': options.stackPolicy,
    },
    outputs,
  );
  if (options.stack?.StackId) {
    const url = report.stackConsoleUrl(options.region, options.stack.StackId);
    core.summary.addLink('Open the stack in the CloudFormation console', url);
    core.info(`Stack: ${url}`);
  }
  await writeSummary();
}

/** Inputs that are valid but probably not what was meant: warned about, not refused. */
function warnOfLikelyMistakes(options: {
  inputs: ProvisionInputs;
  template: Template;
  stackPolicy?: StackPolicy;
}): void {
  const { inputs, stackPolicy } = options;
  const undeclared = undeclaredLogicalIds(inputs.protect, options.template.resources);
  if (undeclared.length > 0) {
    core.warning(
      `protect names ${undeclared.join(', ')}, which ${inputs.templateInput} does not declare. A misspelt logical id (they are case-sensitive) protects nothing; a resource since removed from the template is still guarded against deletion.`,
      { title: 'Protected logical id not in the template' },
    );
  }
  if (stackPolicy && !stackPolicy.allowsUpdates) {
    core.warning(
      `${stackPolicy.input} has no Allow statement: once set, CloudFormation refuses every update of stack ${inputs.stackName}. Add {"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"} before the Deny statements unless the stack is meant to be frozen.`,
      { title: 'Stack policy allows no updates' },
    );
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

function describeRun(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  return `provision-stack, ${env.GITHUB_REPOSITORY} run ${env.GITHUB_RUN_ID} attempt ${env.GITHUB_RUN_ATTEMPT ?? '1'}`.slice(
    0,
    1024,
  );
}
