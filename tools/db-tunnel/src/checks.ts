/**
 * The shape every preflight check returns, and how a list of them is printed: one line per check,
 * and under each failure the fix in one line. Checks never throw for what they check; a check
 * that could not look (no permission to read IAM, say) says so as `unknown` and does not block.
 */

export type CheckStatus = 'ok' | 'failed' | 'unknown';

export interface CheckResult {
  /** What was checked, in a few words: `session-manager-plugin on PATH`. */
  name: string;
  status: CheckStatus;
  /** What was found: `/usr/local/bin/session-manager-plugin`, `port 3306 is in use`. */
  detail: string;
  /** For a failure (or an unknown): the one thing to do about it. */
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok', failed: 'FAILED', unknown: 'skipped' };

/** `  ok       aws CLI on PATH: /usr/bin/aws` and, for a failure, `           Fix: ...` under it. */
export function formatChecks(results: readonly CheckResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`  ${MARK[result.status].padEnd(8)} ${result.name}: ${result.detail}`);
    if (result.fix && result.status !== 'ok') lines.push(`  ${' '.repeat(8)} Fix: ${result.fix}`);
  }
  return lines;
}

export function failedChecks(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((result) => result.status === 'failed');
}
