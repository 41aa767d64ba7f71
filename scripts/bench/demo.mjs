#!/usr/bin/env node
// Wall time of `npm run demo`: both releases of the example app, end to end, on this machine.
// Target: under 60 s for both releases. Runs the demo BENCH_DEMO_RUNS times (default 1; it takes
// a minute or two) and reports its own timing table (start-up, each release, total) per run,
// with the machine's load average around the run and the CPU time the run used (the demo and every
// process it started): this machine is shared, and a run that waits for a core measures the queue
// as much as the demo; CPU time divided by the cores is the wall time an idle machine would need
// at the least.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Math.max(1, Number(process.env.BENCH_DEMO_RUNS ?? 1));

/** One run of the demo: its exit code, wall time and the timing lines it printed. */
function runDemo() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const seconds = (/** @type {string} */ label) => {
        const match = new RegExp(`^\\s+${label}\\s+([\\d.]+) s$`, 'm').exec(output);
        return match ? Number(match[1]) : undefined;
      };
      resolve({
        code,
        wallMs,
        startUp: seconds('start the local AWS and MariaDB, read what moto supports'),
        release1: seconds('release 1'),
        release2: seconds('release 2'),
        cpu: Number(/^CPU time: ([\d.]+) s/m.exec(output)?.[1] ?? NaN),
        output,
      });
    });
  });
}

const rows = [];
for (let run = 1; run <= runs; run++) {
  const loadBefore = loadavg()[0];
  const result = await runDemo();
  const loadAfter = loadavg()[0];
  if (result.code !== 0) {
    console.error(result.output.split('\n').slice(-40).join('\n'));
    console.error(`The demo failed (exit ${result.code}).`);
    process.exit(1);
  }
  rows.push({ run, ...result, load: `${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}` });
}

const format = (/** @type {number | undefined} */ value) =>
  value === undefined ? '-' : `${value.toFixed(1)} s`;
console.log(
  '| run | start-up | release 1 | release 2 | both releases | whole demo | CPU time | load average (1 min) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const both = (row.release1 ?? 0) + (row.release2 ?? 0);
  console.log(
    `| ${row.run} | ${format(row.startUp)} | ${format(row.release1)} | ${format(row.release2)} | ${format(both)} | ${format(row.wallMs / 1000)} | ${Number.isNaN(row.cpu) ? '-' : `${row.cpu.toFixed(1)} s`} | ${row.load} |`,
  );
}
const best = Math.min(...rows.map((row) => (row.release1 ?? 0) + (row.release2 ?? 0)));
console.log(
  `\nBoth releases: ${best.toFixed(1)} s at best (target: under 60 s) on ${process.platform} with Node ${process.version}; ${rows.length} run(s).`,
);
