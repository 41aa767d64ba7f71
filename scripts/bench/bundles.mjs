#!/usr/bin/env node
// Size and cold start of every action's bundle. Cold start is the time from `node dist/index.js`
// to exit when no inputs are given: loading the bundle, then failing fast on the first missing
// input, which is all the work an action does before its first AWS call. Median of 7 runs, on this
// Node and, when there is one (ACTION_NODE, or the Node 24 that .ci/run unpacks into .tmp/node24),
// on the runner's node24 as well.
//
// BENCH_AGAINST=<git ref> also measures each bundle as committed at that ref, runs of the two
// interleaved, so that a busy machine (this one is shared) slows both alike and the comparison
// holds even when the absolute numbers do not. BENCH_ACTIONS=<a,b> measures only those actions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = 7;
const node24 = process.env.ACTION_NODE || path.join(root, '.tmp', 'node24', 'bin', 'node');
const nodes = [process.execPath, ...(existsSync(node24) ? [node24] : [])].map((bin) => ({
  bin,
  version: spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(),
}));

// Loaded before the bundle: reports the process's own CPU time (user + system) as it exits. On a
// shared, busy machine the wall time mostly measures the queue for a core; CPU time is the work.
const CPU_PROBE = `--import=data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\nCPU_US=${u.user + u.system}\\n`); });",
)}`;

/** One cold start of `bundle` on `node`: wall and CPU ms; it must fail on a missing input. */
function coldStart(node, bundle, name) {
  const start = process.hrtime.bigint();
  const result = spawnSync(node.bin, [CPU_PROBE, bundle], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', GITHUB_ACTIONS: 'true' },
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === 0) throw new Error(`${name} succeeded without inputs`);
  if (!/::error title=Invalid input/.test(result.stdout)) {
    throw new Error(
      `${name} on ${node.version} did not fail with an input error:\n${result.stdout}${result.stderr}`,
    );
  }
  const cpu = Number(/CPU_US=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1000;
  return { wall, cpu };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** Per bundle, the runs interleaved: wall `median (min–max)` and the median CPU ms. */
function medianColdStarts(node, bundles, name) {
  const times = bundles.map(() => []);
  for (let i = 0; i < runs; i++) {
    bundles.forEach((bundle, b) => times[b].push(coldStart(node, bundle, name)));
  }
  return times.map((list) => {
    const walls = list.map((time) => time.wall);
    return {
      wall: `${median(walls).toFixed(0)} (${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)})`,
      cpu: median(list.map((time) => time.cpu)).toFixed(0),
    };
  });
}

const against = process.env.BENCH_AGAINST;
/** The bundle as committed at `against`, in a folder of its own (ESM, like dist/). */
function bundleAt(name) {
  const shown = spawnSync('git', ['show', `${against}:actions/${name}/dist/index.js`], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (shown.status !== 0) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${name}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(dir, 'index.js'), shown.stdout);
  return path.join(dir, 'index.js');
}

const rows = [];
const only = process.env.BENCH_ACTIONS?.split(',').filter(Boolean);
for (const name of readdirSync(path.join(root, 'actions'))) {
  if (only && !only.includes(name)) continue;
  const bundle = path.join(root, 'actions', name, 'dist', 'index.js');
  if (!existsSync(bundle)) continue;
  const before = against ? bundleAt(name) : undefined;
  const row = { action: name, 'bundle (MB)': (statSync(bundle).size / 1e6).toFixed(2) };
  if (before) row[`at ${against} (MB)`] = (statSync(before).size / 1e6).toFixed(2);
  for (const node of nodes) {
    const [now, then] = medianColdStarts(node, before ? [bundle, before] : [bundle], name);
    row[`cold start on ${node.version}, ms median (min–max)`] = now.wall;
    row[`CPU ms on ${node.version}`] = now.cpu;
    if (before) {
      row[`at ${against}, on ${node.version}`] = then.wall;
      row[`CPU ms at ${against}, on ${node.version}`] = then.cpu;
    }
  }
  rows.push(row);
}
console.log(`${runs} runs each\n`);
const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))];
console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
for (const row of rows)
  console.log(`| ${headers.map((header) => row[header] ?? '').join(' | ')} |`);
