/**
 * The MariaDB the tests use and throwaway databases with random names, dropped after the file's
 * tests. The ring's global setup (test-support/mariadb-global-setup.mjs) starts a throwaway server
 * on a free loopback port and exports it as TEST_DB_HOST, _PORT, _USER and _PASSWORD (or keeps
 * the ones given, to use an existing server); 127.0.0.1:3306 as root is only the last resort for
 * a test run outside the ring.
 */
import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';

export const MARIADB = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 3306),
  user: process.env.TEST_DB_USER ?? 'root',
  password: process.env.TEST_DB_PASSWORD ?? '',
};

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A root connection for setup and for looking at what the code under test did. */
export function adminConnection(database?: string): Promise<Connection> {
  return mysql.createConnection({ ...MARIADB, database, multipleStatements: true });
}

export interface ThrowawayDatabase {
  name: string;
  /** Environment for the backend's config (DB_HOST … DB_PASSWORD) pointing at this database. */
  env: Record<string, string>;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(prefix = 'notes_test'): Promise<ThrowawayDatabase> {
  const name = randomName(prefix);
  const admin = await adminConnection();
  await admin.query(`CREATE DATABASE ${mysql.escapeId(name)} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${mysql.escapeId(name)}`);
  return {
    name,
    env: {
      DB_HOST: MARIADB.host,
      DB_PORT: String(MARIADB.port),
      DB_USER: MARIADB.user,
      DB_PASSWORD: MARIADB.password,
      DB_NAME: name,
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await admin.query(sql, params);
      return rows as T;
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
      await admin.end();
    },
  };
}
