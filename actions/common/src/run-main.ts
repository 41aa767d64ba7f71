/**
 * The entry point every action shares: read the inputs, give the pipeline its context and one
 * deadline, write the job summary on success and on failure, and report any failure once, as one
 * titled annotation plus a failure section in the summary, and fail the step.
 */
import * as core from './core.js';
import {
  type ActionContext,
  type ActionDefinition,
  type Clock,
  coreLogger,
  coreState,
  createDeadline,
  type Logger,
  systemClock,
} from './context.js';
import { describeError, errorMessage, TimeoutError } from './errors.js';
import { envInputSource, Inputs } from './inputs.js';
import { addFailure, writeSummary } from './summary.js';

/** After the deadline, how long a pipeline may take to notice and fail by itself before we do. */
export const DEADLINE_GRACE_MS = 30_000;

export interface RunMainOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  log?: Logger;
}

export async function runMain<I extends { timeoutMs: number }>(
  action: ActionDefinition<I>,
  options: RunMainOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? coreLogger;
  let inputs: I | undefined;
  try {
    inputs = action.readInputs(
      new Inputs(envInputSource(env), env.GITHUB_WORKSPACE || process.cwd()),
      env,
    );
    const deadline = createDeadline({ clock, budgetMs: inputs.timeoutMs });
    const isPost = coreState.get(POST_MARK) === 'true';
    if (isPost && !action.post) return;
    // Marked before the pipeline starts, so a main step killed half-way still gets its post step.
    if (!isPost && action.post) coreState.save(POST_MARK, 'true');
    const context: ActionContext<I> = {
      action: action.name,
      inputs,
      env,
      clock,
      deadline,
      log,
      state: coreState,
      cancelled: cancellationSignal(),
    };
    const step = isPost && action.post ? action.post(context) : action.run(context);
    await withHardStop(step, {
      ms: inputs.timeoutMs + DEADLINE_GRACE_MS,
      clock,
      what: action.name,
    });
    await writeSummary();
  } catch (error) {
    await reportFailure(error, inputs !== undefined ? action.resource?.(inputs) : undefined);
  }
}

/** How long the main step may take after a cancel to stop what it started. */
export const CANCEL_GRACE_MS = 6_000;

/** The state name that tells the post step (the same bundle, run again) from the main step. */
export const POST_MARK = 'three-tier-deploy-is-post';

/**
 * Aborts on the runner's cancel: SIGINT first, SIGTERM after (then the process is killed). The
 * listeners replace Node's default exit, so the action gets to stop what it started and say so.
 */
function cancellationSignal(): AbortSignal {
  const controller = new AbortController();
  const cancel = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(`The job was cancelled (${signal}).`));
    // The runner sends SIGTERM 7.5 s after SIGINT, then kills: whatever the action does on cancel
    // (one StopTask call) fits in a few seconds, and then the step ends as cancelled.
    setTimeout(() => process.exit(1), CANCEL_GRACE_MS).unref();
  };
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  return controller.signal;
}

/**
 * A pipeline that is stuck past its deadline (a request that never answers, a wait that ignores
 * the deadline) still ends the step as a timeout, never hangs it until the job's own limit.
 */
async function withHardStop<T>(
  work: Promise<T>,
  options: { ms: number; clock: Clock; what: string },
): Promise<T> {
  if (options.clock !== systemClock) return work;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TimeoutError(
            `${options.what} was still running ${Math.round(DEADLINE_GRACE_MS / 1000)} s after its timeout-minutes deadline; stopped.`,
          ),
        ),
      options.ms,
    );
    timer.unref?.();
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
  }
}

async function reportFailure(error: unknown, resource: string | undefined): Promise<void> {
  const report = describeError(error, resource);
  core.error(report.hint ? `${report.message}\nFix: ${report.hint}` : report.message, {
    title: report.title,
  });
  try {
    addFailure(report);
    await writeSummary();
  } catch (summaryError) {
    core.warning(`Could not write the job summary: ${errorMessage(summaryError)}`);
  }
  process.exitCode = 1;
}
