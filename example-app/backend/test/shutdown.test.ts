/**
 * Graceful shutdown: what SIGTERM triggers (app.close()) lets a request that is already running
 * finish, refuses new connections meanwhile, and closes the database pool at the end; the server
 * process exits 0 when done, or 1 at its deadline (SHUTDOWN_TIMEOUT_MS, under ECS's stopTimeout).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mysql2/promise';
import { readDatabaseConfig } from '../src/config.js';
import { migrateUp } from '../src/migrations/migrator.js';
import { createRuntime } from '../src/runtime.js';
import { listenLocally } from './support/http.js';
import { collectLog } from './support/log-lines.js';
import {
  adminConnection,
  createThrowawayDatabase,
  MARIADB,
  type ThrowawayDatabase,
} from './support/mariadb.js';

const BACKEND = fileURLToPath(new URL('../', import.meta.url));

// A busy CI machine can take seconds per spawned process or new database; Jest's default is 5 s
// (a testTimeout in a project's config is not applied, so it is set here).
jest.setTimeout(30_000);

let db: ThrowawayDatabase;
beforeAll(async () => {
  db = await createThrowawayDatabase('shutdown_test');
});
afterAll(async () => db?.drop());

it('finishes the in-flight request, refuses new ones, then closes the pool', async () => {
  const { app, database } = createRuntime({
    database: readDatabaseConfig(db.env),
    log: collectLog().log,
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  // A request that takes as long as the test says, standing in for a slow query.
  app.get('/api/slow', async () => {
    started();
    await released;
    await database.ping(); // the pool is still open while the request runs
    return { finished: true };
  });
  const url = await listenLocally(app);

  const slow = fetch(`${url}/api/slow`);
  await running;
  let closed = false;
  const closing = app.close().then(() => (closed = true));

  // Listening stopped: a new connection is refused while the slow request is still running.
  await expect(fetch(`${url}/api/health`, { headers: { connection: 'close' } })).rejects.toThrow();
  expect(closed).toBe(false);

  release();
  const response = await slow;
  expect(response.status).toBe(200);
  expect(response.headers.get('connection')).toBe('close');
  expect(await response.json()).toEqual({ finished: true });
  await closing;
  expect(closed).toBe(true);
  await expect(database.ping()).rejects.toThrow('the database pool is closed');
});

/**
 * The container's entry point (`node build/server.js`) on SIGTERM, as ECS sends it after the ALB
 * drained the task. A note insert held up by a table lock is the request still in flight.
 */
describe('node build/server.js on SIGTERM', () => {
  let lock: Connection;
  beforeAll(async () => {
    await migrateUp({
      target: { ...MARIADB, database: db.name, credentials: MARIADB },
    });
    lock = await adminConnection(db.name);
  });
  afterAll(async () => lock?.end());

  function startServer(env: Record<string, string>) {
    const child = spawn(process.execPath, ['build/server.js'], {
      cwd: BACKEND,
      env: { ...process.env, ...db.env, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += String(chunk);
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
    const events = () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { event?: string }).event)
        .filter(Boolean);
    return { child, url, exited, events };
  }

  /** Starts a POST that waits for the table lock, and resolves once the server sent its INSERT. */
  async function blockedInsert(url: string, text: string) {
    await lock.query('LOCK TABLES notes WRITE');
    const response = fetch(`${url}/api/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    response.catch(() => undefined); // the timeout case cuts it; the test looks at it there
    for (;;) {
      const waiting = await db.query<unknown[]>(
        "SELECT id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'INSERT INTO notes%'",
        [db.name],
      );
      // Wrapped: returning the promise itself would wait for the response, which waits for us.
      if (waiting.length > 0) return { response };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function stopsListening(url: string): Promise<void> {
    for (;;) {
      const refused = await fetch(`${url}/api/health`, { headers: { connection: 'close' } }).then(
        () => false,
        () => true,
      );
      if (refused) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers the request in flight, then exits 0', async () => {
    const server = startServer({});
    try {
      const { response: inFlight } = await blockedInsert(
        await server.url,
        'written during shutdown',
      );
      server.child.kill('SIGTERM');
      // Soon no longer listening for new connections (the signal arrives asynchronously), while
      // the request in flight keeps the process running.
      await stopsListening(await server.url);
      expect(server.child.exitCode).toBeNull();
      await lock.query('UNLOCK TABLES');
      const response = await inFlight;
      expect(response.status).toBe(201);
      expect(response.headers.get('connection')).toBe('close');
      expect(await server.exited).toBe(0);
      expect(server.events()).toEqual(expect.arrayContaining(['shutdown', 'shutdown.done']));
      const stored = await db.query<{ text: string }[]>('SELECT text FROM notes');
      expect(stored.map((row) => row.text)).toContain('written during shutdown');
    } finally {
      await lock.query('UNLOCK TABLES');
      server.child.kill('SIGKILL');
    }
  });

  it('exits 1 at SHUTDOWN_TIMEOUT_MS when a request does not finish, saying so', async () => {
    const server = startServer({ SHUTDOWN_TIMEOUT_MS: '200' });
    try {
      const { response: inFlight } = await blockedInsert(await server.url, 'cut by the deadline');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(server.events()).toContain('shutdown.timeout');
      expect(server.events()).not.toContain('shutdown.done');
      await expect(inFlight).rejects.toThrow();
    } finally {
      await lock.query('UNLOCK TABLES');
      server.child.kill('SIGKILL');
    }
  });
});
