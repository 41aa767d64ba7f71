// Runs a bundled action exactly as the GitHub Actions runner does: `node actions/<name>/dist/index.js`
// with INPUT_* variables and fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files.
// Plain JavaScript so that the tests (through run-action.ts), `npm run demo` and `npm run bench`
// all run actions the same way.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

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
 *   cancelled?: boolean,
 * }} ActionResult
 * @typedef {{
 *   env?: Record<string, string | undefined>,
 *   cwd?: string,
 *   timeoutMs?: number,
 *   onLine?: (line: string) => void,
 *   post?: { state: Record<string, string> },
 *   cancelWhen?: (line: string) => boolean,
 * }} RunOptions
 * `post`: run the action's post step (action.yml `runs.post`) with the state the main step saved
 * (its result's `state`), as the runner does after the job's steps. `cancelWhen`: cancel the job
 * as the runner does (SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that) once a log
 * line satisfies it.
 */

/** How the runner stops a cancelled step: SIGINT, SIGTERM after 7.5 s, kill 2.5 s after that. */
export const CANCEL_SIGTERM_AFTER_MS = 7500;
export const CANCEL_KILL_AFTER_MS = 2500;

/**
 * An action's metadata: its inputs' defaults and its entry points.
 * @param {string} name
 * @returns {{ inputs: Record<string, { default?: unknown }>, runs: { main: string, post?: string } }}
 */
export function actionMetadata(name) {
  const file = path.join(REPO_ROOT, 'actions', name, 'action.yml');
  const meta = parseYaml(readFileSync(file, 'utf8'));
  return { inputs: meta?.inputs ?? {}, runs: meta?.runs ?? { main: 'dist/index.js' } };
}

/**
 * The INPUT_* values the runner passes: each input given, else its `default:` from action.yml
 * (the runner sets an input with a default even when the workflow does not mention it; one without
 * a default and not given is not set at all). Defaults are strings as YAML read them.
 * @param {string} name
 * @param {Record<string, string | number | boolean>} inputs
 * @returns {Record<string, string>}
 */
export function inputsWithDefaults(name, inputs) {
  /** @type {Record<string, string>} */
  const values = {};
  for (const [input, spec] of Object.entries(actionMetadata(name).inputs)) {
    if (spec?.default === undefined || spec.default === null) continue;
    const text = String(spec.default);
    // The runner would evaluate an expression here; this emulation does not pretend to.
    if (text.includes('${{')) {
      throw new Error(
        `actions/${name}: the default of ${input} is an expression (${text}), which runAction cannot evaluate; pass the input.`,
      );
    }
    values[input] = text;
  }
  for (const [input, value] of Object.entries(inputs)) values[input] = String(value);
  return values;
}

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
  for (const [key, value] of Object.entries(inputsWithDefaults(name, inputs)))
    env[inputVariable(key)] = value;
  for (const [key, value] of Object.entries(options.post?.state ?? {})) env[`STATE_${key}`] = value;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const { runs } = actionMetadata(name);
  const script = options.post ? runs.post : runs.main;
  if (!script) throw new Error(`actions/${name}/action.yml declares no runs.post`);
  const entry = path.join(REPO_ROOT, 'actions', name, script);
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
  /** @type {NodeJS.Timeout[]} */
  const cancelTimers = [];
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    child.kill('SIGINT');
    cancelTimers.push(
      setTimeout(() => child.kill('SIGTERM'), CANCEL_SIGTERM_AFTER_MS),
      setTimeout(() => child.kill('SIGKILL'), CANCEL_SIGTERM_AFTER_MS + CANCEL_KILL_AFTER_MS),
    );
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    if (options.onLine || options.cancelWhen) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        options.onLine?.(line);
        if (options.cancelWhen?.(line)) cancel();
      }
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
      cancelled,
    };
  } finally {
    clearInterval(sampler);
    for (const timer of cancelTimers) clearTimeout(timer);
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
