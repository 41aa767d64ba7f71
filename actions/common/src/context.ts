/**
 * The one contract every action keeps: `run(context)` receives its typed inputs, the environment,
 * a clock, the step's overall deadline and a logger, and nothing else from the process. Tests build
 * the same object with a fake clock (test-support/action-context.ts) and call `run` in-process.
 */
import * as core from './core.js';
import { TimeoutError } from './errors.js';
import type { Inputs } from './inputs.js';

/** Time as the action sees it: real in a step, fake in tests (sleeping advances it at once). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Where the action's lines go: the step's log on a runner, a list in tests. */
export interface Logger {
  info(line: string): void;
  /** A warning annotation; `title` shows in the run's annotation list. */
  warning(line: string, title?: string): void;
  debug(line: string): void;
}

/**
 * The step's overall budget, from the action's `timeout-minutes` input. Every wait draws on this
 * one deadline, so no action can wait longer than its timeout in total, whatever it waits for.
 */
export interface Deadline {
  /** The instant (clock milliseconds) the step must be done by. */
  readonly at: number;
  /** The whole budget the step was given, for messages ("after 15m"). */
  readonly budgetMs: number;
  remainingMs(): number;
  expired(): boolean;
  /** Aborts when the deadline passes: hand it to SDK calls (`abortSignal`) and long local work. */
  readonly signal: AbortSignal;
}

/**
 * State the main step hands to its post step (action.yml `post:`), through the runner's
 * GITHUB_STATE file on a runner, a map in tests. Values are strings; the post step reads them back.
 */
export interface StepState {
  save(name: string, value: string): void;
  get(name: string): string;
}

export interface ActionContext<I> {
  /** The action's name, e.g. `provision-stack` (user agent, messages). */
  readonly action: string;
  readonly inputs: I;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly deadline: Deadline;
  readonly log: Logger;
  readonly state: StepState;
  /**
   * Aborts when the runner cancels the job (SIGINT, then SIGTERM, to the main step). An action
   * that started something outliving it (a task) stops it here, and again in its post step.
   */
  readonly cancelled: AbortSignal;
}

/** What an action hands to `runMain`: how to read its inputs, and its pipeline. */
export interface ActionDefinition<I extends { timeoutMs: number }> {
  name: string;
  /** Reads and checks every input; no AWS call may happen here. */
  readInputs(inputs: Inputs, env: NodeJS.ProcessEnv): I;
  /**
   * What the action works on, named in AWS errors whose own message names nothing
   * (`stack app-prod`, `s3://site/`). Computed from the inputs, never set by mutation.
   */
  resource?(inputs: I): string;
  run(context: ActionContext<I>): Promise<void>;
  /**
   * The post step (action.yml `post: dist/index.js`, the same bundle run again; `runMain` tells
   * the two apart by the state it saved). Undoes what a cancelled main step left running; reads
   * what the main step saved in `context.state`. Absent: the action has no post step.
   */
  post?(context: ActionContext<I>): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export const coreLogger: Logger = {
  info: (line) => core.info(line),
  warning: (line, title) => core.warning(line, title ? { title } : {}),
  debug: (line) => core.debug(line),
};

/**
 * A deadline `budgetMs` from now on `clock`. The abort signal is driven by a real timer for the
 * real clock; with a fake clock it aborts when `expired()` is first asked after the deadline.
 */
export const coreState: StepState = {
  save: (name, value) => core.saveState(name, value),
  get: (name) => core.getState(name),
};

export function createDeadline(options: { clock: Clock; budgetMs: number }): Deadline {
  const { clock, budgetMs } = options;
  const at = clock.now() + budgetMs;
  const controller = new AbortController();
  const abort = (): void => {
    if (!controller.signal.aborted) controller.abort(new DeadlineExceeded(budgetMs));
  };
  if (clock === systemClock) {
    // unref: a pending deadline must not keep a finished step's process alive.
    const timer = setTimeout(abort, Math.max(0, budgetMs));
    timer.unref?.();
  }
  const deadline: Deadline = {
    at,
    budgetMs,
    remainingMs: () => Math.max(0, at - clock.now()),
    expired: () => {
      const over = clock.now() >= at;
      if (over) abort();
      return over;
    },
    signal: controller.signal,
  };
  return deadline;
}

/** The reason a deadline's signal carries: a timeout, so it is reported as one. */
export class DeadlineExceeded extends TimeoutError {
  constructor(readonly budgetMs: number) {
    super(`The step ran out of its timeout-minutes budget (${formatBudget(budgetMs)}).`);
    this.name = 'DeadlineExceeded';
  }
}

function formatBudget(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}` : `${s}s`;
}
