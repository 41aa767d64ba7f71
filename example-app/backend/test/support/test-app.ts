/** The API wired to a throwaway database with the migrations applied, for app.inject() tests. */
import type { FastifyInstance } from 'fastify';
import { readDatabaseConfig } from '../../src/config.js';
import { migrateUp } from '../../src/migrations/migrator.js';
import { createRuntime } from '../../src/runtime.js';
import { client, listenLocally, type HttpRequest, type HttpResponse } from './http.js';
import { collectLog, type CollectedLog } from './log-lines.js';
import { createThrowawayDatabase, MARIADB, type ThrowawayDatabase } from './mariadb.js';

export interface TestApp {
  app: FastifyInstance;
  db: ThrowawayDatabase;
  logs: CollectedLog;
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export async function startTestApp(): Promise<TestApp> {
  const db = await createThrowawayDatabase();
  await migrateUp({
    target: {
      host: MARIADB.host,
      port: MARIADB.port,
      database: db.name,
      credentials: { user: MARIADB.user, password: MARIADB.password },
    },
  });
  const logs = collectLog();
  const { app } = createRuntime({ database: readDatabaseConfig(db.env), log: logs.log });
  const request = client(await listenLocally(app));
  return {
    app,
    request,
    db,
    logs,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
