// What `npm test` needs beyond `npm ci`, checked all at once before any test runs: a missing piece
// fails the run within seconds with one block that names each missing piece and the command that
// installs it, instead of a browser test failing deep into the run. The default export is a Jest
// global setup; the rings' own global setups call `assertPrerequisitesForRun` first.
// Plain JavaScript because Jest's global setup loads it outside any TS transform.
import { spawn } from 'node:child_process';
import { findChromium } from './chromium.mjs';
import {
  MARIADB_INSTALL,
  databaseFromEnvironment,
  findDatabaseServer,
  listening,
} from './mariadb-server.mjs';
import { MOTO_PYTHON } from './moto-server.mjs';

/**
 * @typedef {'node' | 'moto' | 'cfn-lint' | 'mariadb' | 'chromium'} Piece
 * @typedef {{ ok: true, found: string } | { ok: false, problem: string }} Check
 * @typedef {{ piece: Piece, title: string, debian: string, macos: string, check: () => Promise<Check> }} Prerequisite
 */

const VENV = '~/.venvs/aws';
const MOTO_VENV = `python3 -m venv ${VENV} && ${VENV}/bin/pip install "moto[server]" && export PATH="$HOME/.venvs/aws/bin:$PATH"`;

/** @type {Prerequisite[]} */
export const PREREQUISITES = [
  {
    piece: 'node',
    title: 'Node.js 20 or newer',
    debian:
      'curl -fsSL https://deb.nodesource.com/setup_22.x | sudo -E bash - && sudo apt-get install -y nodejs',
    macos: 'brew install node@22',
    check: async () => {
      const major = Number(process.versions.node.split('.')[0]);
      return major >= 20
        ? { ok: true, found: `Node ${process.versions.node}` }
        : { ok: false, problem: `this is Node ${process.versions.node}` };
    },
  },
  {
    piece: 'moto',
    title: "moto's server mode (the local AWS), with cfn-lint in the same Python",
    debian: `sudo apt-get install -y python3-venv && ${MOTO_VENV}`,
    macos: MOTO_VENV,
    check: async () => {
      // moto's CloudFormation validates templates with cfn-lint, imported into moto's process.
      const probe = await run(MOTO_PYTHON, [
        '-c',
        'import moto, moto.server, flask, cfnlint; print(moto.__version__)',
      ]);
      if (probe.ok) return { ok: true, found: `moto ${probe.stdout.trim()} (${MOTO_PYTHON})` };
      const missing = /No module named '?([\w.]+)'?/.exec(probe.output)?.[1];
      return {
        ok: false,
        problem: missing
          ? `${MOTO_PYTHON} has no module ${missing} (MOTO_PYTHON picks another Python)`
          : `${MOTO_PYTHON}: ${lastLine(probe.output)}`,
      };
    },
  },
  {
    piece: 'cfn-lint',
    title: 'cfn-lint (the CloudFormation linter) on PATH',
    debian: 'sudo apt-get install -y pipx && pipx install cfn-lint',
    macos: 'brew install cfn-lint',
    check: async () => {
      const probe = await run('cfn-lint', ['--version']);
      return probe.ok
        ? { ok: true, found: probe.stdout.trim() }
        : { ok: false, problem: `cfn-lint --version: ${lastLine(probe.output)}` };
    },
  },
  {
    piece: 'mariadb',
    title: 'a MariaDB (or MySQL) server binary; the tests start their own throwaway server',
    debian: MARIADB_INSTALL.debian,
    macos: MARIADB_INSTALL.macos,
    check: async () => {
      const given = databaseFromEnvironment();
      if (given) {
        return (await listening(given.port, given.host))
          ? { ok: true, found: `the server at TEST_DB_HOST ${given.host}:${given.port}` }
          : {
              ok: false,
              problem: `TEST_DB_HOST names ${given.host}:${given.port}, where nothing answers`,
            };
      }
      const binary = findDatabaseServer();
      if (!binary) return { ok: false, problem: 'no mariadbd or mysqld on PATH or in /usr/sbin' };
      if (binary.flavor === 'mariadb' && !binary.installer)
        return { ok: false, problem: `${binary.server} has no mariadb-install-db next to it` };
      return { ok: true, found: binary.version.replace(/^\S*\//, '').replace(/\s+/g, ' ') };
    },
  },
  {
    piece: 'chromium',
    title: "a Chromium (CHROMIUM_PATH, Playwright's, /usr/bin/chromium or Google Chrome)",
    debian:
      'npx playwright-core install --with-deps chromium   (or: sudo apt-get install -y chromium)',
    macos: 'npx playwright-core install chromium',
    check: async () => {
      const found = findChromium();
      if (!found) {
        return {
          ok: false,
          problem: process.env.CHROMIUM_PATH
            ? `CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, not an executable`
            : 'none installed',
        };
      }
      // A browser whose shared libraries are missing fails here, not in the first browser test.
      const probe = await run(found.path, ['--version']);
      return probe.ok
        ? { ok: true, found: `${probe.stdout.trim()} at ${found.path}` }
        : { ok: false, problem: `${found.path} --version: ${lastLine(probe.output)}` };
    },
  },
];

/** What each test ring needs (jest.config.js displayNames). */
export const RING_NEEDS = {
  // test-support/mariadb-server.test.ts starts the throwaway server.
  unit: ['node', 'mariadb'],
  // The demo's test runs in this ring: moto, its MariaDB and the page in Chromium.
  integration: ['node', 'moto', 'mariadb', 'chromium'],
  static: ['node', 'cfn-lint'],
  'example-app': ['node', 'mariadb', 'chromium'],
};

/**
 * The rings this Jest run selected (--selectProjects / --ignoreProjects), all when none was named.
 * Jest keeps those options out of the global config it hands a global setup, so they are read
 * from the command line of the Jest process, where global setups run.
 * @param {{ argv?: string[] }} [options]
 */
export function selectedRings({ argv = process.argv } = {}) {
  const all = Object.keys(RING_NEEDS);
  const selected = optionValues(argv, 'selectProjects');
  const ignored = optionValues(argv, 'ignoreProjects');
  return (selected.length > 0 ? selected : all).filter((ring) => !ignored.includes(ring));
}

/** Values of a yargs array option: `--name a b`, `--name=a`, repeated; up to the next flag. */
function optionValues(/** @type {string[]} */ argv, /** @type {string} */ name) {
  /** @type {string[]} */
  const values = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
    else if (arg === `--${name}`) {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) values.push(argv[++i]);
    }
  }
  return values;
}

