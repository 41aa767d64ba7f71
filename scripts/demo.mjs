#!/usr/bin/env node
// `npm run demo`: the whole release of the example app, end to end, on this machine, twice.
// It starts the local AWS (moto) and a throwaway MariaDB on 127.0.0.1, then runs deploy.yml's
// deploy job (scripts/demo/release.mjs): the four stacks from the real templates (what moto's
// CloudFormation cannot create is created directly, each named), the image manifest into the
// local ECR, the task-definition revision, the migration, the roll and the frontend — the
// toolkit's bundled actions run as the Actions runner runs them, with deploy.yml's inputs. The
// containers moto cannot run are local processes (scripts/demo/stand-ins.mjs), and a local edge
// routes like the CloudFront distribution (scripts/demo/local-edge.mjs). The second release
// changes the image tag and one frontend file. `--keep` leaves everything running until Ctrl-C.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import { REPO_ROOT } from '../test-support/action-runner.mjs';
import {
  findDatabaseServer,
  MARIADB_INSTALL,
  startMariadb,
} from '../test-support/mariadb-server.mjs';
import { workflowInputs } from '../tests/support-workflows/deploy-steps.mjs';
import { awsClients } from './demo/aws-clients.mjs';
import { startExitCodeProxy } from './demo/exit-code-proxy.mjs';
import { MOTO_FIXES, startLocalAws } from './demo/local-aws.mjs';
import { startLocalEdge } from './demo/local-edge.mjs';
import { motoResourceTypes } from './demo/moto-support.mjs';
import { runRelease } from './demo/release.mjs';
import { startStandIns } from './demo/stand-ins.mjs';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's account
const PREFIX = 'demo';
const FRONTEND = path.join(REPO_ROOT, 'example-app', 'frontend');
const BACKEND = path.join(REPO_ROOT, 'example-app', 'backend');
const keep = process.argv.includes('--keep');
const print = (/** @type {string} */ line = '') => console.log(line);
/** What to stop when the demo ends, first to last. */
const cleanup = /** @type {(() => Promise<unknown> | unknown)[]} */ ([]);
/** Set while --keep waits for Ctrl-C. */
let waitingForCtrlC = /** @type {((value: unknown) => void) | undefined} */ (undefined);

