/**
 * provision-stack: deploy a CloudFormation stack through a change set.
 * read inputs → check locally → the fast no-op check (read calls only; "No changes" when the
 * deployed stack provably matches) → check with CloudFormation (ValidateTemplate) → settle the
 * stack's state → plan (change set) → guard (protected resources) → one of three exits: finish
 * unchanged, finish preview, or execute and wait (exits.ts) → report.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, resolveRegion } from '../../common/src/aws-client.js';
import type { ActionContext, ActionDefinition } from '../../common/src/context.js';
import { changeSetName, describeRun, runIdentity } from '../../common/src/run-identity.js';
import { createChangeSet } from './change-set.js';
import {
  type Deployment,
  executeAndWait,
  finishPreview,
  finishUnchanged,
  refuseProtectedChanges,
} from './exits.js';
import { type ProvisionInputs, readInputs } from './inputs.js';
import { checkLocally } from './local-checks.js';
import { planParameters } from './parameters.js';
import { checkFastNoOp } from './no-op.js';
import { settleStack } from './settle.js';
import { stackProtectionRisks } from './stack-changes.js';
import * as report from './summary.js';
import { templateSource, validateTemplate } from './template-source.js';

export const ACTION = 'provision-stack';

export const definition: ActionDefinition<ProvisionInputs> = {
  name: ACTION,
  readInputs: (inputs) => readInputs(inputs),
  resource: (inputs) => `stack ${inputs.stackName}`,
  run,
};

export async function run(context: ActionContext<ProvisionInputs>): Promise<void> {
  const { inputs, env, log } = context;
  // 1. Check everything that needs no AWS call.
  const { template, stackPolicy } = checkLocally({ inputs, log });
  const region = resolveRegion(inputs.region, env);
  // Bound to the step's deadline: a request still waiting when timeout-minutes runs out is
  // stopped and named (RequestTimedOut), never left hanging.
  const clientContext = { action: ACTION, region, env, deadline: context.deadline };
  const cloudFormation = createClient(CloudFormationClient, 'CLOUDFORMATION', clientContext);

  const identity = runIdentity(env);
  const deployFor = (name: string): Deployment => ({
    context,
    cloudFormation,
    region,
    name,
    stackPolicy,
  });

  // 2. The no-op release: read calls alone, when the deployed stack provably matches (no-op.ts).
  const noOp = await checkFastNoOp({ client: cloudFormation, template, inputs });
  if (noOp.fast) {
    const { kept } = planParameters({
      declared: template.parameters,
      given: inputs.parameters,
      kept: inputs.keptParameters,
      deployed: noOp.stack.Parameters?.map((parameter) => parameter.ParameterKey ?? ''),
    });
    report.addHeader({
      stackName: inputs.stackName,
      region,
      mode: inputs.mode,
      changeSetName: 'none (fast no-op)',
      kept,
    });
    return finishUnchanged(deployFor(''), noOp.stack, 'fast');
  }
  if (inputs.fastNoOp) log.info(`Fast no-op check: ${noOp.reason}; creating a change set.`);

  // 3. Check with CloudFormation (read-only calls, plus the template upload when it is too big).
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
    wait: context,
    described: noOp.described,
    // Recreating deletes a stack: the parameters must be complete for a create before that.
    beforeRecreate: () =>
      void planParameters({
        declared: template.parameters,
        given: inputs.parameters,
        kept: inputs.keptParameters,
      }),
  });
  const parameters = planParameters({
    declared: template.parameters,
    given: inputs.parameters,
    kept: inputs.keptParameters,
    deployed: stack.existing?.Parameters?.map((parameter) => parameter.ParameterKey ?? ''),
  });

  // 4. Plan: the change set.
  const name = changeSetName({ identity, prefix: 'provision', now: context.clock.now() });
  report.addHeader({
    stackName: inputs.stackName,
    region,
    mode: inputs.mode,
    changeSetName: name,
    kept: parameters.kept,
  });
  log.info(`Creating change set ${name} (${stack.type}) for stack ${inputs.stackName}`);
  const changeSet = await createChangeSet({
    client: cloudFormation,
    stackName: inputs.stackName,
    type: stack.type,
    name,
    template: source,
    parameters: parameters.parameters,
    capabilities: inputs.capabilities,
    tags: inputs.tags,
    roleArn: inputs.roleArn,
    stackIsNew: stack.type === 'CREATE' && !stack.onReview,
    description:
      identity.runId && identity.repository ? `${ACTION}, ${describeRun(identity)}` : undefined,
    wait: context,
  });

  // 5. Exit: unchanged, preview, or (past the guard) execute and wait.
  const deploy = deployFor(name);
  if (changeSet.kind === 'empty') {
    return finishUnchanged(deploy, stack.existing?.StackId ?? inputs.stackName);
  }
  report.reportChanges(changeSet.changes, template.forEachLoops);
  const risks = stackProtectionRisks({
    changes: changeSet.changes,
    protect: inputs.protect,
    allowReplacement: inputs.allowReplacement,
  });
  const ready = { id: changeSet.id, stackId: changeSet.stackId, type: stack.type };
  if (inputs.mode === 'preview') return finishPreview(deploy, ready, risks);
  refuseProtectedChanges(deploy, risks);
  return executeAndWait(deploy, ready);
}
