/**
 * The step's outputs: every stack output under its own name (so the next step reads
 * `steps.network.outputs.VpcId`), all of them as JSON, and what this run did.
 */
import * as core from '../../common/src/core.js';
import type { Stack } from '@aws-sdk/client-cloudformation';

export interface RunResult {
  stack?: Stack;
  changed: boolean;
  changeSetId?: string;
}

export function stackOutputs(stack: Stack | undefined): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const output of stack?.Outputs ?? []) {
    if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return outputs;
}

/** The action's own outputs (action.yml), written after the stack's. */
export const BUILT_IN_OUTPUTS = [
  'outputs-json',
  'stack-id',
  'stack-status',
  'changed',
  'change-set-id',
] as const;

export function setOutputs(result: RunResult): Record<string, string> {
  const outputs = stackOutputs(result.stack);
  for (const [key, value] of Object.entries(outputs)) {
    // GitHub reads `steps.<id>.outputs.<name>` without regard to case, so an output `Changed`
    // would be hidden by `changed` (stack output keys are alphanumeric: the hyphenated names
    // cannot collide). Skipped and said, never silently overwritten; outputs-json still has it.
    const builtIn = BUILT_IN_OUTPUTS.find((name) => name.toLowerCase() === key.toLowerCase());
    if (builtIn) {
      core.warning(
        `Stack output ${key} has the name of provision-stack's own output ${builtIn} (output names are read without regard to case), which holds what this run did. Read the stack's value as fromJSON(steps.<id>.outputs.outputs-json).${key}, or rename the output in the template.`,
        { title: 'Stack output hidden by a built-in output' },
      );
      continue;
    }
    core.setOutput(key, value);
  }
  core.setOutput('outputs-json', JSON.stringify(outputs));
  core.setOutput('stack-id', result.stack?.StackId ?? '');
  core.setOutput('stack-status', result.stack?.StackStatus ?? '');
  core.setOutput('changed', String(result.changed));
  core.setOutput('change-set-id', result.changeSetId ?? '');
  return outputs;
}