async function main() {
  const started = Date.now();
  const timings = /** @type {[string, number][]} */ ([]);
  const time = async (
    /** @type {string} */ label,
    /** @type {() => Promise<any> | any} */ work,
  ) => {
    const at = Date.now();
    const result = await work();
    timings.push([label, Date.now() - at]);
    return result;
  };
  // DEMO_MARIADB=off runs the demo as a machine without MariaDB would (the AWS side only).
  const database = process.env.DEMO_MARIADB === 'off' ? undefined : findDatabaseServer();
  const announced = /** @type {string[]} */ ([]);
  const announce = (/** @type {string} */ line) => {
    announced.push(line);
    print(`   ⤷ ${line}`);
  };
  let failed = false;
  const substituteLog = /** @type {string[]} */ ([]);
  try {
    const [moto, mariadb, { version, types }] = await time(
      'start the local AWS and MariaDB, read what moto supports',
      () =>
        Promise.all([
          startLocalAws(),
          database ? startMariadb({ binary: database }) : undefined,
          motoResourceTypes(),
        ]),
    );
    cleanup.push(() => moto.stop());
    if (mariadb) cleanup.push(() => mariadb.stop());
    print(`Local AWS (moto) on ${moto.url}`);
    for (const fix of MOTO_FIXES) {
      substituteLog.push(fix);
      print(`  ⤷ substitute: ${fix}`);
    }
    if (mariadb)
      print(
        `Throwaway MariaDB (${database?.version.replace(/^\S*\//, '').split(' for ')[0]}) on 127.0.0.1:${mariadb.port}, data in ${path.dirname(mariadb.dataDir)}`,
      );
    else
      print(
        `No MariaDB or MySQL server on this machine: the migration, the API and the page are skipped; the AWS side runs in full. Install one: ${MARIADB_INSTALL.debian} (Debian/Ubuntu) or ${MARIADB_INSTALL.macos} (macOS).`,
      );
    // moto validates every template with cfn-lint, whose first import takes seconds: start it
    // now, while the demo does its other start-up work, rather than in the first stack's step.
    const aws = awsClients({ endpoint: moto.url, region: REGION });
    const warmUp = aws.cloudformation
      .send(
        new ValidateTemplateCommand({
          TemplateBody: '{"Resources":{"Q":{"Type":"AWS::SNS::Topic"}}}',
        }),
      )
      .catch(() => undefined);
    print(`moto ${version}: its CloudFormation creates ${types.size} resource types`);
    const proxy = await startExitCodeProxy({ upstream: moto.url });
    cleanup.push(() => proxy.stop());
    print(
      `The actions call the local AWS through ${proxy.url}, which passes everything to moto and adds the migration task's real exit code to DescribeTasks (moto reports 0 for every container).`,
    );
    // Tasks stay RUNNING until the stand-in stops them with their command's exit code.
    await fetch(`${moto.url}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({
        model_name: 'ecs::task',
        transition: { progression: 'manual', times: 1_000_000 },
      }),
    });

    const site = await time('build the frontend (vite)', () => buildFrontend());
    await time('moto loads cfn-lint (template validation)', () => warmUp);
    const demo = {
      region: REGION,
      account: ACCOUNT,
      aws,
      mariadb: mariadb ? await databaseHandle(mariadb) : undefined,
      edgeFunctions: new Map(),
      edgeBucketPolicies: new Map(),
      distributionConfigs: new Map(),
      runId: String(Date.now()),
    };
    if (demo.mariadb) cleanup.unshift(() => demo.mariadb.close());
    const images = new Map();
    const stacks = new Map();
    const env = {
      AWS_ENDPOINT_URL: proxy.url,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_REGION: REGION,
      AWS_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
    };
    /** @type {ReturnType<typeof startStandIns> | undefined} */
    let standIns;
    /** @type {Awaited<ReturnType<typeof startLocalEdge>> | undefined} */
    let edge;
    const headCommit = gitHead();
    const releases = [
      { number: 1, commit: headCommit, site, says: `commit ${headCommit} (this checkout's HEAD)` },
      {
        number: 2,
        commit: createHash('sha1').update(`${headCommit}:release-2`).digest('hex'),
        site: editedCopy(site, cleanup),
        says: "a made-up next commit: this checkout's HEAD with index.html changed, not committed",
      },
    ];
    const results = [];
    for (const release of releases) {
      print(`\n${'═'.repeat(100)}\nRelease ${release.number}: ${release.says}\n${'═'.repeat(100)}`);
      const workspace = mkdtempSync(path.join(tmpdir(), `demo-release-${release.number}-`));
      cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
      // deploy.yml's layout: the app's checkout, the toolkit's checkout in .three-tier-deploy.
      symlinkSync(REPO_ROOT, path.join(workspace, '.three-tier-deploy'), 'dir');
      const at = Date.now();
      const inputs = callerInputs(Boolean(mariadb));
      print(
        `deploy.yml's inputs, as the caller's with: gives them: ${Object.entries(inputs)
          .filter(([name, value]) => value !== '' && value !== workflowInputs()[name]?.default)
          .map(([name, value]) => `${name}: ${value}`)
          .join('; ')}`,
      );
      const result = await runRelease({
        number: release.number,
        commit: release.commit,
        site: release.site,
        workspace,
        inputs,
        demo,
        motoTypes: types,
        stacks,
        images,
        env: /** @type {Record<string, string>} */ (env),
        backend: {
          build: () => buildBackend(),
          buildDir: path.join(BACKEND, 'build'),
          dockerfile: path.join(BACKEND, 'Dockerfile'),
          workdir: BACKEND,
        },
        expect: expectations(release.number, Boolean(mariadb)),
        substituteLog,
        print,
        afterStep: async (
          /** @type {string} */ id,
          /** @type {Record<string, string>} */ outputs,
        ) => {
          if (id === 'app' && mariadb && !standIns) {
            standIns = startStandIns({
              aws,
              cluster: outputs.ClusterName,
              service: outputs.ServiceName,
              images,
              exits: proxy,
              environment: (base) => forThisMachine(base, { mariadb, moto: moto.url }),
              announce,
            });
            cleanup.unshift(() => standIns?.stop());
          }
          if (id === 'edge' && mariadb && !edge) {
            edge = await startLocalEdge({
              config: demo.distributionConfigs.get(outputs.DistributionId),
              s3: aws.s3,
              functions: demo.edgeFunctions,
              bucketPolicies: demo.edgeBucketPolicies,
              api: () => standIns?.apiUrl(),
              log: announce,
            });
            cleanup.unshift(() => edge?.stop());
            announce(
              `local edge: the distribution ${outputs.DistributionId}'s behaviours on ${edge.url} (HTTP on 127.0.0.1 in place of https://${outputs.DistributionDomainName}): /api and /api/* to the local API, the rest from bucket ${outputs.BucketName}, with the SPA function's code on that behaviour; ` +
                "it routes by the configuration the demo gave moto from edge.yaml, since moto's copy keeps neither the function associations nor, once updated, the S3 origin's S3OriginConfig (cloudfront/models.py)",
            );
          }
          if (id === 'deploy' && standIns) {
            await standIns.waitForRevision(outputs['task-definition-arn']);
          }
        },
      });
      results.push({ release, result, ms: Date.now() - at });
      timings.push([`release ${release.number}`, Date.now() - at]);
      if (result.failures.length > 0) {
        failed = true;
        print(`\nRelease ${release.number} failed:\n- ${result.failures.join('\n- ')}`);
        break;
      }
    }

    if (!failed && edge) {
      const page = await fetch(edge.url);
      const health = await fetch(new URL('/api/health', edge.url));
      print(
        `\nThe local edge answers: GET / → ${page.status} (${page.headers.get('content-type')}), GET /api/health → ${health.status} ${await health.text()}`,
      );
      if (page.status !== 200 || health.status !== 200) failed = true;
    }

    printSubstitutes({ substituteLog, announced });
    printTimings({ results, timings, total: Date.now() - started });
    if (failed) {
      process.exitCode = 1;
      return;
    }
    if (edge) print(`\nThe example app: ${edge.url}`);
    if (keep && edge) {
      print(
        'Everything keeps running (--keep): open the URL, add a note, reload. Ctrl-C stops it all.',
      );
      await new Promise((resolve) => (waitingForCtrlC = resolve));
    }
    print(
      mariadb
        ? '\nDemo finished: both releases passed; stopping the local AWS, MariaDB and the stand-ins.'
        : '\nDemo finished: both releases passed (the AWS side only); stopping the local AWS.',
    );
  } finally {
    await stopAll();
  }
}

/** Stops what the demo started, each once, in the order cleanup lists them. */
async function stopAll() {
  while (cleanup.length > 0) {
    const stop = /** @type {() => unknown} */ (cleanup.shift());
    try {
      await stop();
    } catch (error) {
      print(`(stopping: ${/** @type {Error} */ (error).message})`);
    }
  }
}

// Ctrl-C ends --keep normally; at any other moment it stops what was started, then exits, so
// no moto, MariaDB or stand-in outlives the demo.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (waitingForCtrlC) {
      waitingForCtrlC(undefined);
      waitingForCtrlC = undefined;
      return;
    }
    print(`\n${signal}: stopping the local AWS, MariaDB and the stand-ins.`);
    stopAll().finally(() => process.exit(130));
  });
}

