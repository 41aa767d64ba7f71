#!/usr/bin/env node
// `npm run bench`: runs every benchmark under scripts/bench/ in turn (or the ones named), each of
// which prints its own table. Benchmarks measure; tests never time anything.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((file) => file.endsWith('.mjs') && !file.startsWith('_'))
  .filter((file) => wanted.length === 0 || wanted.includes(file.replace(/\.mjs$/, '')));
let failed = 0;
for (const file of benches) {
  console.log(`\n### ${file.replace(/\.mjs$/, '')}\n`);
  const result = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${result.status})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
