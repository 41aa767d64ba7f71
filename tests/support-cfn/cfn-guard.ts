/**
 * Runs AWS Control Tower's proactive-control rules (shipped with @cdklabs/cdk-validator-cfnguard)
 * through the cfn-guard binary against a template, and sorts every rule into pass, not applicable,
 * suppressed or failed.
 *
 * The Control Tower rule files do not read any suppression metadata themselves (unlike the
 * aws-guard-rules-registry rules), so suppression is applied here, per resource, from
 *   Metadata: { guard: { SuppressedRules: [CT.S3.PR.2], SuppressionReasons: { CT.S3.PR.2: '...' } } }
 * A rule counts as suppressed only when every resource it fails on suppresses it with a reason.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type Template } from './templates.js';

const packageDir = path.join(repoRoot, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');
export const cfnGuardBinary = path.join(packageDir, 'bin', 'ubuntu', 'x86_64', 'cfn-guard');
export const controlTowerRulesDir = path.join(packageDir, 'rules', 'control-tower', 'cfn-guard');

/** The rule folders the issue asks for. */
export const ruleServices = [
  's3',
  'cloudfront',
  'elasticloadbalancing',
  'ecs',
  'ecr',
  'rds',
  'ec2',
];

export type Outcome = 'pass' | 'not-applicable' | 'suppressed' | 'fail';

export interface RuleResult {
  /** Control Tower id, e.g. CT.S3.PR.1 */
  id: string;
  outcome: Outcome;
  /** Logical ids of the resources the rule failed on (empty unless suppressed or fail). */
  resources: string[];
  /** Failing resources that do not suppress the rule. */
  unsuppressed: string[];
}

export interface GuardReport {
  results: RuleResult[];
  counts: Record<Outcome, number>;
}

/** guard rule name (rds_cluster_logging_enabled_check) → Control Tower id (CT.RDS.PR.25). */
export function controlTowerIds(services = ruleServices): Map<string, string> {
  const ids = new Map<string, string>();
  for (const service of services) {
    const dir = path.join(controlTowerRulesDir, service);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.guard'))) {
      const id = file
        .replace(/\.guard$/, '')
        .replace(/^ct-/, 'CT.')
        .toUpperCase()
        .replace(/-/g, '.');
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const match of text.matchAll(/^rule\s+(\w+)\s+when\b/gm))
        ids.set(match[1] as string, id);
    }
  }
  return ids;
}

interface GuardRuleReport {
  Rule?: { name: string };
}

interface GuardFileReport {
  compliant: string[];
  not_applicable: string[];
  not_compliant: GuardRuleReport[];
}

/** Runs cfn-guard on files (a template path or several) and returns its structured JSON reports. */
export function runCfnGuard(dataFiles: string[], services = ruleServices): GuardFileReport[] {
  const args = ['validate', '--output-format', 'json', '--show-summary', 'none', '--structured'];
  for (const file of dataFiles) args.push('--data', file);
  for (const service of services) args.push('--rules', path.join(controlTowerRulesDir, service));
  const run = spawnSync(cfnGuardBinary, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw run.error;
  // Exit 0: all compliant; 19: some rule failed. Anything else is cfn-guard failing to run.
  if (run.status !== 0 && run.status !== 19) {
    throw new Error(`cfn-guard exited ${run.status}: ${run.stderr || run.stdout}`);
  }
  return JSON.parse(run.stdout) as GuardFileReport[];
}

function suppressionsOf(
  template: Template,
  logicalId: string,
): { rules: string[]; reasons: Record<string, string> } {
  const guard = (template.Resources[logicalId]?.Metadata?.guard ?? {}) as {
    SuppressedRules?: string[];
    SuppressionReasons?: Record<string, string>;
  };
  return { rules: guard.SuppressedRules ?? [], reasons: guard.SuppressionReasons ?? {} };
}

/** Sorts one template's cfn-guard report into outcomes, applying the template's suppressions. */
export function evaluate(
  template: Template,
  report: GuardFileReport,
  ids = controlTowerIds(),
): GuardReport {
  const failed = new Map<string, Set<string>>();
  for (const rule of report.not_compliant) {
    const name = rule.Rule?.name;
    if (!name) continue;
    const resources = failed.get(name) ?? new Set<string>();
    for (const match of JSON.stringify(rule).matchAll(/"\/Resources\/([A-Za-z0-9]+)/g))
      resources.add(match[1] as string);
    failed.set(name, resources);
  }
  const results: RuleResult[] = [];
  for (const [name, id] of ids) {
    const failedOn = failed.get(name);
    if (failedOn) {
      const resources = [...failedOn].sort();
      const unsuppressed = resources.filter((logicalId) => {
        const { rules, reasons } = suppressionsOf(template, logicalId);
        return !(
          rules.includes(id) &&
          typeof reasons[id] === 'string' &&
          reasons[id].trim() !== ''
        );
      });
      // A failure that names no resource cannot be suppressed.
      const outcome = resources.length > 0 && unsuppressed.length === 0 ? 'suppressed' : 'fail';
      results.push({
        id,
        outcome,
        resources,
        unsuppressed: resources.length === 0 ? ['(template)'] : unsuppressed,
      });
    } else if (report.compliant.includes(name)) {
      results.push({ id, outcome: 'pass', resources: [], unsuppressed: [] });
    } else {
      results.push({ id, outcome: 'not-applicable', resources: [], unsuppressed: [] });
    }
  }
  const counts: Record<Outcome, number> = { pass: 0, 'not-applicable': 0, suppressed: 0, fail: 0 };
  for (const result of results) counts[result.outcome] += 1;
  return { results, counts };
}

/** Every (resource, rule id, reason) suppression a template declares. */
export function declaredSuppressions(
  template: Template,
): { logicalId: string; id: string; reason: unknown }[] {
  return Object.keys(template.Resources).flatMap((logicalId) => {
    const { rules, reasons } = suppressionsOf(template, logicalId);
    const ids = new Set([...rules, ...Object.keys(reasons)]);
    return [...ids].map((id) => ({
      logicalId,
      id,
      reason: rules.includes(id) ? reasons[id] : undefined,
    }));
  });
}
