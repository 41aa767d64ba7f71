#!/usr/bin/env node
// Benchmark (not a test): publish-frontend's bundle beside `aws s3 sync --delete` on a generated
// site of 2,000 files, against moto S3 behind a counting proxy. Three scenarios - a cold publish,
// a redeploy with every file touched (new mtimes, same bytes, as a fresh CI checkout), and a
// one-file change - each timed with the requests and bytes each tool sent, and the action's peak
// memory. Prints a Markdown table; `--readme` also writes it into actions/publish-frontend/README.md.
// Exits non-zero when a run fails or publishes the wrong thing; a missed target is flagged
// (and fails too with BENCH_STRICT=1).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto } from '../../test-support/moto-server.mjs';
import { startCountingProxy } from './_s3-counting-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = path.join(root, 'actions/publish-frontend/dist/index.js');
const readme = path.join(root, 'actions/publish-frontend/README.md');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const credentials = {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

/** 2,000 files as a bundler writes them: hashed assets, images, pages, and a few large media files. */
function generateSite(dir) {
  const write = (relative, content) => {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  };
  const hash = () => randomBytes(4).toString('hex');
  const large = [10, 12, 16, 20]; // MiB, above the 8 MiB multipart threshold of both tools
  large.forEach((mib, i) => write(`media/clip-${i}.mp4`, randomBytes(mib * 1024 * 1024)));
  let count = large.length;
  const pages = Math.max(10, Math.round(FILES * 0.03));
  const images = Math.round(FILES * 0.32);
  for (let i = 0; i < images; i++, count++)
    write(
      `assets/img/photo-${i}.${hash()}.webp`,
      randomBytes(8 * 1024 + ((i * 7919) % 120) * 1024),
    );
  for (let i = 0; count < FILES - pages; i++, count++) {
    const kind = ['js', 'css', 'json', 'svg', 'woff2'][i % 5];
    write(
      `assets/${kind}/chunk-${i}.${hash()}.${kind}`,
      `/* ${i} */ ${randomBytes(512 + ((i * 104729) % 16) * 512).toString('base64')}`,
    );
  }
  for (let i = 0; i < pages; i++) {
    write(
      i === 0 ? 'index.html' : `docs/page-${i}/index.html`,
      `<!doctype html><title>page ${i}</title><p>${randomBytes(2048).toString('base64')}</p>`,
    );
  }
}

function listAll(dir) {
  return spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
}

/** Runs a command, returning wall time, exit code, output and (with /usr/bin/time) peak RSS. */
function timed(command, args, env) {
  return new Promise((resolve, reject) => {
    const argv = TIME ? [TIME, '-v', command, ...args] : [command, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (process.env.BENCH_VERBOSE === '1') {
        const at = (Number(process.hrtime.bigint() - started) / 1e6).toFixed(0).padStart(6);
        for (const line of String(chunk)
          .split('\n')
          .filter((text) => text && !text.startsWith('<')))
          console.log(`  ${at} ms  ${line.slice(0, 110)}`);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ code, seconds, stdout, stderr, peakMb: rssKb / 1024 });
    });
  });
}

