#!/usr/bin/env node
// Benchmark (not a test): run-db-migration-via-task's bundle following a task while lines are
// written to the task's log stream, against moto behind a proxy that counts the action's API
// calls. Measures the lag from a line's write (PutLogEvents answered) to its print in the step's
// log (median, p95, max), whether every line was printed exactly once and in order, and the API
// calls per minute while following. moto runs no container, so the benchmark writes the stream
// itself, as the awslogs driver would, and ends the task through moto's state manager.
// Targets: every line within one poll interval (<= 3 s), none lost or duplicated across 5,000.
// `--readme` writes the table into actions/run-db-migration-via-task/README.md.
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../../test-support/action-runner.mjs';
import { startMoto } from '../../test-support/moto-server.mjs';
import { createMigrationFixture } from '../../actions/run-db-migration-via-task/test/moto-ecs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = path.join(root, 'actions/run-db-migration-via-task/README.md');
const LINES = Number(process.env.BENCH_LINES ?? 5000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
/** Lines per PutLogEvents call and the pause between calls: 5,000 lines over about 20 s. */
const BATCH = Number(process.env.BENCH_BATCH ?? 25);
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 100);
const LATE = 20;
const TARGET_LAG_MS = 3_000;

/** Forwards to moto, counting requests by operation (x-amz-target). */
async function startCountingProxy(target) {
  const upstream = new URL(target);
  const calls = [];
  const server = http.createServer((req, res) => {
    calls.push({
      at: Date.now(),
      operation: String(req.headers['x-amz-target'] ?? req.method)
        .split('.')
        .pop(),
    });
    // A fresh connection per request: moto closes connections after each answer.
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function setTransition(motoUrl, transition) {
  const response = await fetch(`${motoUrl}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: 'ecs::task', transition }),
  });
  if (!response.ok) throw new Error(`moto set-transition: ${response.status}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function oneRun({ moto, fixture, index }) {
  const proxy = await startCountingProxy(moto.url);
  await setTransition(moto.url, { progression: 'manual', times: 1_000_000 });
  /** seq → when its PutLogEvents was answered; printed: seq → when the action printed it. */
  const writtenAt = new Map();
  const printed = [];
  let followingSince;
  let stoppedSeen = false;
  let writer = Promise.resolve();
  const total = LINES + LATE;
  const write = async (taskId, from, to) => {
    const messages = [];
    for (let seq = from; seq < to; seq++)
      messages.push(`bench ${seq} ${'x'.repeat(40 + (seq % 60))}`);
    await fixture.write(taskId, messages);
    const at = Date.now();
    for (let seq = from; seq < to; seq++) writtenAt.set(seq, at);
  };
  const result = await runAction(
    'run-db-migration-via-task',
    { cluster: fixture.cluster, service: fixture.service, command: 'npm run migrate' },
    {
      env: {
        AWS_ENDPOINT_URL: proxy.url,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_REGION: 'us-east-1',
        GITHUB_RUN_ID: `${Date.now()}${index}`,
      },
      timeoutMs: 600_000,
      onLine: (line) => {
        const now = Date.now();
        const match = /^bench (\d+) /.exec(line);
        if (match) printed.push({ seq: Number(match[1]), at: now });
        const started = /^Started task ([0-9a-f-]+) /.exec(line)?.[1];
        if (started) {
          followingSince = now;
          writer = (async () => {
            await fixture.createStream(started);
            for (let from = 0; from < LINES; from += BATCH) {
              await write(started, from, Math.min(LINES, from + BATCH));
              await sleep(PAUSE_MS);
            }
            await sleep(1_000);
            await setTransition(moto.url, { progression: 'immediate' });
          })();
          writer.taskId = started;
        }
        // The awslogs driver's last flush, after ECS already says STOPPED: the drain must print it.
        if (!stoppedSeen && / STOPPED$/.test(line) && writer.taskId) {
          stoppedSeen = true;
          const id = writer.taskId;
          writer = writer.then(() => write(id, LINES, total));
        }
      },
    },
  );
  await writer;
  const followedMs = Date.now() - followingSince;
  const following = proxy.calls.filter((call) => call.at >= followingSince);
  await proxy.stop();
  if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.log}`);

  const seqs = printed.map((entry) => entry.seq);
  const seen = new Set(seqs);
  const duplicates = seqs.length - seen.size;
  const missing = total - [...seen].filter((seq) => seq < total).length;
  const inOrder = seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] ?? -1));
  const lags = printed
    .filter((entry) => entry.seq < LINES && writtenAt.has(entry.seq))
    .map((entry) => Math.max(0, entry.at - writtenAt.get(entry.seq)))
    .sort((a, b) => a - b);
  const byOperation = {};
  for (const call of following)
    byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
  return {
    lines: total,
    printed: seqs.length,
    duplicates,
    missing,
    inOrder,
    medianLag: percentile(lags, 50),
    p95Lag: percentile(lags, 95),
    maxLag: lags[lags.length - 1],
    callsPerMinute: (following.length / followedMs) * 60_000,
    byOperation: Object.fromEntries(
      Object.entries(byOperation).map(([op, n]) => [op, (n / followedMs) * 60_000]),
    ),
    followedMs,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const moto = await startMoto();
let failed = false;
try {
  const fixture = await createMigrationFixture({ endpoint: moto.url, name: 'bench' });
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    runs.push(await oneRun({ moto, fixture, index: i }));
    process.stderr.write(`run ${i + 1}/${REPEAT}: ${JSON.stringify(runs.at(-1))}\n`);
  }
  fixture.destroy();
  const rows = runs.map((r, i) => [
    String(i + 1),
    `${r.printed} / ${r.lines}`,
    String(r.missing),
    String(r.duplicates),
    r.inOrder ? 'yes' : 'NO',
    (r.medianLag / 1000).toFixed(2),
    (r.p95Lag / 1000).toFixed(2),
    (r.maxLag / 1000).toFixed(2),
    r.callsPerMinute.toFixed(0),
    Object.entries(r.byOperation)
      .map(([op, n]) => `${op} ${n.toFixed(0)}`)
      .join(', '),
  ]);
  const header = [
    'run',
    'lines printed',
    'lost',
    'duplicated',
    'in order',
    'lag median (s)',
    'lag p95 (s)',
    'lag max (s)',
    'API calls/min',
    'by operation (/min)',
  ];
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  const worst = Math.max(...runs.map((r) => r.maxLag));
  const verdict =
    runs.every((r) => r.missing === 0 && r.duplicates === 0 && r.inOrder) && worst <= TARGET_LAG_MS;
  const note =
    `${LINES.toLocaleString('en')} lines written in batches of ${BATCH} every ${PAUSE_MS} ms, plus ${LATE} written after ECS said STOPPED; ` +
    `${REPEAT} runs on ${cpus().length} cores (load ${loadavg()[0].toFixed(1)}), ${new Date().toISOString().slice(0, 10)}. ` +
    `Median of the runs' medians ${(median(runs.map((r) => r.medianLag)) / 1000).toFixed(2)} s, worst line ${(worst / 1000).toFixed(2)} s ` +
    `(target <= ${TARGET_LAG_MS / 1000} s): ${verdict ? 'met' : 'MISSED'}.`;
  console.log(table);
  console.log(`\n${note}`);
  if (runs.some((r) => r.missing > 0 || r.duplicates > 0 || !r.inOrder)) failed = true;
  if (!verdict && process.env.BENCH_STRICT === '1') failed = true;
  if (process.argv.includes('--readme')) {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf('<!-- bench:start -->');
    const end = text.indexOf('<!-- bench:end -->');
    if (start < 0 || end < 0)
      throw new Error('README has no <!-- bench:start --> ... <!-- bench:end --> section');
    writeFileSync(
      readme,
      `${text.slice(0, start)}<!-- bench:start -->\n${table}\n\n${note}\n${text.slice(end)}`,
    );
  }
} finally {
  await moto.stop();
}
process.exit(failed ? 1 : 0);
