/**
 * Runs a workflow step's `run:` script the way the runner's `shell: bash` does
 * (`bash --noprofile --norc -eo pipefail <file>`), with only the environment a test gives it plus
 * fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and returns what the step would hand to the
 * workflow: exit code, outputs, summary, annotations. Commands the script calls (aws, gh, curl)
 * can be replaced by stand-ins put first on PATH.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  parseAnnotation,
  parseFileCommand,
  type Annotation,
} from '../../test-support/run-action.js';

export interface ScriptResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
}

export interface RunScriptOptions {
  script: string;
  env?: Record<string, string>;
  /** Stand-in commands: name → bash script body, put first on PATH. */
  commands?: Record<string, string>;
  cwd?: string;
}

export async function runScript(options: RunScriptOptions): Promise<ScriptResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'run-script-'));
  try {
    const bin = path.join(dir, 'bin');
    writeFileSync(path.join(dir, 'script.sh'), options.script);
    const files = {
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    mkdirSync(bin);
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
      {
        cwd: options.cwd ?? dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number>((resolve, reject) => {
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