/** deploy.yml's inputs as a caller of the workflow would give them for the example app. */
function callerInputs(/** @type {boolean} */ hasDatabase) {
  const declared = workflowInputs();
  return {
    ...Object.fromEntries(Object.entries(declared).map(([name, spec]) => [name, spec.default])),
    environment: 'demo',
    'stack-prefix': PREFIX,
    'frontend-directory': 'example-app/frontend',
    'frontend-build-command': 'npm run build',
    'frontend-output': 'example-app/frontend/dist',
    'backend-context': '.',
    dockerfile: 'example-app/backend/Dockerfile',
    // deploy.yml skips the migration when this is empty: without a database there is none to migrate.
    'migration-command': hasDatabase ? 'npm run migrate' : '',
  };
}

/** What each release's steps must show; a step that does not fails the demo. */
function expectations(/** @type {number} */ release, /** @type {boolean} */ hasDatabase) {
  const stack = (
    /** @type {Record<string, string>} */ outputs,
    /** @type {string} */ _log,
    /** @type {string[]} */ changedParameters,
  ) => {
    if (release === 1)
      return outputs.changed === 'true' ? undefined : 'expected release 1 to create the stack';
    // A later release changes a stack only where deploy.yml passes it another parameter value.
    if (changedParameters.length > 0)
      return outputs.changed === 'true'
        ? undefined
        : `expected the change of ${changedParameters.join(', ')} to update the stack`;
    return outputs.changed === 'false' ? undefined : 'expected "No changes" in release 2';
  };
  return {
    network: stack,
    data: stack,
    app: stack,
    edge: stack,
    register: (/** @type {Record<string, string>} */ outputs) =>
      outputs.registered === 'true' ? undefined : 'expected a new revision with the new image',
    migrate: (/** @type {Record<string, string>} */ outputs, /** @type {string} */ log) => {
      if (!hasDatabase) return undefined;
      if (outputs['exit-code'] !== '0') return `the migration exited with ${outputs['exit-code']}`;
      if (release === 2 && !log.includes('done: 0 migration(s) applied'))
        return 'expected the migration to be a no-op in release 2';
      if (release === 1 && !/done: [1-9]\d* migration\(s\) applied/.test(log))
        return 'expected release 1 to apply the migrations';
      return undefined;
    },
    publish: (/** @type {Record<string, string>} */ outputs) => {
      if (release === 1)
        return Number(outputs.uploaded) > 0
          ? undefined
          : 'expected the first publish to upload the site';
      return outputs.uploaded === '1' && outputs['invalidation-id']
        ? undefined
        : `expected one upload and its invalidation, got ${outputs.uploaded} and "${outputs['invalidation-id']}"`;
    },
  };
}

