/**
 * Runs a bundled action exactly as the GitHub Actions runner does: `node actions/<name>/dist/index.js`
 * with INPUT_* variables and fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title?: string;
  message: string;
}

export interface ActionResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  /** Every line the action printed to stdout, workflow commands included. */
  lines: string[];
  annotations: Annotation[];
  stderr: string;
  /** stdout and stderr, for failure messages in tests. */
  log: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** The working directory, and GITHUB_WORKSPACE unless env sets it. */
  cwd?: string;
  timeoutMs?: number;
}

/** The runner's name for an input's variable: upper-case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runAction(
  name: string,
  inputs: Record<string, string | number | boolean>,
  options: RunOptions = {},
): Promise<ActionResult> {
  const dir = mkdtempSync(path.join(tmpdir(), `run-${name}-`));
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_PATH: path.join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const cwd = options.cwd ?? REPO_ROOT;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Inputs of the test process itself must not leak into the action.
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('GITHUB_')) env[key] = value;
  }
  Object.assign(env, files, {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: cwd,
    GITHUB_REPOSITORY: 'example/three-tier-app',
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: dir,
  });
  for (const [key, value] of Object.entries(inputs)) env[inputVariable(key)] = String(value);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const entry = path.join(REPO_ROOT, 'actions', name, 'dist', 'index.js');
  const child = spawn(process.execPath, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const exitCode = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs} ms.\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });

  const lines = stdout.split('\n').filter((line) => line !== '');
  const result: ActionResult = {
    exitCode,
    outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    lines,
    annotations: lines.flatMap((line) => parseAnnotation(line) ?? []),
    stderr,
    log: `${stdout}\n${stderr}`,
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** Reads a GITHUB_OUTPUT-style file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      result[key] = value.join('\n');
    } else if (line.includes('=')) {
      const eq = line.indexOf('=');
      result[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return result;
}

/** Parses `::error title=T::message` (with the runner's %0A escapes) into an annotation. */
export function parseAnnotation(line: string): Annotation | undefined {
  const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const [, level, props, message] = match as unknown as [string, Annotation['level'], string | undefined, string];
  const title = /(?:^|,)title=([^,]*)/.exec(props ?? '')?.[1];
  return {
    level,
    ...(title !== undefined ? { title: unescapeProperty(title) } : {}),
    message: unescapeData(message),
  };
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');
}
