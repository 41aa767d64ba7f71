/**
 * Which changes of a change set would replace or delete a protected resource. Pure. A resource is
 * protected when its type or its logical id is in `protect`, unless its type or logical id is in
 * `allow-replacement`. Types match without regard to case (`aws::s3::bucket` is AWS::S3::Bucket:
 * a protection that silently matched nothing is the worst outcome); logical ids are
 * case-sensitive, as in CloudFormation. Replacement `Conditional` counts: CloudFormation only knows at execution
 * time whether it replaces, and a database is not something to find out about afterwards.
 */
import type { Change } from '@aws-sdk/client-cloudformation';
import { DEFAULT_PROTECT } from './inputs.js';

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
    const names = (entry: string) => entry === logicalId || sameType(entry, type);
    const protectedBy = options.protect.find(names);
    if (!protectedBy) continue;
    if (options.allowReplacement.some(names)) continue;
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

/**
 * Entries of `protect` that look like a resource type (`::`) but match no type the template
 * declares, in any case: most likely a misspelt type (`AWS::S3::Bukcet`), which protects nothing.
 * The default list's types are left out: a template need not have them.
 */
export function unmatchedTypes(
  protect: readonly string[],
  resources: Record<string, string>,
): string[] {
  const types = Object.values(resources);
  return protect.filter(
    (entry) =>
      entry.includes('::') &&
      !DEFAULT_PROTECT.some((type) => sameType(entry, type)) &&
      !types.some((type) => sameType(entry, type)),
  );
}

function sameType(entry: string, type: string): boolean {
  return entry.includes('::') && entry.toLowerCase() === type.toLowerCase();
}

export function describeRisks(risks: ProtectionRisk[]): string {
  return risks
    .map(
      (risk) =>
        `${risk.logicalId} (${risk.type}) would ${risk.what === 'may replace' ? 'possibly be replaced' : risk.what === 'delete' ? 'be deleted' : 'be replaced'}`,
    )
    .join('; ');
}
