/**
 * The action context of actions/common/src/context.ts for in-process tests: a fake clock whose
 * sleep advances time at once (a 15-minute wait takes no real time), a logger that keeps its lines,
 * and the deadline drawn from that clock.
 */
import {
  type ActionContext,
  type Clock,
  createDeadline,
  type Logger,
  type StepState,
} from '../actions/common/src/context.js';

export interface FakeClock extends Clock {
  /** Every sleep asked for, in order (what a poll loop waited between looks). */
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface RecordingLogger extends Logger {
  readonly lines: string[];
  readonly warnings: { line: string; title?: string }[];
}

/**
 * Keeps every line; with `forward` (e.g. common's `coreLogger`) also passes each one on, for tests
 * that read the step's real output (`::warning title=…::` lines) the way the runner shows it.
 */
export function recordingLogger(forward?: Logger): RecordingLogger {
  const lines: string[] = [];
  const warnings: { line: string; title?: string }[] = [];
  return {
    lines,
    warnings,
    info: (line) => {
      lines.push(line);
      forward?.info(line);
    },
    warning: (line, title) => {
      warnings.push({ line, title });
      lines.push(`warning: ${line}`);
      forward?.warning(line, title);
    },
    debug: (line) => forward?.debug(line),
  };
}

export interface TestContext<I> extends ActionContext<I> {
  readonly clock: FakeClock;
  readonly log: RecordingLogger;
  readonly state: StepState & { readonly saved: Map<string, string> };
  /** Cancels the job, as the runner's SIGINT would. */
  cancel(): void;
}

function memoryState(saved = new Map<string, string>()): TestContext<unknown>['state'] {
  return {
    saved,
    save: (name, value) => void saved.set(name, value),
    get: (name) => saved.get(name) ?? '',
  };
}

/** A context for `run(context)`: the inputs as the action's reader would return them. */
export function testContext<I extends { timeoutMs: number }>(
  inputs: I,
  options: {
    action?: string;
    env?: NodeJS.ProcessEnv;
    clock?: FakeClock;
    /** State saved by an earlier (main) step, for testing a post step. */
    state?: Map<string, string>;
    /** Where the recorded lines also go (e.g. `coreLogger`, to read the step's real output). */
    log?: Logger;
  } = {},
): TestContext<I> {
  const clock = options.clock ?? fakeClock();
  const cancellation = new AbortController();
  return {
    state: memoryState(options.state),
    cancelled: cancellation.signal,
    cancel: () => cancellation.abort(new Error('The job was cancelled.')),
    action: options.action ?? 'test-action',
    inputs,
    env: options.env ?? {},
    clock,
    deadline: createDeadline({ clock, budgetMs: inputs.timeoutMs }),
    log: recordingLogger(options.log),
  };
}
