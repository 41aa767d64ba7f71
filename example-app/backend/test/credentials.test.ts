/**
 * Secret rotation: RDS rotates the Aurora-managed secret every 7 days. When the database refuses
 * the password the pool holds, the app must fetch the secret again and reconnect, without a
 * restart. A fake secret source stands in for Secrets Manager; the refusal is a real MariaDB one
 * (a user created for this file, whose password the test "rotates").
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mysql from 'mysql2/promise';
import { readDatabaseConfig } from '../src/config.js';
import {
  parseDatabaseSecret,
  SecretCredentials,
  type SecretReader,
} from '../src/db/credentials.js';
import { Database } from '../src/db/database.js';
import { migrateUp } from '../src/migrations/migrator.js';
import { createRuntime } from '../src/runtime.js';
import { client, listenLocally } from './support/http.js';
import { collectLog } from './support/log-lines.js';
import {
  createThrowawayDatabase,
  MARIADB,
  randomName,
  type ThrowawayDatabase,
} from './support/mariadb.js';

// A busy CI machine can take seconds per spawned process or new database; Jest's default is 5 s
// (a testTimeout in a project's config is not applied, so it is set here).
jest.setTimeout(30_000);

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-test';
let db: ThrowawayDatabase;
const user = randomName('app').slice(0, 32); // MariaDB user names: at most 80, MySQL 5.7: 32
const account = `${mysql.escape(user)}@'%'`;

/** A Secrets Manager stand-in: answers with the secret's current JSON and counts the calls. */
function fakeSecret(initial: { username?: string; password: string }) {
  let value = JSON.stringify(initial);
  let calls = 0;
  const read: SecretReader = async (arn) => {
    calls += 1;
    if (arn !== ARN) throw new Error(`unexpected secret ${arn}`);
    return value;
  };
  return {
    read,
    calls: () => calls,
    rotate(password: string) {
      value = JSON.stringify({ username: user, password });
    },
  };
}

async function setPassword(password: string): Promise<void> {
  await db.query(`ALTER USER ${account} IDENTIFIED BY ${mysql.escape(password)}`);
}

beforeAll(async () => {
  db = await createThrowawayDatabase('rotation_test');
  await migrateUp({
    target: { ...MARIADB, database: db.name, credentials: MARIADB },
  });
  await db.query(`CREATE USER ${account} IDENTIFIED BY 'first-password'`);
  await db.query(`GRANT SELECT, INSERT, DELETE ON ${mysql.escapeId(db.name)}.* TO ${account}`);
});
afterAll(async () => {
  await db?.query(`DROP USER IF EXISTS ${account}`);
  await db?.drop();
});

function database(credentials: SecretCredentials, log = collectLog()) {
  return new Database({
    host: MARIADB.host,
    port: MARIADB.port,
    database: db.name,
    credentials,
    poolSize: 3,
    log: log.log,
  });
}

function secretSource(read: SecretReader): SecretCredentials {
  return new SecretCredentials({ secretArn: ARN, read, minRefreshIntervalMs: 0 });
}

