// Starts and stops the local AWS (moto's server mode) on 127.0.0.1. Plain JavaScript because
// Jest's global setup, `npm run demo` and `npm run bench` all load it outside any TS transform.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_PYTHON = process.env.MOTO_PYTHON || 'python3';

/** @returns {Promise<number>} a TCP port that was free a moment ago on 127.0.0.1 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Fails with one line that says how to install moto when it is missing. */
export function assertMotoInstalled() {
  const probe = spawnSync(MOTO_PYTHON, ['-c', 'import moto.server, flask'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `moto's server mode is not installed for ${MOTO_PYTHON}: run pip install "moto[server]"`,
    );
  }
}

/**
 * One moto server on a free loopback port, up when its API answers. `env` is added to the child's
 * environment (a Jest test file's process.env is a copy child_process does not see, so variables
 * such as MOTO_ECS_SERVICE_RUNNING go here); `script` runs a patched server instead of moto's own
 * (the demo's moto_fixed.py); `onStderr` sees moto's log.
 * @param {{ env?: Record<string, string>, script?: string, onStderr?: (chunk: Buffer) => void, timeoutMs?: number }} [options]
 * @returns {Promise<{url: string, port: number, stop: () => Promise<void>}>}
 */
export async function startMoto(options = {}) {
  const port = await freePort();
  const serverArgs = options.script ? [options.script] : ['-m', 'moto.server'];
  const child = spawn(MOTO_PYTHON, [...serverArgs, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    options.onStderr?.(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${stderr}`);
    try {
      const response = await fetch(`${url}/moto-api/data.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${url} within ${timeoutMs / 1000} s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
