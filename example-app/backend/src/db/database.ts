/**
 * The connection pool (mysql2, prepared statements) and the one thing it adds: when the server
 * refuses the password (RDS rotated the secret), it fetches the credentials again and replaces the
 * pool instead of failing every request until the task restarts.
 */
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import type { DatabaseTls } from '../config.js';
import type { Logger } from '../log.js';
import type { CredentialSource, DbCredentials } from './credentials.js';
import { tlsOptions } from './tls.js';

export interface DatabaseOptions {
  host: string;
  port: number;
  database: string;
  credentials: CredentialSource;
  tls?: DatabaseTls;
  poolSize?: number;
  connectTimeoutMs?: number;
  log: Logger;
}

interface PoolState {
  pool: Pool;
  credentials: DbCredentials;
}

/** How long a replaced pool keeps serving the queries it already started. */
const RETIRE_AFTER_MS = 30_000;

export function isAccessDenied(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'ER_ACCESS_DENIED_ERROR'
  );
}

export class Database {
  private state: Promise<PoolState> | undefined;
  private replacing: Promise<PoolState | undefined> | undefined;
  private readonly retired = new Set<Pool>();
  private closed = false;

  constructor(private readonly options: DatabaseOptions) {}

  /** Runs one prepared statement; rows for SELECT, a result header for INSERT/UPDATE/DELETE. */
  async execute<T>(sql: string, params: (string | number | null)[] = []): Promise<T> {
    return this.withPool(async (pool) => {
      const [result] = await pool.execute(sql, params);
      return result as T;
    });
  }

  /** Answers when the database does: a fresh round trip, for the readiness check. */
  async ping(): Promise<void> {
    await this.withPool(async (pool) => {
      await pool.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const state = await this.state?.catch(() => undefined);
    this.state = undefined;
    // A replaced pool may still hold the refused connection attempt, whose error end() repeats.
    const retired = [...this.retired].map((pool) => pool.end().catch(() => undefined));
    await Promise.all([state?.pool.end(), ...retired]);
    this.retired.clear();
  }

  private async withPool<T>(operation: (pool: Pool) => Promise<T>): Promise<T> {
    const state = await this.current();
    try {
      return await operation(state.pool);
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      const replacement = await this.replace(state);
      if (!replacement) throw error;
      // Safe to run again: an authentication failure happens while connecting, before the
      // statement reached the server, so nothing ran twice.
      return operation(replacement.pool);
    }
  }

  private current(): Promise<PoolState> {
    if (this.closed) return Promise.reject(new Error('the database pool is closed'));
    if (!this.state) {
      const pending = this.options.credentials.current().then((credentials) => ({
        pool: this.createPool(credentials),
        credentials,
      }));
      pending.catch(() => {
        if (this.state === pending) this.state = undefined;
      });
      this.state = pending;
    }
    return this.state;
  }

  /**
   * Replaces the pool whose credentials were refused, once for all the requests that failed
   * together. Undefined when the source has nothing newer, so the caller reports the refusal.
   */
  private async replace(failed: PoolState): Promise<PoolState | undefined> {
    const latest = await this.state;
    if (latest && latest !== failed) return latest; // another request already replaced it
    this.replacing ??= this.fetchAndReplace(failed).finally(() => {
      this.replacing = undefined;
    });
    return this.replacing;
  }

  private async fetchAndReplace(failed: PoolState): Promise<PoolState | undefined> {
    const { log, credentials: source } = this.options;
    log.warn(
      { event: 'db.access-denied', user: failed.credentials.user, source: source.description },
      'database refused the credentials; fetching them again',
    );
    const fresh = await source.refresh();
    if (this.closed) return undefined; // shut down meanwhile: open nothing new
    if (fresh.user === failed.credentials.user && fresh.password === failed.credentials.password) {
      log.error(
        { event: 'db.credentials-unchanged', source: source.description },
        'the credential source has nothing newer; not reconnecting',
      );
      return undefined;
    }
    const state = { pool: this.createPool(fresh), credentials: fresh };
    this.state = Promise.resolve(state);
    this.retire(failed.pool);
    log.info(
      { event: 'db.reconnected', user: fresh.user },
      'reconnecting with the new credentials',
    );
    return state;
  }

  /** Connections already open keep working after a rotation; let them finish, then close. */
  private retire(pool: Pool): void {
    this.retired.add(pool);
    const timer = setTimeout(() => {
      this.retired.delete(pool);
      pool.end().catch(() => undefined);
    }, RETIRE_AFTER_MS);
    timer.unref();
  }

  private createPool(credentials: DbCredentials): Pool {
    const options: PoolOptions = {
      host: this.options.host,
      port: this.options.port,
      database: this.options.database,
      user: credentials.user,
      password: credentials.password,
      connectionLimit: this.options.poolSize ?? 10,
      waitForConnections: true,
      connectTimeout: this.options.connectTimeoutMs ?? 5_000,
      enableKeepAlive: true,
      // DATETIME values come back as the server's text; the notes store turns them into ISO UTC.
      dateStrings: true,
      ...tlsOptions(this.options.tls ?? 'off'),
    };
    return mysql.createPool(options);
  }
}