/**
 * A revision's environment, changed only where this machine differs from the VPC: the database
 * is the local MariaDB (no TLS), the AWS APIs are the local AWS, and the process listens on
 * 127.0.0.1 only.
 */
function forThisMachine(
  /** @type {Record<string, string>} */ base,
  /** @type {{ mariadb: any, moto: string }} */ local,
) {
  const wanted = {
    DB_HOST: '127.0.0.1',
    DB_READER_HOST: '127.0.0.1',
    DB_PORT: String(local.mariadb.port),
    DB_TLS: 'off',
    HOST: '127.0.0.1',
  };
  const changed = Object.entries(wanted)
    .filter(([key, value]) => key in base && base[key] !== value)
    .map(([key, value]) => `${key} ${base[key]} → ${value}`);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    ...base,
    ...Object.fromEntries(Object.entries(wanted).filter(([key]) => key in base || key === 'HOST')),
    AWS_ENDPOINT_URL: local.moto,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
  };
  return { env, changed: [...changed, 'AWS endpoint → the local AWS'] };
}

/** The demo's own connection to the throwaway MariaDB (mysql2, the backend's client). */
async function databaseHandle(
  /** @type {{ host: string, port: number, user: string, password: string }} */ server,
) {
  const mysql = createRequire(path.join(BACKEND, 'package.json'))('mysql2/promise');
  const connection = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
  });
  return {
    port: server.port,
    query: (/** @type {string} */ sql) => connection.query(sql),
    close: () => connection.end(),
  };
}

function gitHead() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '0'.repeat(40);
  }
}

