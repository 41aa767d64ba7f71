#!/usr/bin/env node
// Size and cold start of every action's bundle. Cold start is the time from `node dist/index.js`
// to exit when no inputs are given: loading the bundle, then failing fast on the first missing
// input, which is all the work an action does before its first AWS call. Median of 7 runs, on this
// Node and, when there is one (ACTION_NODE, or the Node 24 that .ci/run unpacks into .tmp/node24),
// on the runner's node24 as well.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = 7;
const node24 = process.env.ACTION_NODE || path.join(root, '.tmp', 'node24', 'bin', 'node');
const nodes = [process.execPath, ...(existsSync(node24) ? [node24] : [])].map((bin) => ({
  bin,
  version: spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(),
}));

function medianColdStart(node, bundle, name) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(node.bin, [bundle], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', GITHUB_ACTIONS: 'true' },
      encoding: 'utf8',
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status === 0) throw new Error(`${name} succeeded without inputs`);
    if (!/::error title=Invalid input/.test(result.stdout)) {
      throw new Error(
        `${name} on ${node.version} did not fail with an input error:\n${result.stdout}${result.stderr}`,
      );
    }
  }
  times.sort((a, b) => a - b);
  return `${times[Math.floor(runs / 2)].toFixed(0)} (${times[0].toFixed(0)}–${times[runs - 1].toFixed(0)})`;
}

const rows = [];
for (const name of readdirSync(path.join(root, 'actions'))) {
  const bundle = path.join(root, 'actions', name, 'dist', 'index.js');
  if (!existsSync(bundle)) continue;
  const row = { action: name, 'bundle (MB)': (statSync(bundle).size / 1e6).toFixed(2) };
  for (const node of nodes)
    row[`cold start on ${node.version}, ms median (min–max)`] = medianColdStart(node, bundle, name);
  rows.push(row);
}
console.log(`${runs} runs each\n`);
const headers = Object.keys(rows[0] ?? {});
console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${headers.map((header) => row[header]).join(' | ')} |`);
