/**
 * Runs a bundled action exactly as the GitHub Actions runner does (see action-runner.mjs, which
 * the demo and the benchmarks share): `runAction(name, inputs, { env, cwd })` returns the exit
 * code, step outputs, job summary, log lines and parsed `::error::` annotations. Inputs the test
 * does not pass get their action.yml `default:`, as on a runner; `{ post: { state } }` runs the
 * post step with the main step's saved state; `cancelWhen` cancels the job as the runner does.
 */
export {
  actionMetadata,
  CANCEL_KILL_AFTER_MS,
  CANCEL_SIGTERM_AFTER_MS,
  inputsWithDefaults,
  inputVariable,
  parseAnnotation,
  parseFileCommand,
  REPO_ROOT,
  runAction,
} from './action-runner.mjs';
export type { ActionResult, Annotation, RunOptions } from './action-runner.mjs';
