/**
 * The job summary and the log's account of a deploy: what changed in the revision (image before
 * and after, environment keys added, changed or removed — never their values), the deployment and
 * how it ended, and on failure the events, stopped tasks, log tails and target health.
 */
import * as core from '../../common/src/core.js';
import type { ServiceEvent } from '@aws-sdk/client-ecs';
import type { Logger } from '../../common/src/context.js';
import { parseRevisionArn } from '../../common/src/ecs/task-definition.js';
import { textTable } from '../../common/src/format.js';
import { addFacts, addTable, consoleUrl, escapeHtml as escape } from '../../common/src/summary.js';
import type { RevisionDiff } from './derive.js';
import type { FailureReport } from './diagnose.js';

export function serviceConsoleUrl(region: string, cluster: string, service: string): string {
  return consoleUrl(
    region,
    `ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`,
  );
}

export function revisionConsoleUrl(region: string, arn: string): string | undefined {
  const parsed = parseRevisionArn(arn);
  if (!parsed) return undefined;
  return consoleUrl(
    region,
    `ecs/v2/task-definitions/${encodeURIComponent(parsed.family)}/${parsed.revision}/containers?region=${region}`,
  );
}

/** The revision change in the log (a table) and the summary (facts and an environment table). */
export function reportRevision(options: {
  log: Logger;
  heading: string;
  facts: Record<string, string | undefined>;
  diff?: RevisionDiff;
}): void {
  const { log, diff } = options;
  core.summary.addHeading(options.heading, 2);
  addFacts(options.facts);
  if (!diff) return;
  const rows = diff.environment.map((change) => [change.name, change.change, '***']);
  if (diff.imageBefore !== diff.imageAfter) {
    log.info(
      `Image of container ${diff.container}: ${diff.imageBefore ?? '(none)'} -> ${diff.imageAfter ?? '(none)'}`,
    );
  }
  if (rows.length > 0) {
    log.info(
      `Environment of container ${diff.container} (values not shown):\n${textTable(['name', 'change', 'value'], rows)}`,
    );
    core.summary.addHeading(`Environment of container ${diff.container}`, 3);
    addTable(['name', 'change', 'value'], rows);
  }
  if (diff.other.length > 0) {
    log.info(`Also different from the running revision: ${diff.other.join(', ')}`);
    core.summary.addRaw(
      `<p>Also different from the running revision: ${escape(diff.other.join(', '))}</p>`,
      true,
    );
  }
}

export function reportEvents(events: ServiceEvent[]): void {
  if (events.length === 0) return;
  core.summary.addHeading('Service events', 3);
  addTable(
    ['time', 'event'],
    events.map((event) => [event.createdAt?.toISOString() ?? '', event.message ?? '']),
  );
}

export function reportFailureDetails(report: FailureReport, log: Logger): void {
  if (report.stoppedTasks.length > 0) {
    core.summary.addHeading('Stopped tasks of the new revision', 3);
    for (const task of report.stoppedTasks) {
      const lines = [task.explanation.headline, ...task.explanation.lines];
      if (task.explanation.hint) lines.push(`Hint: ${task.explanation.hint}`);
      log.info(`Stopped task ${task.taskId}:\n  ${lines.join('\n  ')}`);
      core.summary.addRaw(
        `<p><b>Task ${escape(task.taskId)}</b>${task.stoppedAt ? ` stopped ${escape(task.stoppedAt.toISOString())}` : ''}</p>`,
        true,
      );
      core.summary.addList(lines.map(escape));
      if (task.logTail && task.logTail.length > 0) {
        log.info(
          `Last ${task.logTail.length} log lines of task ${task.taskId}:\n${task.logTail.join('\n')}`,
        );
        core.summary.addDetails(
          `Last ${task.logTail.length} log lines`,
          `<pre>${escape(task.logTail.join('\n'))}</pre>`,
        );
      }
      if (task.logUrl) core.summary.addLink('Full log', task.logUrl).addBreak();
    }
  }
  if (report.targets.length > 0) {
    const rows = report.targets.map((target) => [
      `${target.id}${target.port !== undefined ? `:${target.port}` : ''}`,
      target.isNew ? 'new' : 'earlier',
      target.state,
      [target.reason, target.description].filter(Boolean).join(': '),
    ]);
    log.info(`Load balancer targets:\n${textTable(['target', 'task', 'state', 'reason'], rows)}`);
    core.summary.addHeading('Load balancer targets', 3);
    addTable(['target', 'task', 'state', 'reason'], rows);
  }
  for (const note of report.notes) log.info(note);
}
