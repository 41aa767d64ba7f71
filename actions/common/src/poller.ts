/**
 * Waiting for AWS: poll at a few seconds, say what changed as it changes, say something at least
 * every 15 s while nothing does, and fail on timeout. A timeout is never reported as success.
 */
import * as core from './core.js';
import type { Clock, Deadline, Logger } from './context.js';
import { TimeoutError } from './errors.js';
import { formatDuration } from './format.js';

export interface PollState<T> {
  /** Done: the wait is over and `value` is its result (success or failure is the caller's to judge). */
  done: boolean;
  /** A short description of where things stand, e.g. `UPDATE_IN_PROGRESS (3 of 7 resources done)`. */
  state: string;
  value?: T;
}

export interface PollOptions<T> {
  /** What is awaited, in the user's words: `stack app-prod to finish updating`. */
  what: string;
  /** One look at the resource. `report` prints a line of news (an event), which counts as progress. */
  check: (report: (line: string) => void) => Promise<PollState<T>>;
  intervalMs: number;
  timeoutMs: number;
  /** The longest silence allowed before a line is printed anyway. */
  quietMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const DEFAULT_QUIET_MS = 15_000;

/** What a wait needs from the action's context (an ActionContext is one). */
export interface WaitContext {
  deadline: Deadline;
  clock: Clock;
  log: Logger;
}

/**
 * A poll's timing drawn from the step's one deadline: what is left of it now, the context's
 * clock and log. Spread it into `poll({ ...untilDeadline(context), what, check, intervalMs })`
 * at the start of each wait, so successive waits share one budget instead of each having its own.
 */
export function untilDeadline(
  context: WaitContext,
): Required<Pick<PollOptions<unknown>, 'timeoutMs' | 'sleep' | 'now' | 'log'>> {
  return {
    timeoutMs: context.deadline.remainingMs(),
    sleep: (ms) => context.clock.sleep(ms),
    now: () => context.clock.now(),
    log: (line) => context.log.info(line),
  };
}

export async function poll<T>(options: PollOptions<T>): Promise<T> {
  const log = options.log ?? ((line: string) => core.info(line));
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const quietMs = Math.min(options.quietMs ?? DEFAULT_QUIET_MS, DEFAULT_QUIET_MS);
  const started = now();
  const deadline = started + options.timeoutMs;
  let lastLine = started;
  let lastState: string | undefined;
  let stateSince = started;
  const report = (line: string): void => {
    log(line);
    lastLine = now();
  };

  for (;;) {
    const result = await options.check(report);
    const at = now();
    if (result.done) return result.value as T;
    if (result.state !== lastState) {
      report(`${options.what}: ${result.state}`);
      lastState = result.state;
      stateSince = at;
    } else if (at - lastLine >= quietMs) {
      report(
        `${options.what}: ${result.state} for ${formatDuration(at - stateSince)}, ` +
          `${formatDuration(Math.max(0, deadline - at))} left before the timeout`,
      );
    }
    if (at >= deadline) {
      throw new TimeoutError(
        `Gave up waiting for ${options.what} after ${formatDuration(at - started)}; last state: ${result.state}.`,
      );
    }
    // Never sleep past the deadline or past the next due progress line.
    await sleep(Math.max(0, Math.min(options.intervalMs, deadline - at, lastLine + quietMs - at)));
  }
}