/**
 * Checks the pieces in parallel.
 * @param {Piece[]} pieces
 * @returns {Promise<{ prerequisite: Prerequisite, result: Check }[]>}
 */
export async function checkPrerequisites(pieces) {
  const wanted = PREREQUISITES.filter((prerequisite) => pieces.includes(prerequisite.piece));
  return Promise.all(
    wanted.map(async (prerequisite) => ({ prerequisite, result: await prerequisite.check() })),
  );
}

/**
 * The one block a run prints when pieces are missing, or undefined when nothing is.
 * @param {{ prerequisite: Prerequisite, result: Check }[]} results
 * @param {string[]} rings
 */
export function missingReport(results, rings) {
  const missing = results.filter(({ result }) => !result.ok);
  if (missing.length === 0) return undefined;
  const lines = [
    `The tests (${rings.join(', ')}) need ${missing.length === 1 ? 'one thing' : `${missing.length} things`} this machine lacks:`,
    '',
  ];
  for (const { prerequisite, result } of missing) {
    lines.push(`  ✗ ${prerequisite.title}: ${result.ok ? '' : result.problem}`);
    lines.push(`      Debian/Ubuntu: ${prerequisite.debian}`);
    lines.push(`      macOS:         ${prerequisite.macos}`);
  }
  const found = results.filter(({ result }) => result.ok);
  if (found.length > 0) {
    lines.push(
      '',
      `Found: ${found.map(({ result }) => (result.ok ? result.found : '')).join('; ')}.`,
    );
  }
  lines.push(
    '',
    'README.md ("Try it") lists them all; npm test -- --selectProjects <ring> checks only what that ring needs.',
  );
  return lines.join('\n');
}

/**
 * Fails the run with the block when anything a selected ring needs is missing. Checked once per
 * Jest run (global setups share the main process), whichever ring's setup comes first.
 */
export async function assertPrerequisitesForRun() {
  globalThis.__PREREQUISITES__ ??= (async () => {
    const rings = selectedRings();
    const pieces = [...new Set(rings.flatMap((ring) => RING_NEEDS[ring] ?? []))];
    return missingReport(await checkPrerequisites(pieces), rings);
  })();
  const report = await globalThis.__PREREQUISITES__;
  if (report) {
    const error = new Error(`\n\n${report}\n`);
    // The block is the whole message: a stack trace into this file would only bury it.
    error.stack = error.message;
    throw error;
  }
}

/** Jest global setup for a ring that starts nothing of its own (the static ring). */
export default async function globalSetup() {
  await assertPrerequisitesForRun();
}

/**
 * @param {string} command @param {string[]} args
 * @returns {Promise<{ ok: boolean, stdout: string, output: string }>}
 */
function run(command, args) {
  return new Promise((resolve) => {
    let stdout = '';
    let output = '';
    /** @type {import('node:child_process').ChildProcess} */
    let child;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ ok: false, stdout, output: String(error) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      const notFound = /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT';
      resolve({ ok: false, stdout, output: notFound ? `${command}: not found` : String(error) });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, stdout, output: output || `exit ${code}` });
    });
  });
}

function lastLine(/** @type {string} */ text) {
  return text.trim().split('\n').pop() ?? '';
}
