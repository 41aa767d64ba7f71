/**
 * Job-summary helpers on top of core.summary: tables from plain strings, console links, and the
 * failure section every action writes the same way.
 */
import * as core from './core.js';
import type { ErrorReport } from './errors.js';
import { consoleOrigin } from './partitions.js';

/** Adds a table with a header row; cells are plain text (escaped by us, since addTable takes HTML). */
export function addTable(headers: string[], rows: string[][]): void {
  core.summary.addTable([
    headers.map((header) => ({ data: escapeHtml(header), header: true })),
    ...rows.map((row) => row.map((cell) => escapeHtml(cell))),
  ]);
}

/** Adds `name: value` pairs as a two-column table, the names as row headers (no header row). */
export function addFacts(facts: Record<string, string | number | undefined>): void {
  const rows = Object.entries(facts)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => [
      { data: escapeHtml(name), header: true },
      { data: escapeHtml(String(value)) },
    ]);
  if (rows.length > 0) core.summary.addTable(rows);
}

export function addFailure(report: ErrorReport): void {
  core.summary.addHeading(`Failed: ${escapeHtml(report.title)}`, 3);
  // addCodeBlock puts its text inside <pre><code> as it is (no escaping, @actions/core
  // lib/summary.js): a file name such as <img src=x onerror=…>.txt in a message would be markup.
  core.summary.addCodeBlock(escapeHtml(report.message));
  if (report.hint) core.summary.addRaw(`<p><b>Fix:</b> ${escapeHtml(report.hint)}</p>`, true);
}

/**
 * The AWS console address for a path, in the given region (console paths differ per service), on
 * the console host of the region's partition (partitions.ts); '' where no public console is known
 * (addFacts leaves such a fact out).
 */
export function consoleUrl(region: string, servicePath: string): string {
  const origin = consoleOrigin(region);
  return origin ? `${origin}/${servicePath.replace(/^\//, '')}` : '';
}

/**
 * Writes the summary to GITHUB_STEP_SUMMARY. Outside a runner (a local run) there is no such
 * file, so the summary goes to the log instead of being lost or failing the step.
 */
export async function writeSummary(): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.write();
  } else {
    core.info(core.summary.stringify());
    core.summary.emptyBuffer();
  }
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] as string,
  );
}
