/**
 * The workflow commands the actions use — log lines, annotations, outputs, masks, step state and
 * the job summary — on @actions/core's own implementation modules rather than its entry point.
 *
 * Why: @actions/core's entry point (lib/core.js) imports its OIDC client, and with it
 * @actions/http-client, undici and tunnel, plus @actions/exec for `platform`: about 480 KB of every
 * bundle (measured with ncc), for getIDToken, which no action here calls (credentials come from
 * aws-actions/configure-aws-credentials). The modules below import nothing but node:os, node:fs
 * and node:crypto. The package exports only its entry point, hence the paths. `summary` is the
 * very instance `@actions/core` re-exports (the same module file), so tests that read
 * `core.summary` from '@actions/core' see what the actions wrote here.
 *
 * Each function does what @actions/core's function of the same name does (runner file commands
 * when the runner gave the file, the `::command::` form otherwise).
 */
import { EOL } from 'node:os';
import { issueCommand } from '../../../node_modules/@actions/core/lib/command.js';
import type { AnnotationProperties } from '../../../node_modules/@actions/core/lib/core.js';
import {
  issueFileCommand,
  prepareKeyValueMessage,
} from '../../../node_modules/@actions/core/lib/file-command.js';
import { summary } from '../../../node_modules/@actions/core/lib/summary.js';
import {
  toCommandProperties,
  toCommandValue,
} from '../../../node_modules/@actions/core/lib/utils.js';

export { summary };
export type { AnnotationProperties };

/** A line in the step's log. */
export function info(message: string): void {
  process.stdout.write(message + EOL);
}

/** A line shown only when the run has step debug logging on. */
export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

/** A warning annotation. */
export function warning(message: string, properties: AnnotationProperties = {}): void {
  issueCommand('warning', toCommandProperties(properties), message);
}

/** An error annotation (does not fail the step by itself). */
export function error(message: string, properties: AnnotationProperties = {}): void {
  issueCommand('error', toCommandProperties(properties), message);
}

/** Masks a value in every later line of the log. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

/** A step output (GITHUB_OUTPUT). */
export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, toCommandValue(value));
}

/** State for this action's post step (GITHUB_STATE); the post step reads it as STATE_<name>. */
export function saveState(name: string, value: unknown): void {
  if (process.env.GITHUB_STATE) {
    issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    return;
  }
  issueCommand('save-state', { name }, toCommandValue(value));
}

/** What the main step saved with saveState, in the post step; '' when nothing was saved. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] || '';
}
