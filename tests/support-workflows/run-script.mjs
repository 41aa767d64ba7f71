// Runs a workflow step's `run:` script the way the runner's `shell: bash` does
// (`bash --noprofile --norc -eo pipefail <file>`), with only the environment it is given plus fresh
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and returns what the step hands to the workflow:
// exit code, outputs, summary, annotations. Commands the script calls (aws, gh, curl) can be
// replaced by stand-ins put first on PATH. Plain JavaScript so that run-job.mjs (and a script run
// with plain node) can use it as the tests do.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAnnotation, parseFileCommand } from '../../test-support/action-runner.mjs';

/**
 * @typedef {import('../../test-support/action-runner.mjs').Annotation} Annotation
 * @typedef {{
 *   exitCode: number,
 *   outputs: Record<string, string>,
 *   summary: string,
 *   stdout: string,
 *   stderr: string,
 *   annotations: Annotation[],
 * }} ScriptResult
 * @typedef {{
 *   script: string,
 *   env?: Record<string, string>,
 *   commands?: Record<string, string>,
 *   cwd?: string,
 *   onLine?: (line: string) => void,
 * }} RunScriptOptions
 */

/** @param {RunScriptOptions} options @returns {Promise<ScriptResult>} */
export async function runScript(options) {
  const dir = mkdtempSync(path.join(tmpdir(), 'run-script-'));
  try {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(dir, 'script.sh'), options.script);
    const files = {
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    for (const [name, body] of Object.entries(options.commands ?? {})) {
      const file = path.join(bin, name);
      writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(file, 0o755);
    }
    const env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      RUNNER_TEMP: dir,
      ...files,
      ...options.env,
    };
    const child = spawn(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', path.join(dir, 'script.sh')],
      { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      if (options.onLine)
        for (const line of chunk.toString().split('\n')) if (line) options.onLine(line);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    /** @type {number} */
    const exitCode = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    return {
      exitCode,
      outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      stdout,
      stderr,
      annotations: stdout.split('\n').flatMap((line) => parseAnnotation(line) ?? []),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
