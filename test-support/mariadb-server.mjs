// A throwaway MariaDB (or MySQL) for the tests and the demo, the way the integration ring starts
// moto: a fresh data directory under the system's temp folder, a free port on 127.0.0.1, the
// socket in that folder, root without a password; stopped and deleted at the end. Nothing of the
// machine's own database server (its config files, port 3306, its data) is used or touched.
// Plain JavaScript because Jest's global setup and `npm run demo` load it outside any TS transform.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './moto-server.mjs';

/** Where package managers put the server when it is not on PATH (Debian's sbin, Homebrew). */
const EXTRA_DIRS = [
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/opt/homebrew/bin',
  '/opt/homebrew/sbin',
  '/opt/homebrew/opt/mariadb/bin',
  '/usr/local/opt/mariadb/bin',
  '/opt/homebrew/opt/mysql/bin',
  '/usr/local/opt/mysql/bin',
  '/usr/local/mysql/bin',
];

/** The install commands, for messages that say what is missing. */
export const MARIADB_INSTALL = {
  debian: 'sudo apt-get install -y mariadb-server',
  macos: 'brew install mariadb',
};

/**
 * @typedef {{ flavor: 'mariadb' | 'mysql', server: string, installer?: string, version: string }} ServerBinary
 * @typedef {{ host: string, port: number, user: string, password: string }} Connection
 * @typedef {Connection & {
 *   socket: string, dataDir: string, binary: ServerBinary,
 *   env: Record<string, string>, stop: () => Promise<void>,
 * }} RunningMariadb
 */

