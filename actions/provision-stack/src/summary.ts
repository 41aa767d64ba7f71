/**
 * What the job summary and the log say about a stack: the change set as a table, the failures
 * root cause first, the outputs. Built on the shared summary helpers.
 */
import * as core from '../../common/src/core.js';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { textTable } from '../../common/src/format.js';
import { addFacts, addTable, consoleUrl, escapeHtml } from '../../common/src/summary.js';
import { failureResource, type ValidationFailure } from './early-validation.js';
import type { ProtectionRisk } from './protect.js';
import { changePath, type StackChange } from './stack-changes.js';

export const CHANGE_HEADERS = ['Action', 'Logical ID', 'Type', 'Replacement', 'Scope'];

const REPLACEMENT_WORDS: Record<string, string> = {
  True: 'yes',
  False: 'no',
  Conditional: 'conditional',
};

/**
 * One row per resource change, nested stacks' under their path (`Network/Db`): the replacement
 * column says yes, no or conditional for a modification, and "possibly (dynamic)" for a change
 * whose action CloudFormation only knows when it executes.
 */
export function changeRows(changes: StackChange[]): string[][] {
  return changes
    .filter((stackChange) => stackChange.change.ResourceChange)
    .map((stackChange) => {
      const resource = stackChange.change.ResourceChange ?? {};
      const replacement =
        resource.Action === 'Modify'
          ? (REPLACEMENT_WORDS[resource.Replacement ?? ''] ?? '-')
          : resource.Action === 'Dynamic'
            ? 'possibly (dynamic)'
            : '-';
      const scope = stackChange.removedWith
        ? `with nested stack ${stackChange.removedWith}`
        : (resource.Scope ?? []).join(', ') || '-';
      return [
        resource.Action ?? '',
        changePath(stackChange),
        resource.ResourceType ?? '',
        replacement,
        scope,
      ];
    });
}

export function stackConsoleUrl(region: string, stackId: string): string {
  return consoleUrl(
    region,
    `cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stackId)}`,
  );
}

export interface HeaderOptions {
  stackName: string;
  region: string;
  mode: 'deploy' | 'preview';
  changeSetName?: string;
  kept: string[];
}

export function addHeader(options: HeaderOptions): void {
  core.summary.addHeading(`provision-stack: ${escapeHtml(options.stackName)}`, 2);
  addFacts({
    Region: options.region,
    Mode: options.mode,
    'Change set': options.changeSetName,
    'Kept at deployed value': options.kept.join(', '),
  });
}

export function reportChanges(changes: StackChange[], forEachLoops: string[] = []): void {
  const rows = changeRows(changes);
  core.summary.addHeading('Changes', 3);
  if (forEachLoops.length > 0) {
    // CloudFormation expands AWS::LanguageExtensions before it computes the change set.
    const note = `Resources made by the Fn::ForEach loops (${forEachLoops.join(', ')}) are listed under their expanded logical ids.`;
    core.summary.addRaw(`<p>${escapeHtml(note)}</p>`, true);
    core.info(note);
  }
  if (rows.length === 0) {
    // A change set can be non-empty while listing no resource changes (parameter-only updates).
    core.summary.addRaw(
      '<p>The change set lists no resource changes (only parameters, outputs or tags change).</p>',
      true,
    );
    core.info(
      'The change set lists no resource changes (only parameters, outputs or tags change).',
    );
    return;
  }
  addTable(CHANGE_HEADERS, rows);
  core.info(`Change set:\n${textTable(CHANGE_HEADERS, rows)}`);
}

export function reportNoChanges(
  stackName: string,
  how: 'change set' | 'fast' = 'change set',
): void {
  // The fast path knows it from read calls: say so, and what "already matches" covered.
  const matches =
    how === 'fast'
      ? 'already has this template (byte for byte), these parameters, tags, capabilities and role; no change set was needed (fast-no-op)'
      : 'already matches the template and parameters';
  core.summary.addRaw(
    `<p><b>No changes</b>: stack ${escapeHtml(stackName)} ${escapeHtml(matches)}.</p>`,
    true,
  );
  core.info(`No changes: stack ${stackName} ${matches}.`);
}

export function reportRisks(risks: ProtectionRisk[], blocked: boolean): void {
  core.summary.addHeading(
    blocked ? 'Blocked: protected resources' : 'Protected resources at risk',
    3,
  );
  addTable(
    ['Logical ID', 'Type', 'Would', 'Protected by'],
    risks.map((risk) => [risk.logicalId, risk.type, risk.what, risk.protectedBy]),
  );
}

export function reportFailures(failures: StackEvent[], rootStackName: string): void {
  if (failures.length === 0) return;
  core.summary.addHeading('Failed resources (root cause first)', 3);
  addTable(
    ['Logical ID', 'Type', 'Status', 'Reason'],
    failures.map((event) => [
      // Resources of nested stacks are named with their stack, as in the console.
      event.StackName && event.StackName !== rootStackName
        ? `${event.StackName}/${event.LogicalResourceId ?? ''}`
        : (event.LogicalResourceId ?? ''),
      event.ResourceType ?? '',
      // A hook's verdict is on its own event: its status and reason say why, with the hook named.
      event.HookType && event.HookStatus
        ? `${event.HookStatus} (hook ${event.HookType})`
        : (event.ResourceStatus ?? ''),
      (event.HookType && event.HookStatusReason) || (event.ResourceStatusReason ?? ''),
    ]),
  );
}

/** The checks a failed change set did not pass (early validation, hooks), one row each. */
export function reportValidationFailures(failures: ValidationFailure[]): void {
  if (failures.length === 0) return;
  core.summary.addHeading('Failed checks of the change set', 3);
  addTable(
    ['Resource', 'Check', 'Path', 'Reason'],
    failures.map((failure) => [
      failureResource(failure),
      failure.warning ? `${failure.check} (warning only)` : failure.check,
      failure.path || '-',
      failure.reason,
    ]),
  );
}

export function reportOutcome(
  facts: Record<string, string | undefined>,
  outputs: Record<string, string>,
): void {
  core.summary.addHeading('Result', 3);
  addFacts(facts);
  if (Object.keys(outputs).length > 0) {
    core.summary.addHeading('Outputs', 3);
    addTable(['Output', 'Value'], Object.entries(outputs));
  }
}