describe('after the password was rotated', () => {
  it('fetches the secret again on ER_ACCESS_DENIED_ERROR and reconnects, once for concurrent requests', async () => {
    // The secret read at startup holds the old password; RDS has rotated it since (the same
    // state as a long-running pool that must open a new connection after a rotation).
    await setPassword('second-password');
    const secret = fakeSecret({ username: user, password: 'first-password' });
    const log = collectLog();
    const credentials = secretSource(secret.read);
    await credentials.current(); // read at startup
    secret.rotate('second-password');
    const pool = database(credentials, log);
    let results: { n: number }[][];
    try {
      results = await Promise.all(
        Array.from({ length: 5 }, () => pool.execute<{ n: number }[]>('SELECT 1 AS n')),
      );
    } finally {
      await pool.close();
    }
    expect(results.map((rows) => rows[0]!.n)).toEqual([1, 1, 1, 1, 1]);
    expect(secret.calls()).toBe(2); // the startup read and one refetch, not one per request
    const events = log.lines().map((line) => line.event);
    expect(events.filter((event) => event === 'db.reconnected')).toHaveLength(1);
    expect(log.text()).not.toMatch(/first-password|second-password/);
  });

  it('reports the refusal (no loop, no restart needed) while the secret has nothing newer', async () => {
    await setPassword('third-password');
    const secret = fakeSecret({ username: user, password: 'stale-password' });
    const log = collectLog();
    const pool = database(secretSource(secret.read), log);
    try {
      await expect(pool.ping()).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
      expect(secret.calls()).toBe(2);
      expect(log.lines().map((line) => line.event)).toContain('db.credentials-unchanged');
      // The secret catches up; the next request recovers on its own.
      secret.rotate('third-password');
      await expect(pool.ping()).resolves.toBeUndefined();
      expect(log.text()).not.toMatch(/stale-password|third-password/);
    } finally {
      await pool.close();
    }
  });

  it('readiness goes from 503 to 200 through the HTTP API once the secret is rotated', async () => {
    await setPassword('fourth-password');
    const secret = fakeSecret({ username: user, password: 'old-password' });
    const env = { ...db.env, DB_SECRET_ARN: ARN };
    delete (env as Record<string, string | undefined>).DB_PASSWORD;
    const { app } = createRuntime({
      database: readDatabaseConfig(env),
      log: collectLog().log,
      // No minimum interval between refreshes, so the test need not wait 5 s for it.
      secrets: { read: secret.read, minRefreshIntervalMs: 0 },
    });
    try {
      const request = client(await listenLocally(app));
      const refused = await request({ url: '/api/health/ready' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toEqual({
        status: 'unavailable',
        reason: 'database: the credentials were refused (ER_ACCESS_DENIED_ERROR)',
      });
      // Public behind CloudFront: neither the password nor the user name or host address.
      expect(refused.body).not.toMatch(new RegExp(`old-password|${user}|127\\.0\\.0\\.1`));
      secret.rotate('fourth-password');
      expect((await request({ url: '/api/health/ready' })).statusCode).toBe(200);
      const created = await request({ method: 'POST', url: '/api/notes', payload: { text: 'ok' } });
      expect(created.statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });
});

describe('SecretCredentials', () => {
  it('reads the secret once, then again only on refresh, and not twice within the interval', async () => {
    let now = 1_000;
    const secret = fakeSecret({ username: user, password: 'p1' });
    const source = new SecretCredentials({
      secretArn: ARN,
      read: secret.read,
      minRefreshIntervalMs: 5_000,
      now: () => now,
    });
    expect(await source.current()).toEqual({ user, password: 'p1' });
    expect(await source.current()).toEqual({ user, password: 'p1' });
    expect(secret.calls()).toBe(1);
    secret.rotate('p2');
    expect(await source.refresh()).toEqual({ user, password: 'p1' }); // within 5 s of the read
    now += 5_000;
    expect(await source.refresh()).toEqual({ user, password: 'p2' });
    expect(secret.calls()).toBe(2);
  });

  it('tries Secrets Manager again after a failed read', async () => {
    let fail = true;
    const source = new SecretCredentials({
      secretArn: ARN,
      read: async () => {
        if (fail) throw new Error('throttled');
        return JSON.stringify({ username: 'u', password: 'p' });
      },
    });
    await expect(source.current()).rejects.toThrow('throttled');
    fail = false;
    expect(await source.current()).toEqual({ user: 'u', password: 'p' });
  });
});

describe('parseDatabaseSecret', () => {
  it('reads username and password, falling back to DB_USER for the username', () => {
    expect(parseDatabaseSecret(ARN, '{"username":"admin","password":"x"}', 'other')).toEqual({
      user: 'admin',
      password: 'x',
    });
    expect(parseDatabaseSecret(ARN, '{"password":"x"}', 'fallback')).toEqual({
      user: 'fallback',
      password: 'x',
    });
  });

  it.each([
    ['not JSON', 'hunter2', /is not JSON/],
    ['no password', '{"username":"a"}', /no string "password"/],
    ['no username anywhere', '{"password":"p"}', /no "username" field and DB_USER is not set/],
  ])('fails clearly when the secret has %s, without echoing it', (_case, text, message) => {
    let error: unknown;
    try {
      parseDatabaseSecret(ARN, text, undefined);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toMatch(message);
    expect(String(error)).toContain(ARN);
    expect(String(error)).not.toContain('hunter2');
  });
});
