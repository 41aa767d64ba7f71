// Jest global setup: compiles the backend (incremental tsc, a no-op when nothing changed) so the
// tests that spawn `node build/migrate.js` or `node build/local.js` run the current sources.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function buildBackend() {
  const backend = fileURLToPath(new URL('../../', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: backend,
    stdio: 'inherit',
  });
}
