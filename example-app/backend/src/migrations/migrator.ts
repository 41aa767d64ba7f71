/**
 * Schema migrations with umzug: SQL files in migrations/ applied in name order, each recorded in
 * `schema_migrations` after it succeeded, under a MySQL named lock (GET_LOCK) so two runners
 * (two deploys, or a deploy and a local run) never apply at the same time.
 *
 * MySQL commits DDL implicitly, so a migration cannot be rolled back by a transaction: keep one
 * DDL statement per file (or make each statement idempotent). A failed file is not recorded, the
 * ones before it stay recorded, and the next run starts again at the failed one.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { Umzug, type UmzugStorage } from 'umzug';
import type { DatabaseTls } from '../config.js';
import type { DbCredentials } from '../db/credentials.js';
import { tlsOptions } from '../db/tls.js';

/** The SQL files shipped with the backend (next to build/ in the image, next to src/ here). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface MigrationTarget {
  host: string;
  port: number;
  database: string;
  credentials: DbCredentials;
  tls?: DatabaseTls;
}

export interface MigrateOptions {
  target: MigrationTarget;
  /** Folder of NNNN_name.sql files; the shipped migrations/ unless a test passes its own. */
  directory?: string;
  /** How long to wait for another runner's lock before giving up. */
  lockTimeoutSeconds?: number;
  /** One line per step, for the migration task's log. */
  report?: (line: string) => void;
}

export interface MigrationStatus {
  executed: string[];
  pending: string[];
}

export class MigrationLockTimeout extends Error {
  constructor(lock: string, seconds: number) {
    super(
      `Another migration runner has held the lock ${lock} for over ${seconds} s; ` +
        'wait for it to finish (or find the stuck session with SHOW PROCESSLIST) and run again.',
    );
    this.name = 'MigrationLockTimeout';
  }
}

const HISTORY_TABLE = 'schema_migrations';

/** Applies every pending migration; returns the names applied (none when up to date). */
export async function migrateUp(options: MigrateOptions): Promise<string[]> {
  return withLockedConnection(options, async (connection) => {
    const umzug = createUmzug(connection, options.directory ?? MIGRATIONS_DIR);
    const report = options.report ?? (() => undefined);
    umzug.on('migrating', ({ name }) => report(`applying ${name}`));
    umzug.on('migrated', ({ name }) => report(`applied ${name}`));
    const applied = await umzug.up();
    if (applied.length === 0) report('nothing to apply: the schema is up to date');
    return applied.map((migration) => migration.name);
  });
}

/** Which migrations are recorded and which are waiting (read-only, takes no lock). */
export async function migrationStatus(options: MigrateOptions): Promise<MigrationStatus> {
  const connection = await connect(options.target);
  try {
    const umzug = createUmzug(connection, options.directory ?? MIGRATIONS_DIR);
    const [executed, pending] = await Promise.all([umzug.executed(), umzug.pending()]);
    return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
  } finally {
    await connection.end();
  }
}

function createUmzug(connection: Connection, directory: string): Umzug<object> {
  return new Umzug({
    migrations: {
      glob: ['[0-9][0-9][0-9][0-9]_*.sql', { cwd: directory }],
      resolve: ({ name, path: file }) => ({
        name: name.replace(/\.sql$/, ''),
        up: async () => {
          if (!file) throw new Error(`migration ${name} has no file`);
          await connection.query(await readFile(file, 'utf8'));
        },
      }),
    },
    storage: historyStorage(connection),
    logger: undefined,
  });
}

/** The history umzug reads and writes: one row per applied migration. */
function historyStorage(connection: Connection): UmzugStorage {
  return {
    async executed() {
      try {
        const [rows] = await connection.query<RowDataPacket[]>(
          `SELECT name FROM ${HISTORY_TABLE} ORDER BY name`,
        );
        return rows.map((row) => String(row.name));
      } catch (error) {
        // No table yet means nothing applied; `status` stays read-only on a fresh database.
        if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') return [];
        throw error;
      }
    },
    async logMigration({ name }) {
      await connection.query(
        `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
           name VARCHAR(255) NOT NULL PRIMARY KEY,
           applied_at DATETIME(3) NOT NULL
         )`,
      );
      await connection.execute(
        `INSERT INTO ${HISTORY_TABLE} (name, applied_at) VALUES (?, UTC_TIMESTAMP(3))`,
        [name],
      );
    },
    async unlogMigration({ name }) {
      await connection.execute(`DELETE FROM ${HISTORY_TABLE} WHERE name = ?`, [name]);
    },
  };
}

/**
 * Named locks are server-wide, so the name includes the database; MySQL caps lock names at 64
 * characters, hence the hash for long database names.
 */
export function lockName(database: string): string {
  const name = `schema_migrations:${database}`;
  return name.length <= 64
    ? name
    : `schema_migrations:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

async function withLockedConnection<T>(
  options: MigrateOptions,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(options.target);
  const lock = lockName(options.target.database);
  const timeout = options.lockTimeoutSeconds ?? 120;
  try {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS acquired', [
      lock,
      timeout,
    ]);
    if (rows[0]?.acquired !== 1) throw new MigrationLockTimeout(lock, timeout);
    try {
      return await work(connection);
    } finally {
      // The lock also ends with the session, so a runner that dies never blocks the next one.
      await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    }
  } finally {
    await connection.end().catch(() => undefined);
  }
}

function connect(target: MigrationTarget): Promise<Connection> {
  return mysql.createConnection({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.credentials.user,
    password: target.credentials.password,
    // A migration file may hold several statements (for example a table and its index).
    multipleStatements: true,
    connectTimeout: 10_000,
    ...tlsOptions(target.tls ?? 'off'),
  });
}
