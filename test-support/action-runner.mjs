// Runs a bundled action exactly as the GitHub Actions runner does: `node actions/<name>/dist/index.js`
// with INPUT_* variables and fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files.
// Plain JavaScript so that the tests (through run-action.ts), `npm run demo` and `npm run bench`
// all run actions the same way.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {{ level: 'error' | 'warning' | 'notice', title?: string, message: string }} Annotation
 * @typedef {{
 *   exitCode: number,
 *   outputs: Record<string, string>,
 *   summary: string,
 *   state: Record<string, string>,
 *   lines: string[],
 *   annotations: Annotation[],
 *   stderr: string,
 *   log: string,
 *   peakMemoryKb?: number,
 * }} ActionResult
 * @typedef {{
 *   env?: Record<string, string | undefined>,
 *   cwd?: string,
 *   timeoutMs?: number,
 *   onLine?: (line: string) => void,
 * }} RunOptions
 */

/** The runner's name for an input's variable: upper-case, spaces to `_`, hyphens kept. */
export function inputVariable(/** @type {string} */ name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * @param {string} name the folder under actions/
 * @param {Record<string, string | number | boolean>} inputs
 * @param {RunOptions} [options]
 * @returns {Promise<ActionResult>}
 */
export async function runAction(name, inputs, options = {}) {
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
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Inputs and runner files of the calling process must not leak into the action.
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('GITHUB_'))
      env[key] = value;
  }
  Object.assign(env, files, {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: cwd,
    GITHUB_REPOSITORY: 'example/three-tier-app',
    GITHUB_RUN_ID: String(Date.now()),
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
  // ACTION_NODE runs the bundles on another Node (the runner's node24) than the tests' own.
  const node = process.env.ACTION_NODE || process.execPath;
  const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let peakMemoryKb = 0;
  // Peak resident memory, read from /proc while the action runs (Linux only; 0 elsewhere).
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peakMemoryKb = Math.max(peakMemoryKb, hwm);
    } catch {
      // the process has ended
    }
  }, 50);
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    if (options.onLine) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    }
  });
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 120_000;
  try {
    /** @type {number} */
    const exitCode = await new Promise((resolve, reject) => {
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
    if (options.onLine && partial) options.onLine(partial);
    const lines = stdout.split('\n').filter((line) => line !== '');
    return {
      exitCode,
      outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      state: parseFileCommand(readFileSync(files.GITHUB_STATE, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      lines,
      annotations: lines.flatMap((line) => parseAnnotation(line) ?? []),
      stderr,
      log: `${stdout}\n${stderr}`,
      peakMemoryKb,
    };
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reads a GITHUB_OUTPUT-style file: `name=value` lines and `name<<DELIMITER` blocks.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseFileCommand(text) {
  /** @type {Record<string, string>} */
  const result = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key, delimiter] = heredoc;
      const value = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      result[key] = value.join('\n');
    } else if (line.includes('=')) {
      const eq = line.indexOf('=');
      result[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return result;
}

/**
 * Parses `::error title=T::message` (with the runner's %0A escapes) into an annotation.
 * @param {string} line
 * @returns {Annotation | undefined}
 */
export function parseAnnotation(line) {
  const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const [, level, props, message] = match;
  const title = /(?:^|,)title=([^,]*)/.exec(props ?? '')?.[1];
  return {
    level: /** @type {Annotation['level']} */ (level),
    ...(title !== undefined ? { title: unescapeProperty(title) } : {}),
    message: unescapeData(message),
  };
}

function unescapeData(/** @type {string} */ text) {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(/** @type {string} */ text) {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');
}