function isExecutable(/** @type {string} */ file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string[]} names @param {string[]} [preferDirs] */
function which(names, preferDirs = []) {
  const dirs = [...preferDirs, ...(process.env.PATH ?? '').split(path.delimiter), ...EXTRA_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return undefined;
}

/**
 * The database server binary on this machine, or undefined.
 * MariaDB: mariadbd (or its older name mysqld) with mariadb-install-db / mysql_install_db;
 * MySQL: mysqld, which initialises its own data directory.
 * @returns {ServerBinary | undefined}
 */
export function findDatabaseServer() {
  const found = which(['mariadbd', 'mysqld']);
  if (!found) return undefined;
  const server = realpathSync(found);
  const probe = spawnSync(server, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = (probe.stdout || probe.stderr || '').trim();
  if (probe.status !== 0) return undefined;
  if (/mariadb/i.test(version)) {
    const bin = path.dirname(server);
    const installer = which(
      ['mariadb-install-db', 'mysql_install_db'],
      [bin, path.join(path.dirname(bin), 'bin'), path.join(path.dirname(bin), 'scripts')],
    );
    return { flavor: 'mariadb', server, installer, version };
  }
  return { flavor: 'mysql', server, version };
}

/**
 * A server the caller named through TEST_DB_HOST (and TEST_DB_PORT, _USER, _PASSWORD), used as it
 * is instead of a throwaway one, e.g. a CI service container.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Connection | undefined}
 */
export function databaseFromEnvironment(env = process.env) {
  if (!env.TEST_DB_HOST) return undefined;
  return {
    host: env.TEST_DB_HOST,
    port: Number(env.TEST_DB_PORT ?? 3306),
    user: env.TEST_DB_USER ?? 'root',
    password: env.TEST_DB_PASSWORD ?? '',
  };
}

/** The variables the example app's tests read (example-app/backend/test/support/mariadb.ts). */
export function testDatabaseEnv(/** @type {Connection} */ connection) {
  return {
    TEST_DB_HOST: connection.host,
    TEST_DB_PORT: String(connection.port),
    TEST_DB_USER: connection.user,
    TEST_DB_PASSWORD: connection.password,
  };
}

/** Runs as root (a container): both servers refuse to unless told which user to be. */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** Small files and buffers: a test database holds a few rows. */
const SMALL = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M'];

/**
 * Initialises a data directory and starts the server on a free loopback port.
 * @param {{ binary?: ServerBinary }} [options]
 * @returns {Promise<RunningMariadb>}
 */
export async function startMariadb(options = {}) {
  const binary = options.binary ?? findDatabaseServer();
  if (!binary) {
    throw new Error(
      `No MariaDB or MySQL server binary found (mariadbd or mysqld on PATH or in ${EXTRA_DIRS[0]}): ` +
        `install one with ${MARIADB_INSTALL.debian} (Debian/Ubuntu) or ${MARIADB_INSTALL.macos} (macOS).`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mariadb-'));
  const dataDir = path.join(dir, 'data');
  try {
    initialise({ binary, dataDir, dir });
    // The port was free a moment ago; another process may take it first, so try a few.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch({ binary, dataDir, dir, port: await freePort() });
      } catch (error) {
        if (!(error instanceof PortTaken) || attempt === 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class PortTaken extends Error {}

/** @param {{ binary: ServerBinary, dataDir: string, dir: string }} options */
function initialise({ binary, dataDir, dir }) {
  const user = asRoot ? ['--user=root'] : [];
  const basedir = path.dirname(path.dirname(binary.server));
  const [command, args] =
    binary.flavor === 'mariadb'
      ? [
          binary.installer ?? 'mariadb-install-db',
          [
            '--no-defaults',
            `--basedir=${basedir}`,
            `--datadir=${dataDir}`,
            '--auth-root-authentication-method=normal',
            '--skip-test-db',
            ...user,
            ...SMALL,
          ],
        ]
      : [
          binary.server,
          ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...user],
        ];
  if (binary.flavor === 'mariadb' && !binary.installer) {
    throw new Error(
      `${binary.server} is MariaDB, but mariadb-install-db (or mysql_install_db) is missing: ` +
        `reinstall with ${MARIADB_INSTALL.debian} or ${MARIADB_INSTALL.macos}.`,
    );
  }
  const run = spawnSync(command, args, { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  if (run.status !== 0) {
    throw new Error(
      `${path.basename(command)} could not create a data directory in ${dataDir} ` +
        `(exit ${run.status}):\n${`${run.stdout}\n${run.stderr}`.trim().slice(-2000)}`,
    );
  }
}

/** @param {{ binary: ServerBinary, dataDir: string, dir: string, port: number }} options */
async function launch({ binary, dataDir, dir, port }) {
  const socket = path.join(dir, 'mysqld.sock');
  const errorLog = path.join(dir, 'error.log');
  const args = [
    '--no-defaults',
    `--basedir=${path.dirname(path.dirname(binary.server))}`,
    `--datadir=${dataDir}`,
    '--bind-address=127.0.0.1',
    `--port=${port}`,
    '--skip-networking=0',
    `--socket=${socket}`,
    `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    `--log-error=${errorLog}`,
    ...(asRoot ? ['--user=root'] : []),
    ...(binary.flavor === 'mariadb' ? SMALL : ['--mysqlx=OFF']),
  ];
  const child = spawn(binary.server, args, { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const readLog = () => {
    try {
      return readFileSync(errorLog, 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = readLog();
      if (/already in use|Can't start server: Bind/i.test(log)) throw new PortTaken(log);
      throw new Error(`${binary.server} exited while starting:\n${log.slice(-2000)}`);
    }
    // The log line, not a TCP probe: another process may have taken the port in the meantime.
    if (/ready for connections/.test(readLog()) && (await listening(port))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${binary.server} did not listen on 127.0.0.1:${port} within 60 s:\n${readLog().slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const connection = { host: '127.0.0.1', port, user: 'root', password: '' };
  let stopping;
  return {
    ...connection,
    socket,
    dataDir,
    binary,
    env: testDatabaseEnv(connection),
    stop() {
      // SIGTERM is a normal shutdown for both servers; the folder goes once the process has.
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(killer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function listening(/** @type {number} */ port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}
