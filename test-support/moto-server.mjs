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
 * @returns {Promise<{url: string, port: number, stop: () => Promise<void>}>}
 */
export async function startMoto() {
  const port = await freePort();
  const child = spawn(MOTO_PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
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
      throw new Error(`moto did not answer on ${url} within 30 s: ${stderr}`);
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