async function runAction(source, bucket, endpoint) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-run-'));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STEP_SUMMARY: 'summary', GITHUB_STATE: 'state' };
  for (const [key, name] of Object.entries(files))
    writeFileSync((files[key] = path.join(dir, name)), '');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...credentials,
    ...files,
    AWS_ENDPOINT_URL: endpoint,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: root,
    RUNNER_TEMP: dir,
    INPUT_SOURCE: source,
    INPUT_BUCKET: bucket,
    INPUT_DELETE: 'true',
    'INPUT_MAX-DELETIONS': '50%',
    INPUT_CONCURRENCY: '16',
  };
  const result = await timed(process.execPath, [bundle], env);
  const outputs = parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  if (result.code !== 0)
    throw new Error(`publish-frontend failed:\n${result.stdout}\n${result.stderr}`);
  return { ...result, outputs };
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<delimiter` blocks (and plain `name=value`). */
function parseOutputs(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (block) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) value.push(lines[i]);
      outputs[block[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      outputs[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return outputs;
}

async function runCli(source, bucket, endpoint, configFile) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...credentials,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const result = await timed(
    'aws',
    [
      's3',
      'sync',
      source,
      `s3://${bucket}`,
      '--delete',
      '--no-progress',
      '--only-show-errors',
      '--endpoint-url',
      endpoint,
    ],
    env,
  );
  if (result.code !== 0) throw new Error(`aws s3 sync failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

async function emptyBucket(endpoint, bucket) {
  const { S3Client, DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const keys = await listBucket(endpoint, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
      }),
    );
  }
}

async function listBucket(endpoint, bucket) {
  const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const keys = [];
  let token;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const writes = (counts) => (counts.byMethod.PUT ?? 0) + (counts.byMethod.POST ?? 0);

async function main() {
  const started = Date.now();
  const moto = await startMoto();
  const proxy = await startCountingProxy(moto.url);
  const work = mkdtempSync(path.join(tmpdir(), 'bench-publish-'));
  const site = path.join(work, 'site');
  const configFile = path.join(work, 'aws-config');
  writeFileSync(configFile, '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
  const failures = [];
  try {
    generateSite(site);
    const files = listAll(site);
    const totalBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
    console.log(
      `Site: ${files.length} files, ${mb(totalBytes)} (4 above the 8 MiB multipart threshold), in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const bucket of ['bench-action', 'bench-cli'])
      await fetch(`${proxy.url}/${bucket}`, { method: 'PUT' }).catch(() => undefined);
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint: moto.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    for (const bucket of ['bench-action', 'bench-cli'])
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);

    // Cold start: load the bundle and fail on the first input (no AWS call).
    const cold = await timed(process.execPath, [bundle], {
      PATH: process.env.PATH,
      INPUT_SOURCE: '/nonexistent',
      GITHUB_ACTIONS: 'true',
    });

    // Each scenario runs REPEAT times, the two tools in turn, and the table shows medians: other
    // work on a shared machine moves single timings by a fair share.
    const scenarios = [
      {
        name: 'cold publish',
        prepare: async () =>
          Promise.all(['bench-action', 'bench-cli'].map((bucket) => emptyBucket(moto.url, bucket))),
        expected: (o) => o.uploaded === String(files.length),
      },
      {
        name: 'touched redeploy',
        prepare: async (round) => {
          const later = new Date(Date.now() + 60_000 * (round + 1));
          for (const file of files) utimesSync(file, later, later);
        },
        expected: (o) => o.uploaded === '0',
      },
      {
        name: 'one-file change',
        prepare: async (round) =>
          writeFileSync(
            path.join(site, 'docs/page-7/index.html'),
            `<!doctype html><title>page 7, edit ${round}</title>`,
          ),
        expected: (o) => o.uploaded === '1' && o.skipped === String(files.length - 1),
      },
    ];
    const rows = [];
    for (const { name, prepare, expected } of scenarios) {
      const runs = [];
      for (let round = 0; round < REPEAT; round++) {
        await prepare(round);
        proxy.reset();
        const action = await runAction(site, 'bench-action', proxy.url);
        const actionCounts = proxy.snapshot();
        proxy.reset();
        const cli = await runCli(site, 'bench-cli', proxy.url, configFile);
        const cliCounts = proxy.snapshot();
        if (!expected(action.outputs))
          failures.push(`${name}: unexpected outputs ${JSON.stringify(action.outputs)}`);
        runs.push({ action, actionCounts, cli, cliCounts });
        console.log(
          `${name} #${round + 1}: action ${action.seconds.toFixed(2)} s (${writes(actionCounts)} PUT/POST), aws s3 sync ${cli.seconds.toFixed(2)} s (${writes(cliCounts)} PUT/POST)`,
        );
      }
      const median = (pick) =>
        [...runs].sort((a, b) => pick(a) - pick(b))[Math.floor(runs.length / 2)];
      rows.push({
        name,
        action: {
          ...median((run) => run.action.seconds).action,
          peakMb: Math.max(...runs.map((run) => run.action.peakMb)),
        },
        actionCounts: runs[runs.length - 1].actionCounts,
        cli: median((run) => run.cli.seconds).cli,
        cliCounts: runs[runs.length - 1].cliCounts,
      });
    }
    const actionKeys = (await listBucket(moto.url, 'bench-action'))
      .filter((key) => !key.endsWith('.publish-frontend-manifest.json'))
      .sort();
    const cliKeys = (await listBucket(moto.url, 'bench-cli')).sort();
    if (JSON.stringify(actionKeys) !== JSON.stringify(cliKeys))
      failures.push('the two buckets do not hold the same keys at the end');

    const table = [
      `Measured on ${new Date().toISOString().slice(0, 10)}: moto ${spawnSync('python3', ['-c', 'import moto;print(moto.__version__)'], { encoding: 'utf8' }).stdout.trim()} on 127.0.0.1 behind a counting proxy, ${files.length} files (${mb(totalBytes)}), ${cpus().length} CPU cores (load average ${loadavg()[0].toFixed(1)} at the end), Node ${process.versions.node}, ${spawnSync('aws', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0]}.`,
      '',
      `| Scenario (median of ${REPEAT}) | publish-frontend | aws s3 sync --delete | Speed-up | PUT/POST requests (action / sync) | Bytes sent (action / sync) | Action peak memory |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.name} | ${row.action.seconds.toFixed(2)} s | ${row.cli.seconds.toFixed(2)} s | ${(row.cli.seconds / row.action.seconds).toFixed(1)}× | ${writes(row.actionCounts)} / ${writes(row.cliCounts)} | ${mb(row.actionCounts.bodyBytes)} / ${mb(row.cliCounts.bodyBytes)} | ${Number.isNaN(row.action.peakMb) ? 'n/a' : `${row.action.peakMb.toFixed(0)} MB`} |`,
      ),
      '',
      `Cold start (load the bundle, fail on the first input): ${cold.seconds.toFixed(2)} s; bundle ${mb(statSync(bundle).size)}.`,
    ].join('\n');
    console.log(`\n${table}\n`);

    const [coldRow, touched, oneFile] = rows;
    const peak = Math.max(...rows.map((row) => row.action.peakMb));
    const targets = [
      ['touched redeploy ≥ 10× faster', touched.cli.seconds / touched.action.seconds >= 10],
      ['one-file change ≥ 10× faster', oneFile.cli.seconds / oneFile.action.seconds >= 10],
      ['cold publish no slower', coldRow.action.seconds <= coldRow.cli.seconds],
      ['peak memory < 200 MB', Number.isNaN(peak) || peak < 200],
    ];
    for (const [target, met] of targets) console.log(`${met ? 'met   ' : 'MISSED'}  ${target}`);
    if (process.env.BENCH_STRICT === '1')
      for (const [target, met] of targets) if (!met) failures.push(`target missed: ${target}`);

    if (process.argv.includes('--readme')) {
      const text = readFileSync(readme, 'utf8');
      const start = '<!-- bench:start -->';
      const end = '<!-- bench:end -->';
      if (!text.includes(start) || !text.includes(end))
        throw new Error(`${readme} has no ${start} … ${end} section`);
      writeFileSync(
        readme,
        `${text.slice(0, text.indexOf(start) + start.length)}\n\n${table}\n\n${text.slice(text.indexOf(end))}`,
      );
      // The README is checked by Prettier with the rest of the tree (it aligns table columns).
      spawnSync(path.join(root, 'node_modules/.bin/prettier'), ['--write', readme], {
        stdio: 'ignore',
      });
      console.log(`Wrote the table into ${path.relative(root, readme)}.`);
    }
  } finally {
    await proxy.stop();
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`publish-frontend bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`FAILED: ${failure}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
