/**
 * The migration command (`node build/migrate.js`, what `npm run migrate` and the pipeline's
 * migration task run) against a real MariaDB: from empty, again (no-op), two runners at once,
 * and a broken migration.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockName } from '../src/migrations/migrator.js';
import {
  adminConnection,
  createThrowawayDatabase,
  type ThrowawayDatabase,
} from './support/mariadb.js';

// A busy CI machine can take seconds per spawned process or new database; Jest's default is 5 s
// (a testTimeout in a project's config is not applied, so it is set here).
jest.setTimeout(30_000);

const BACKEND = fileURLToPath(new URL('../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function migrate(command: 'up' | 'status', env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['build/migrate.js', command], {
      cwd: BACKEND,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function history(db: ThrowawayDatabase): Promise<{ name: string; applied_at: string }[]> {
  return db.query('SELECT name, applied_at FROM schema_migrations ORDER BY name');
}

async function tables(db: ThrowawayDatabase): Promise<string[]> {
  const rows = await db.query<{ name: string }[]>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
    [db.name],
  );
  return rows.map((row) => row.name);
}

let db: ThrowawayDatabase;
let folder: string | undefined;

beforeEach(async () => {
  db = await createThrowawayDatabase('migrate_test');
});
afterEach(async () => {
  await db?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

async function migrationsFolder(files: Record<string, string>): Promise<string> {
  folder = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(folder, name), sql);
  return folder;
}

describe('the shipped migrations', () => {
  it('apply to an empty database, then a second run changes nothing', async () => {
    const before = await migrate('status', db.env);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('pending  0001_create_notes');
    expect(await tables(db)).toEqual([]); // status is read-only

    const first = await migrate('up', db.env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 0001_create_notes');
    expect(await tables(db)).toEqual(['notes', 'schema_migrations']);
    const recorded = await history(db);
    expect(recorded.map((row) => row.name)).toEqual(['0001_create_notes']);

    const second = await migrate('up', db.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to apply');
    expect(second.stdout).not.toContain('applying');
    expect(await history(db)).toEqual(recorded); // same rows, same applied_at

    const after = await migrate('status', db.env);
    expect(after.stdout).toContain('applied  0001_create_notes');
    expect(after.stdout).toContain('1 applied, 0 pending');
  });
});

describe('two runners started together', () => {
  it('apply each migration once: the second waits for the lock, then finds nothing to do', async () => {
    // The first file holds the lock for a second, so the two runs overlap for sure. Without
    // the lock both would apply 0002 and one would fail on "table already exists".
    const dir = await migrationsFolder({
      '0001_slow.sql': 'DO SLEEP(1); CREATE TABLE slow (id INT PRIMARY KEY);',
      '0002_second.sql': 'CREATE TABLE second (id INT PRIMARY KEY);',
    });
    const env = { ...db.env, MIGRATIONS_DIR: dir };
    const [a, b] = await Promise.all([migrate('up', env), migrate('up', env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outputs = [a.stdout, b.stdout];
    expect(outputs.filter((out) => out.includes('applied 0001_slow'))).toHaveLength(1);
    expect(outputs.filter((out) => out.includes('applied 0002_second'))).toHaveLength(1);
    expect(outputs.filter((out) => out.includes('nothing to apply'))).toHaveLength(1);
    expect((await history(db)).map((row) => row.name)).toEqual(['0001_slow', '0002_second']);
  });
});

describe('a runner that cannot get the lock', () => {
  it('gives up after MIGRATION_LOCK_TIMEOUT_SECONDS, exits non-zero and applies nothing', async () => {
    const holder = await adminConnection();
    try {
      // Another session (a stuck runner) holds the lock.
      await holder.query('SELECT GET_LOCK(?, 0)', [lockName(db.name)]);
      const run = await migrate('up', { ...db.env, MIGRATION_LOCK_TIMEOUT_SECONDS: '1' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `Another migration runner has held the lock ${lockName(db.name)}`,
      );
      expect(await tables(db)).toEqual([]);
    } finally {
      await holder.end();
    }
  });
});

describe('a broken migration', () => {
  it('exits non-zero, keeps the history consistent, and the fixed file applies next time', async () => {
    const dir = await migrationsFolder({
      '0001_good.sql': 'CREATE TABLE good (id INT PRIMARY KEY);',
      '0002_broken.sql': 'CREATE TABLE broken (id INT PRIMARY KEY,);',
      '0003_later.sql': 'CREATE TABLE later (id INT PRIMARY KEY);',
    });
    const env = { ...db.env, MIGRATIONS_DIR: dir };
    const failed = await migrate('up', env);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/migration failed: .*0002_broken/);
    expect(failed.stderr).toMatch(/SQL syntax/);
    // 0001 recorded, 0002 not (it failed), 0003 never started.
    expect((await history(db)).map((row) => row.name)).toEqual(['0001_good']);
    expect(await tables(db)).toEqual(['good', 'schema_migrations']);
    const [lock] = await db.query<{ free: number }[]>('SELECT IS_FREE_LOCK(?) AS free', [
      lockName(db.name),
    ]);
    expect(lock!.free).toBe(1);

    const status = await migrate('status', env);
    expect(status.stdout).toContain('1 applied, 2 pending');

    await writeFile(path.join(dir, '0002_broken.sql'), 'CREATE TABLE broken (id INT PRIMARY KEY);');
    const fixed = await migrate('up', env);
    expect(fixed.code).toBe(0);
    expect((await history(db)).map((row) => row.name)).toEqual([
      '0001_good',
      '0002_broken',
      '0003_later',
    ]);
  });
});

describe('configuration and connection errors', () => {
  it('exits non-zero naming the missing variable', async () => {
    const { DB_HOST: _omitted, ...env } = db.env;
    const run = await migrate('up', env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Environment variable DB_HOST');
  });

  it('exits non-zero when the database refuses the connection', async () => {
    const run = await migrate('up', { ...db.env, DB_PORT: '1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/migration failed: .*ECONNREFUSED/);
  });

  it('exits non-zero for an unknown command', async () => {
    const run = await migrate('sideways' as 'up', db.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('usage: node build/migrate.js [up|status]');
  });
});

describe('lockName', () => {
  it('names the database, and stays within MySQL’s 64 characters for long names', () => {
    expect(lockName('notes')).toBe('schema_migrations:notes');
    const long = lockName('d'.repeat(64));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(lockName('e'.repeat(64)));
  });
});