/** Newest modification time under a folder (or of a file). */
function newest(/** @type {string} */ file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newest(path.join(file, name))));
}

/** deploy.yml's frontend job: the example frontend's build (vite), unless it is up to date. */
function buildFrontend() {
  const dist = path.join(FRONTEND, 'dist');
  const index = path.join(dist, 'index.html');
  const sources = ['index.html', 'src', 'vite.config.ts', 'package.json'].map((name) =>
    path.join(FRONTEND, name),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return dist;
  const build = spawnSync(
    'npm',
    ['run', 'build', '--silent', '--workspace', 'example-app/frontend'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (build.status !== 0) throw new Error('Building the example frontend failed.');
  return dist;
}

/** The backend compiled on this machine (tsc), as the image's build stage does; kept when current. */
function buildBackend() {
  const build = path.join(BACKEND, 'build', 'server.js');
  const sources = ['src', 'tsconfig.build.json', 'package.json'].map((name) =>
    path.join(BACKEND, name),
  );
  if (
    existsSync(build) &&
    newest(path.join(BACKEND, 'build')) >= Math.max(...sources.map(newest))
  ) {
    print('   the backend build (example-app/backend/build) is newer than its sources: kept.');
    return;
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: BACKEND,
    stdio: 'inherit',
  });
}

/** The next release's build: the same site with one file changed (removed when the demo stops). */
function editedCopy(/** @type {string} */ site, /** @type {(() => unknown)[]} */ cleanup) {
  const copy = mkdtempSync(path.join(tmpdir(), 'demo-site-2-'));
  cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(site, copy, { recursive: true });
  const index = path.join(copy, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('</body>', '<!-- release 2 --></body>'));
  return copy;
}

function printSubstitutes(
  /** @type {{ substituteLog: string[], announced: string[] }} */ { substituteLog, announced },
) {
  print(
    `\n${'═'.repeat(100)}\nWhat stood in for AWS on this machine (nothing else was changed)\n${'═'.repeat(100)}`,
  );
  print('\nmoto could not create these from the templates; the demo did this instead:');
  for (const line of new Set(substituteLog)) print(`- ${line}`);
  const standIns = [
    ...new Set(
      announced.filter((line) => line.startsWith('stand-in:') || line.startsWith('local edge:')),
    ),
  ];
  if (standIns.length > 0) {
    print(
      '\nmoto runs no containers and has no CloudFront edge; these ran on this machine instead:',
    );
    for (const line of standIns) print(`- ${line.replace(/^stand-in: /, '')}`);
  }
}

function printTimings(
  /** @type {{ results: any[], timings: [string, number][], total: number }} */ {
    results,
    timings,
    total,
  },
) {
  print('\nWall time:');
  for (const [label, ms] of timings)
    print(`  ${label.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
  const ids = [
    ...new Set(
      results.flatMap(({ result }) =>
        Object.entries(result.steps)
          .filter(([, step]) => step.ms > 0)
          .map(([id]) => id),
      ),
    ),
  ];
  print(
    `\n  ${'step'.padEnd(40)} ${results.map(({ release }) => `release ${release.number}`.padStart(10)).join('')}`,
  );
  for (const id of ids)
    print(
      `  ${id.padEnd(40)} ${results.map(({ result }) => `${((result.steps[id]?.ms ?? 0) / 1000).toFixed(1)} s`.padStart(10)).join('')}`,
    );
  print(
    `  ${'total (both releases and start-up)'.padEnd(40)} ${(total / 1000).toFixed(1).padStart(6)} s`,
  );
}

/**
 * CPU seconds of the demo and of every process it started and waited for (moto, MariaDB, the
 * actions, the stand-ins), from /proc/self/stat on Linux: what the run cost, whatever else the
 * machine was busy with.
 */
function cpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat(5); fields[0] here is field 3.
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return ticks / 100;
  } catch {
    return undefined;
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    const cpu = cpuSeconds();
    if (cpu !== undefined)
      print(`CPU time: ${cpu.toFixed(1)} s (the demo and every process it started)`);
  });
