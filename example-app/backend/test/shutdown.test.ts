/**
 * Graceful shutdown: what SIGTERM triggers (app.close()) lets a request that is already running
 * finish, refuses new connections meanwhile, and closes the database pool at the end.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { readDatabaseConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';
import { listenLocally } from './support/http.js';
import { collectLog } from './support/log-lines.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './support/mariadb.js';

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
