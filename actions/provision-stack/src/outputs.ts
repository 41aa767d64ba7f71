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

export function setOutputs(result: RunResult): Record<string, string> {
  const outputs = stackOutputs(result.stack);
  // Stack output keys are alphanumeric, so they never collide with the kebab-case names below.
  for (const [key, value] of Object.entries(outputs)) core.setOutput(key, value);
  core.setOutput('outputs-json', JSON.stringify(outputs));
  core.setOutput('stack-id', result.stack?.StackId ?? '');
  core.setOutput('stack-status', result.stack?.StackStatus ?? '');
  core.setOutput('changed', String(result.changed));
  core.setOutput('change-set-id', result.changeSetId ?? '');
  return outputs;
}
