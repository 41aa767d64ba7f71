// Runs one job of a workflow on this machine, as far as that can be done without GitHub: `run:`
// steps with bash (run-script.mjs), this repository's actions (`uses: ./actions/<name>` or
// `./.three-tier-deploy/actions/<name>`) as their committed bundles through the runner emulation
// (test-support/action-runner.mjs), `if:` conditions and `${{ }}` expressions evaluated
// (expressions.mjs). Third-party actions cannot run here: they are skipped, and said.
//
// It exists to try ci.yml's actions-on-the-runner job before pushing it:
//   node tests/support-workflows/run-job.mjs .github/workflows/ci.yml actions-on-the-runner
// starts a local moto in place of the job's own "Start the local AWS" step (id: moto) and points
// the job's AWS_ENDPOINT_URL at it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../../test-support/action-runner.mjs';
import { readWorkflow, REPO_ROOT, toolkitActionOf } from './deploy-steps.mjs';
import { conditionHolds, evaluateText } from './expressions.mjs';
import { runScript } from './run-script.mjs';

/**
 * @typedef {{ outcome: string, conclusion: string, outputs: Record<string, string> }} StepState
 * @typedef {{
 *   file: string,
 *   job: string,
 *   env?: Record<string, string>,
 *   skip?: string[],
 *   cwd?: string,
 *   log?: (line: string) => void,
 * }} RunJobOptions
 */

/** @param {RunJobOptions} options */
export async function runJob(options) {
  const log = options.log ?? console.log;
  const cwd = options.cwd ?? REPO_ROOT;
  const workflow = readWorkflow(options.file);
  const job = workflow.jobs[options.job];
  if (!job) throw new Error(`${options.file} has no job ${options.job}`);
  const temp = mkdtempSync(path.join(tmpdir(), 'run-job-'));
  /** @type {Record<string, StepState>} */
  const steps = {};
  let failed = false;
  const contexts = {
    github: {
      workspace: cwd,
      repository: 'example/three-tier-deploy',
      run_id: '1',
      run_attempt: '1',
    },
    runner: { temp, os: 'Linux' },
    steps,
    vars: {},
    inputs: {},
  };
  const status = {
    success: () => !failed,
    failure: () => failed,
    always: () => true,
    cancelled: () => false,
  };
  /** @param {Record<string, unknown>} env */
  const lookupWith = (env) => (/** @type {string[]} */ at) => {
    /** @type {unknown} */
    let value = { ...contexts, env };
    for (const key of at)
      value = value && typeof value === 'object' ? /** @type {any} */ (value)[key] : undefined;
    return /** @type {any} */ (value);
  };
  /** @param {Record<string, unknown> | undefined} values @param {Record<string, unknown>} env */
  const evaluateAll = (values, env) =>
    Object.fromEntries(
      Object.entries(values ?? {}).map(([key, value]) => [
        key,
        evaluateText(String(value), lookupWith(env), status),
      ]),
    );

  const jobEnv = { ...evaluateAll(job.env, {}), ...options.env };
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key, value]) =>
        value !== undefined && !key.startsWith('GITHUB_') && !key.startsWith('INPUT_'),
    ),
  );
  try {
    for (const [index, step] of (job.steps ?? []).entries()) {
      const id = step.id ?? `__step${index}`;
      const title = step.name ?? step.id ?? step.uses ?? `step ${index}`;
      const record = (/** @type {string} */ outcome, outputs = {}) => {
        steps[id] = { outcome, conclusion: outcome, outputs };
      };
      if (options.skip?.includes(id)) {
        log(`── ${title}: replaced by the caller`);
        record('success');
        continue;
      }
      const condition = step.if === undefined ? 'success()' : String(step.if);
      if (!conditionHolds(condition, lookupWith(jobEnv), status)) {
        log(`── ${title}: skipped (if: ${condition})`);
        record('skipped');
        continue;
      }
      const env = { ...jobEnv, ...evaluateAll(step.env, jobEnv) };
      const action = toolkitActionOf(step.uses);
      /** @type {{ exitCode: number, outputs: Record<string, string>, lines?: string[], stdout?: string, stderr: string }} */
      let result;
      log(`── ${title}`);
      if (step.run !== undefined) {
        const workingDirectory = path.resolve(cwd, String(step['working-directory'] ?? '.'));
        result = await runScript({
          script: step.run,
          env: /** @type {Record<string, string>} */ ({ ...inherited, ...env }),
          cwd: workingDirectory,
        });
        for (const line of result.stdout?.split('\n') ?? []) if (line) log(`   │ ${line}`);
      } else if (action) {
        const inputs = evaluateAll(step.with, env);
        result = await runAction(action, inputs, {
          env: /** @type {Record<string, string>} */ (env),
          cwd,
          timeoutMs: 600_000,
        });
        for (const line of result.lines ?? []) log(`   │ ${line}`);
      } else {
        log(`   (${step.uses} is not run here)`);
        record('skipped');
        continue;
      }
      if (result.exitCode !== 0) {
        if (result.stderr) log(`   stderr: ${result.stderr.trim()}`);
        log(`   ✗ exit code ${result.exitCode}`);
        record('failure', result.outputs);
        failed = true;
      } else {
        record('success', result.outputs);
      }
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return { ok: !failed, steps };
}

// Command line: node run-job.mjs <workflow file> <job> (a local moto replaces the step "moto").
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, job] = process.argv.slice(2);
  if (!file || !job) {
    console.error('usage: node tests/support-workflows/run-job.mjs <workflow file> <job>');
    process.exit(2);
  }
  const { startMoto } = await import('../../test-support/moto-server.mjs');
  // As ci.yml's own step starts it: every service reports one running task.
  process.env.MOTO_ECS_SERVICE_RUNNING = '1';
  const moto = await startMoto();
  try {
    const result = await runJob({
      file: path.resolve(file),
      job,
      skip: ['moto'],
      env: { AWS_ENDPOINT_URL: moto.url },
    });
    console.log(result.ok ? '\nThe job passed.' : '\nThe job failed.');
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await moto.stop();
  }
}
