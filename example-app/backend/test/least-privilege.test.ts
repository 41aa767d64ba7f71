/**
 * The service and its migrations connect as the application's own MySQL user, never as the
 * master user (cloudformation/data.yaml, AppDatabaseUser). This file gives a MariaDB user exactly
 * the privileges data.yaml grants on Aurora, on the one schema, and runs the shipped migrations
 * (the compiled command the migration task runs) and the API as that user: what the app needs is
 * granted, and what only an administrator may do is refused.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { parse } from 'yaml';
import { readDatabaseConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';
import { client, listenLocally } from './support/http.js';
import { collectLog } from './support/log-lines.js';
import {
  adminConnection,
  createThrowawayDatabase,
  MARIADB,
  type ThrowawayDatabase,
} from './support/mariadb.js';

jest.setTimeout(30_000);

const BACKEND = fileURLToPath(new URL('../', import.meta.url));
const DATA_TEMPLATE = fileURLToPath(new URL('../../../cloudformation/data.yaml', import.meta.url));

/** The privileges data.yaml's custom resource grants the application user on its schema. */
function templatePrivileges(): string[] {
  // The short-form tags (!Ref ...) stay unresolved; only the literal list is read.
  const template = parse(readFileSync(DATA_TEMPLATE, 'utf8'), { logLevel: 'silent' }) as {
    Resources: { AppDatabaseUser: { Properties: { Privileges: string[] } } };
  };
  return template.Resources.AppDatabaseUser.Properties.Privileges;
}

const PRIVILEGES = templatePrivileges();
const user = `lp_${randomBytes(4).toString('hex')}`;
const password = randomBytes(12).toString('hex');
// The host the test database sees the connection from varies (TCP from 127.0.0.1, a container
// network); Aurora's user is 'app'@'%', so these are too.
const HOSTS = ['%', 'localhost', '127.0.0.1'];

let db: ThrowawayDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createThrowawayDatabase('least_privilege');
  const admin = await adminConnection();
  try {
    for (const host of HOSTS) {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
      await admin.query(`GRANT ${PRIVILEGES.join(', ')} ON ${mysql.escapeId(db.name)}.* TO ?@?`, [
        user,
        host,
      ]);
    }
  } finally {
    await admin.end();
  }
  env = { ...db.env, DB_USER: user, DB_PASSWORD: password };
});

afterAll(async () => {
  const admin = await adminConnection();
  try {
    for (const host of HOSTS) await admin.query('DROP USER IF EXISTS ?@?', [user, host]);
  } finally {
    await admin.end();
  }
  await db?.drop();
});

function migrate(
  command: 'up' | 'status',
  as: Record<string, string> = env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['build/migrate.js', command], {
      cwd: BACKEND,
      env: { PATH: process.env.PATH ?? '', ...as },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the application user with the privileges of data.yaml', () => {
  it('are the schema privileges only: no global or administrative one', () => {
    expect(PRIVILEGES).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']));
    for (const global of [
      'ALL',
      'ALL PRIVILEGES',
      'SUPER',
      'CREATE USER',
      'GRANT OPTION',
      'FILE',
      'PROCESS',
      'RELOAD',
    ]) {
      expect(PRIVILEGES).not.toContain(global);
    }
  });

  it('applies the shipped migrations (the migration task runs as this user)', async () => {
    const run = await migrate('up');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`as ${user}`);
    expect(run.stdout).toContain('applied 0001_create_notes');
    const again = await migrate('up');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to apply');
  });

  it('control: one privilege fewer (CREATE) and the migrations fail, so this file would notice a missing one', async () => {
    const other = await createThrowawayDatabase('least_privilege_control');
    const weak = `${user}_w`;
    const admin = await adminConnection();
    try {
      for (const host of HOSTS) {
        await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [weak, host, password]);
        await admin.query(
          `GRANT ${PRIVILEGES.filter((p) => p !== 'CREATE').join(', ')} ON ${mysql.escapeId(other.name)}.* TO ?@?`,
          [weak, host],
        );
      }
      const run = await migrate('up', { ...other.env, DB_USER: weak, DB_PASSWORD: password });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/CREATE command denied/i);
    } finally {
      for (const host of HOSTS) await admin.query('DROP USER IF EXISTS ?@?', [weak, host]);
      await admin.end();
      await other.drop();
    }
  });

  it('serves the API (the service runs as this user)', async () => {
    const { app } = createRuntime({ database: readDatabaseConfig(env), log: collectLog().log });
    try {
      const request = client(await listenLocally(app));
      const created = await request({ method: 'POST', url: '/api/notes', payload: { text: 'hi' } });
      expect(created.statusCode).toBe(201);
      const { id } = created.json() as { id: number };
      const listed = await request({ url: '/api/notes' });
      expect((listed.json() as { items: { id: number }[] }).items.map((n) => n.id)).toContain(id);
      expect((await request({ url: '/api/health/ready' })).statusCode).toBe(200);
      expect((await request({ method: 'DELETE', url: `/api/notes/${id}` })).statusCode).toBe(204);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['another schema', 'CREATE DATABASE least_privilege_other'],
    ['the user table', 'SELECT user FROM mysql.user'],
    ['user management', "CREATE USER 'intruder'@'%' IDENTIFIED BY 'x'"],
    ['granting', () => `GRANT SELECT ON ${mysql.escapeId(db.name)}.* TO 'intruder'@'%'`],
    ['server administration', 'SET GLOBAL max_connections = 10'],
  ])('is refused %s', async (_what, sql) => {
    const connection = await mysql.createConnection({
      host: MARIADB.host,
      port: MARIADB.port,
      user,
      password,
      database: db.name,
    });
    try {
      await expect(connection.query(typeof sql === 'function' ? sql() : sql)).rejects.toThrow(
        /denied|privilege/i,
      );
    } finally {
      await connection.end();
    }
  });
});
