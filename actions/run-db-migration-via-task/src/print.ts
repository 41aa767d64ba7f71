/**
 * The container's log lines, printed into the step's log as they are. A line a migration prints
 * that starts with `::` would otherwise be a workflow command to the runner (`::add-mask::`,
 * `::save-state::` into this action's own post step, `::stop-commands::`): a batch holding one is
 * fenced with stop-commands, so the runner shows it and does not obey it.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands
 */
import { randomUUID } from 'node:crypto';
import type { OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { Logger } from '../../common/src/context.js';

const COMMAND_LIKE = /^\s*::/m;

export function printLogEvents(log: Logger, events: readonly OutputLogEvent[]): void {
  const messages = events.map((event) => (event.message ?? '').replace(/\r?\n$/, ''));
  if (!messages.some((message) => COMMAND_LIKE.test(message))) {
    for (const message of messages) log.info(message);
    return;
  }
  const fence = randomUUID().replace(/-/g, '');
  log.info(`::stop-commands::${fence}`);
  for (const message of messages) log.info(message);
  log.info(`::${fence}::`);
}
