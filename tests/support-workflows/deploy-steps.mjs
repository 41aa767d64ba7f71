// The toolkit's steps of .github/workflows/deploy.yml, in the order the workflow runs them, with
// their inputs as written there: the one list the local demo (`npm run demo`) and the workflow
// share, so that the demo runs the same actions with the same inputs. Plain JavaScript so that the
// demo imports it without a build; tests/static/workflows.test.ts checks it against deploy.yml.
//
//   import { deploySteps, localPath } from '../tests/support-workflows/deploy-steps.mjs';
//   import { evaluateText } from '../tests/support-workflows/expressions.mjs';
//   for (const step of deploySteps()) {
//     const inputs = Object.fromEntries(Object.entries(step.with).map(
//       ([name, value]) => [name, localPath(evaluateText(value, lookup))]));
//     await runAction(step.action, inputs);   // lookup resolves inputs.*, steps.*.outputs.*, ...
//   }
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKFLOWS_DIR = path.join(REPO_ROOT, '.github', 'workflows');
export const DEPLOY_WORKFLOW = path.join(WORKFLOWS_DIR, 'deploy.yml');

/**
 * Where deploy.yml checks out the toolkit at the version of deploy.yml itself (docs/VERSIONING.md):
 * its actions run as `uses: ./.three-tier-deploy/actions/<name>` and its templates are read from
 * `.three-tier-deploy/cloudformation/`. In this repository that checkout is the repository itself.
 */
export const TOOLKIT_PATH = '.three-tier-deploy';

/**
 * @typedef {{
 *   name?: string, id?: string, uses?: string, run?: string, if?: string, shell?: string,
 *   with?: Record<string, unknown>, env?: Record<string, unknown>,
 *   'working-directory'?: string, 'timeout-minutes'?: number | string,
 * }} WorkflowStep
 * @typedef {{
 *   name?: string, needs?: string | string[], uses?: string, 'runs-on'?: unknown,
 *   'timeout-minutes'?: number | string, permissions?: Record<string, string> | string,
 *   environment?: string | { name: string, url?: string }, env?: Record<string, unknown>,
 *   outputs?: Record<string, string>, concurrency?: unknown, if?: string,
 *   with?: Record<string, unknown>, secrets?: unknown, steps?: WorkflowStep[],
 * }} WorkflowJob
 * @typedef {{
 *   name?: string, on?: Record<string, any>, permissions?: Record<string, string> | string,
 *   concurrency?: unknown, env?: Record<string, unknown>, jobs: Record<string, WorkflowJob>,
 * }} Workflow
 * @typedef {{
 *   job: string,
 *   index: number,
 *   id: string,
 *   name: string,
 *   action: string,
 *   uses: string,
 *   if?: string,
 *   with: Record<string, string>,
 * }} ToolkitStep
 */

/** Reads a workflow file. */
export function readWorkflow(/** @type {string} */ file) {
  return /** @type {Workflow} */ (parse(readFileSync(file, 'utf8')));
}

/**
 * The toolkit action a `uses:` runs, when it is one: `./actions/<name>` (this repository's own
 * workflows) or `./.three-tier-deploy/actions/<name>` (deploy.yml's checkout of the toolkit).
 */
export function toolkitActionOf(/** @type {string | undefined} */ uses) {
  if (!uses) return undefined;
  const match = /^\.\/(?:\.three-tier-deploy\/)?actions\/([a-z0-9-]+)\/?$/.exec(uses);
  return match?.[1];
}

/** The jobs of a workflow in an order that runs each job after the jobs it needs. */
export function jobsInOrder(/** @type {Workflow} */ workflow) {
  const names = Object.keys(workflow.jobs ?? {});
  /** @type {string[]} */
  const ordered = [];
  const visit = (/** @type {string} */ name, /** @type {string[]} */ trail) => {
    if (ordered.includes(name)) return;
    if (trail.includes(name))
      throw new Error(`Jobs need each other: ${[...trail, name].join(' → ')}`);
    for (const need of needsOf(workflow.jobs[name])) visit(need, [...trail, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/** The jobs a job needs, as a list. */
export function needsOf(/** @type {WorkflowJob | undefined} */ job) {
  const needs = job?.needs;
  if (needs === undefined) return [];
  return Array.isArray(needs) ? needs : [needs];
}

/**
 * The toolkit's steps of a workflow (deploy.yml unless told otherwise), in run order: job by job
 * after what each needs, step by step. Inputs are the strings written in `with:`, expressions
 * included; `index` is the step's position in its job.
 */
export function deploySteps(/** @type {string} */ file = DEPLOY_WORKFLOW) {
  const workflow = readWorkflow(file);
  /** @type {ToolkitStep[]} */
  const steps = [];
  for (const job of jobsInOrder(workflow)) {
    for (const [index, step] of (workflow.jobs[job]?.steps ?? []).entries()) {
      const action = toolkitActionOf(step.uses);
      if (!action || !step.uses) continue;
      if (!step.id)
        throw new Error(`${path.basename(file)}: job ${job}, step ${index} (${action}) has no id.`);
      steps.push({
        job,
        index,
        id: step.id,
        name: step.name ?? step.id,
        action,
        uses: step.uses,
        ...(step.if !== undefined ? { if: String(step.if) } : {}),
        with: Object.fromEntries(
          Object.entries(step.with ?? {}).map(([key, value]) => [key, String(value)]),
        ),
      });
    }
  }
  return steps;
}

/**
 * The inputs a reusable workflow declares (`on.workflow_call.inputs`), each with its default as
 * a string ('' when it has none), so that `inputs.*` can be resolved as GitHub would.
 */
export function workflowInputs(/** @type {string} */ file = DEPLOY_WORKFLOW) {
  const declared = readWorkflow(file).on?.workflow_call?.inputs ?? {};
  return Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => [
      name,
      {
        required: spec?.required === true,
        default: spec?.default === undefined ? '' : String(spec.default),
        description: String(spec?.description ?? ''),
      },
    ]),
  );
}

/**
 * A path as deploy.yml writes it, for a run from this repository's root, where the toolkit's
 * checkout is the repository itself: `.three-tier-deploy/cloudformation/app.yaml` →
 * `cloudformation/app.yaml`. Other values are returned unchanged.
 */
export function localPath(/** @type {string} */ value) {
  return value.startsWith(`${TOOLKIT_PATH}/`) ? value.slice(TOOLKIT_PATH.length + 1) : value;
}
