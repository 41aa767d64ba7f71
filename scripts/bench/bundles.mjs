#!/usr/bin/env node
// Size and cold start of every action's bundle. Cold start is the time from `node dist/index.js`
// to exit when no inputs are given: loading the bundle, then failing fast on the first missing
// input, which is all the work an action does before its first AWS call. Median of 7 runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = 7;
const rows = [];
for (const name of readdirSync(path.join(root, 'actions'))) {
  const bundle = path.join(root, 'actions', name, 'dist', 'index.js');
  if (!existsSync(bundle)) continue;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', GITHUB_ACTIONS: 'true' },
      encoding: 'utf8',
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status === 0) throw new Error(`${name} succeeded without inputs`);
  }
  times.sort((a, b) => a - b);
  rows.push({
    action: name,
    'bundle (MB)': (statSync(bundle).size / 1e6).toFixed(2),
    'cold start, median (ms)': times[Math.floor(runs / 2)].toFixed(0),
    'min–max (ms)': `${times[0].toFixed(0)}–${times[runs - 1].toFixed(0)}`,
  });
}
console.log(`node ${process.version}, ${runs} runs each\n`);
const headers = Object.keys(rows[0] ?? {});
console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${headers.map((header) => row[header]).join(' | ')} |`);
