/**
 * Runs a bundled action exactly as the GitHub Actions runner does (see action-runner.mjs, which
 * the demo and the benchmarks share): `runAction(name, inputs, { env, cwd })` returns the exit
 * code, step outputs, job summary, log lines and parsed `::error::` annotations.
 */
export {
  inputVariable,
  parseAnnotation,
  parseFileCommand,
  REPO_ROOT,
  runAction,
} from './action-runner.mjs';
export type { ActionResult, Annotation, RunOptions } from './action-runner.mjs';
