/** Wires configuration to the database, the notes store and the HTTP app (server and local run). */
import type { FastifyInstance } from 'fastify';
import type { DatabaseConfig } from './config.js';
import { credentialSourceFor, type SecretAccess } from './db/credentials.js';
import { Database } from './db/database.js';
import { buildApp } from './http/app.js';
import type { Logger } from './log.js';
import { NotesStore } from './notes/notes-store.js';

export interface Runtime {
  app: FastifyInstance;
  database: Database;
}

export function createRuntime(options: {
  database: DatabaseConfig;
  log: Logger;
  secrets?: SecretAccess;
}): Runtime {
  const database = new Database({
    host: options.database.host,
    port: options.database.port,
    database: options.database.name,
    credentials: credentialSourceFor(options.database, options.secrets),
    poolSize: options.database.poolSize,
    tls: options.database.tls,
    log: options.log,
  });
  const app = buildApp({
    notes: new NotesStore(database),
    readiness: () => database.ping(),
    log: options.log,
  });
  // Fastify closes the pool after in-flight requests finished, on SIGTERM or in tests.
  app.addHook('onClose', async () => database.close());
  return { app, database };
}
