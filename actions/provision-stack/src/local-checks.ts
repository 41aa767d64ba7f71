/**
 * Everything checked before the first AWS call: the template, its parameters and capabilities, the
 * stack policy file, and inputs that are valid but probably not what was meant (warned about).
 */
import * as core from '../../common/src/core.js';
import type { Logger } from '../../common/src/context.js';
import { assertCapabilities } from './capabilities.js';
import type { ProvisionInputs } from './inputs.js';
import { checkKnownParameters, commaJoinedParameters, secretValues } from './parameters.js';
import { undeclaredLogicalIds, unmatchedTypes } from './protect.js';
import { loadStackPolicy, type StackPolicy } from './stack-policy.js';
import { loadTemplate, type Template } from './template.js';

export interface CheckedLocally {
  template: Template;
  /** undefined: the stack-policy input is empty, the stack's policy is left alone. */
  stackPolicy?: StackPolicy;
}

export function checkLocally(options: { inputs: ProvisionInputs; log: Logger }): CheckedLocally {
  const { inputs } = options;
  const template = loadTemplate({
    path: inputs.templatePath,
    input: inputs.templateInput,
    bucket: inputs.templateBucket,
  });
  // Masked before anything could print them, including the errors below.
  for (const secret of secretValues(template.parameters, inputs.parameters)) core.setSecret(secret);
  checkKnownParameters(template.parameters, inputs.parameters, inputs.keptParameters);
  assertCapabilities(template, inputs.capabilities);
  const stackPolicy = inputs.stackPolicyPath
    ? loadStackPolicy({ path: inputs.stackPolicyPath, input: inputs.stackPolicyInput })
    : undefined;
  warnOfLikelyMistakes({ inputs, template, stackPolicy, log: options.log });
  return { template, stackPolicy };
}

/** Inputs that are valid but probably not what was meant: warned about, not refused. */
function warnOfLikelyMistakes(options: {
  inputs: ProvisionInputs;
  template: Template;
  stackPolicy?: StackPolicy;
  log: Logger;
}): void {
  const { inputs, stackPolicy, log } = options;
  for (const warning of commaJoinedParameters(options.template.parameters, inputs.parameters)) {
    log.warning(warning, 'Two parameters on one line?');
  }
  const undeclared = undeclaredLogicalIds(inputs.protect, options.template.resources);
  if (undeclared.length > 0) {
    const loops = options.template.forEachLoops;
    // A loop's resources get their logical ids only when CloudFormation expands it.
    const declares =
      loops.length > 0
        ? `which the template does not declare outside its Fn::ForEach loops (${loops.join(', ')}); if a loop makes it, it is guarded under that expanded id`
        : `which ${inputs.templateInput} does not declare`;
    log.warning(
      `protect names ${undeclared.join(', ')}, ${declares}. A misspelt logical id (they are case-sensitive) protects nothing; a resource since removed from the template is still guarded against deletion.`,
      'Protected logical id not in the template',
    );
  }
  const unmatched = unmatchedTypes(inputs.protect, options.template.resources);
  if (unmatched.length > 0) {
    // Nested stacks and loops declare resources this template's Resources section does not show.
    const nested = Object.values(options.template.resources).includes('AWS::CloudFormation::Stack');
    const elsewhere =
      nested || options.template.forEachLoops.length > 0
        ? ' (unless a nested stack or a Fn::ForEach loop declares it)'
        : '';
    log.warning(
      `protect names ${unmatched.join(', ')}, which matches no resource type in ${inputs.templateInput}${elsewhere}. Types are matched without regard to case; a misspelt type protects nothing.`,
      'Protected type not in the template',
    );
  }
  if (stackPolicy && !stackPolicy.allowsUpdates) {
    log.warning(
      `${stackPolicy.input} has no Allow statement: once set, CloudFormation refuses every update of stack ${inputs.stackName}. Add {"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"} before the Deny statements unless the stack is meant to be frozen.`,
      'Stack policy allows no updates',
    );
  }
}
