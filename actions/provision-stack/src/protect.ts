/**
 * Which changes of a change set would replace or delete a protected resource. Pure. A resource is
 * protected when its type or its logical id is in `protect`, unless its type or logical id is in
 * `allow-replacement`. Replacement `Conditional` counts: CloudFormation only knows at execution
 * time whether it replaces, and a database is not something to find out about afterwards.
 */
import type { Change } from '@aws-sdk/client-cloudformation';

export interface ProtectionRisk {
  logicalId: string;
  type: string;
  /** `delete`, `replace`, or `may replace` (Replacement: Conditional, or Action: Dynamic). */
  what: 'delete' | 'replace' | 'may replace';
  /** Why it is protected: the matching entry of `protect`. */
  protectedBy: string;
}

export interface ProtectOptions {
  changes: Change[];
  protect: readonly string[];
  allowReplacement: readonly string[];
}

export function protectionRisks(options: ProtectOptions): ProtectionRisk[] {
  const risks: ProtectionRisk[] = [];
  for (const change of options.changes) {
    const resource = change.ResourceChange;
    if (!resource?.LogicalResourceId) continue;
    const logicalId = resource.LogicalResourceId;
    const type = resource.ResourceType ?? '';
    const what = riskOf(resource.Action, resource.Replacement);
    if (!what) continue;
    const protectedBy = options.protect.find((entry) => entry === type || entry === logicalId);
    if (!protectedBy) continue;
    if (options.allowReplacement.some((entry) => entry === type || entry === logicalId)) continue;
    risks.push({ logicalId, type, what, protectedBy });
  }
  return risks;
}

function riskOf(action?: string, replacement?: string): ProtectionRisk['what'] | undefined {
  if (action === 'Remove') return 'delete';
  // Dynamic: "exact action for the resource can't be determined" (API_ResourceChange) until the
  // change set executes, which may be a replacement.
  if (action === 'Dynamic') return 'may replace';
  if (action !== 'Modify') return undefined;
  if (replacement === 'True') return 'replace';
  if (replacement === 'Conditional') return 'may replace';
  return undefined;
}

/**
 * Logical ids in `protect` that the template does not declare. A misspelt id protects nothing,
 * silently; a resource removed from the template is still named on purpose (its deletion is what
 * gets blocked), so this is worth a warning, not an error.
 */
export function undeclaredLogicalIds(
  protect: readonly string[],
  resources: Record<string, string>,
): string[] {
  // Types contain `::`; the default list names types a template need not have.
  return protect.filter((entry) => !entry.includes('::') && !Object.hasOwn(resources, entry));
}

export function describeRisks(risks: ProtectionRisk[]): string {
  return risks
    .map(
      (risk) =>
        `${risk.logicalId} (${risk.type}) would ${risk.what === 'may replace' ? 'possibly be replaced' : risk.what === 'delete' ? 'be deleted' : 'be replaced'}`,
    )
    .join('; ');
}
