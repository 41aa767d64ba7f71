/**
 * Running the bundled db-tunnel as a person would (`node tools/db-tunnel/dist/index.js ...`),
 * with stand-ins for the two programs it needs on PATH: a fake `aws` that records its argv and
 * behaves as told (FAKE_AWS_MODE), and a `session-manager-plugin` that only has to exist.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
);
export const BUNDLE = path.join(REPO_ROOT, 'tools', 'db-tunnel', 'dist', 'index.js');

/**
 * The fake aws CLI. Modes: `exit` (prints what the plugin prints, exits 0: the session ended),
 * `wait` (writes <log>.ready and waits for SIGINT/SIGTERM, as the plugin does until Ctrl-C),
 * `target-not-connected` and `plugin-missing` (the CLI's own error text on stderr, its exit codes).
 */
const FAKE_AWS = `#!/usr/bin/env node
const fs = require('node:fs');
const log = process.env.FAKE_AWS_LOG;
fs.appendFileSync(log, JSON.stringify({ argv: process.argv.slice(2), profile: process.env.AWS_PROFILE || null }) + '\\n');
const mode = process.env.FAKE_AWS_MODE || 'exit';
if (mode === 'exit') {
  console.log('\\nStarting session with SessionId: alice-0fake1');
  console.log('Port opened for sessionId alice-0fake1.');
  console.log('Waiting for connections...');
  process.exit(0);
}
if (mode === 'target-not-connected') {
  console.error('\\nAn error occurred (TargetNotConnectedException) when calling the StartSession operation: ' + process.argv[4] + ' is not connected.');
  process.exit(254);
}
if (mode === 'plugin-missing') {
  console.error('\\nSessionManagerPlugin is not found. Please refer to SessionManager Documentation here: http://docs.aws.amazon.com/console/systems-manager/session-manager-plugin-not-found');
  process.exit(255);
}
if (mode === 'wait') {
  const end = (signal) => { fs.appendFileSync(log + '.signals', signal + '\\n'); console.log('\\nExiting session with sessionId: alice-0fake1.'); process.exit(0); };
  process.on('SIGINT', () => end('SIGINT'));
  process.on('SIGTERM', () => end('SIGTERM'));
  fs.writeFileSync(log + '.ready', '');
  setInterval(() => {}, 1000);
}
`;

export interface FakeTools {
  /** PATH for the bundle: the fake folder alone. */
  path: string;
  /** The fake HOME, with ~/.aws holding profile `tunnel` (region us-east-1, moto's keys). */
  dir: string;
  log: string;
  /** Every argv the fake aws was run with. */
  calls(): { argv: string[]; profile: string | null }[];
}

const made: string[] = [];

/** Removes every folder fakeTools made (call it in afterAll). */
export function removeFakeTools(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function fakeTools(options: { plugin?: boolean } = {}): FakeTools {
  const dir = mkdtempSync(path.join(tmpdir(), 'db-tunnel-bin-'));
  made.push(dir);
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'aws'), FAKE_AWS);
  chmodSync(path.join(bin, 'aws'), 0o755);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  if (options.plugin !== false) {
    writeFileSync(path.join(bin, 'session-manager-plugin'), '#!/bin/sh\necho 1.2.707.0\n');
    chmodSync(path.join(bin, 'session-manager-plugin'), 0o755);
  }
  // A profile as `aws configure` writes it: region in config, keys in credentials (moto takes any).
  mkdirSync(path.join(dir, '.aws'));
  writeFileSync(path.join(dir, '.aws', 'config'), '[profile tunnel]\nregion = us-east-1\n');
  writeFileSync(
    path.join(dir, '.aws', 'credentials'),
    '[tunnel]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
  );
  const log = path.join(dir, 'aws-calls.jsonl');
  return {
    // Only the fakes (and node, for the fake aws's `#!/usr/bin/env node`): a real aws or plugin
    // installed on the machine must not be found instead.
    path: bin,
    dir,
    log,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { argv: string[]; profile: string | null })
        : [],
  };
}

export interface TunnelRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundle; `whileRunning` may act on the process (send it Ctrl-C) once it is up. */
export async function runBundle(options: {
  args: string[];
  env: Record<string, string>;
  whileRunning?: (child: { pid: number; kill: (signal: NodeJS.Signals) => void }) => Promise<void>;
  timeoutMs?: number;
}): Promise<TunnelRun> {
  const child = spawn(process.execPath, [BUNDLE, ...options.args], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`db-tunnel did not finish in time.\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  if (options.whileRunning) {
    await options.whileRunning({ pid: child.pid as number, kill: (signal) => child.kill(signal) });
  }
  return { exitCode: await exited, stdout, stderr };
}

/** Resolves once `file` exists (polling), or rejects after `timeoutMs`. */
export async function fileAppears(file: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
