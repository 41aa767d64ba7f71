/**
 * The job summary of a migration: outcome, the command as run (secrets as ***), the task and its
 * network, how long it took, the exit code, and the last log lines (50 on failure). runMain writes
 * it, on success and failure alike, and adds the failure section below it.
 */
import * as core from '../../common/src/core.js';
import { addFacts, consoleUrl, escapeHtml } from '../../common/src/summary.js';
import { formatDuration } from '../../common/src/format.js';
import type { MigrationPlan } from './prepare.js';
import { hide } from './secrets.js';

export const TAIL_ON_FAILURE = 50;
export const TAIL_ON_SUCCESS = 10;

export interface SummaryFacts {
  plan: MigrationPlan;
  command: string;
  secrets: readonly string[];
  region: string;
  status: string;
  taskArn?: string;
  durationMs?: number;
  exitCode?: number;
  logUrl?: string;
  tail: string[];
  succeeded: boolean;
  /** The revision note of a failure (what the service still runs). */
  revisionNote?: string;
}

export function addMigrationSummary(facts: SummaryFacts): void {
  const { plan } = facts;
  const placement = plan.placement.describe;
  const taskId = facts.taskArn?.slice(facts.taskArn.lastIndexOf('/') + 1);
  core.summary.addHeading(`Database migration: ${escapeHtml(facts.status)}`, 2);
  addFacts({
    Command: facts.command,
    Service: `${plan.service.name} (cluster ${plan.service.clusterName})`,
    'Task definition': `${plan.revision}, container ${plan.container.name}`,
    Task: taskId,
    Subnets: placement.subnets,
    'Security groups': placement.securityGroups,
    'Public IP': placement.publicIp,
    Capacity: placement.capacity,
    Duration: facts.durationMs !== undefined ? formatDuration(facts.durationMs) : undefined,
    'Exit code': facts.exitCode,
  });
  const links: string[] = [];
  if (taskId) {
    const url = consoleUrl(
      facts.region,
      `ecs/v2/clusters/${plan.service.clusterName}/tasks/${taskId}/configuration?region=${facts.region}`,
    );
    links.push(`<a href="${escapeHtml(url)}">task in the ECS console</a>`);
  }
  if (facts.logUrl)
    links.push(`<a href="${escapeHtml(facts.logUrl)}">log stream in CloudWatch</a>`);
  if (links.length > 0) core.summary.addRaw(`<p>${links.join(' · ')}</p>`, true);
  if (facts.revisionNote) core.summary.addRaw(`<p>${escapeHtml(facts.revisionNote)}</p>`, true);
  const tail = facts.tail.slice(-(facts.succeeded ? TAIL_ON_SUCCESS : TAIL_ON_FAILURE));
  if (tail.length > 0) {
    core.summary.addHeading(`Last ${tail.length} log line${tail.length === 1 ? '' : 's'}`, 3);
    // addCodeBlock does not escape: a log line with </code> or <img> would be markup.
    core.summary.addCodeBlock(escapeHtml(hide(tail.join('\n'), facts.secrets)));
  } else if (plan.logProblem) {
    core.summary.addRaw(`<p>No log lines: ${escapeHtml(plan.logProblem)}.</p>`, true);
  }
}
