/**
 * The local run (`npm run local`): the built frontend at / and the API at /api on one port,
 * the way CloudFront serves them, against the local MariaDB; creates the database if missing and
 * applies the migrations first. Defaults suit the dev container (root without a password).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import mysql from 'mysql2/promise';
import { readDatabaseConfig, readServerConfig } from './config.js';
import { createLogger } from './log.js';
import { migrateUp } from './migrations/migrator.js';
import { createRuntime } from './runtime.js';
import { stopOnSignals } from './shutdown.js';

const FRONTEND_DIST = fileURLToPath(new URL('../../frontend/dist/', import.meta.url));

const env = {
  DB_HOST: '127.0.0.1',
  DB_PORT: '3306',
  DB_NAME: 'notes_local',
  DB_USER: 'root',
  DB_PASSWORD: '',
  HOST: '127.0.0.1',
  ...process.env,
};
const server = readServerConfig(env);
const database = readDatabaseConfig(env);
const log = createLogger({ level: server.logLevel });
const staticDir = process.env.FRONTEND_DIST ?? FRONTEND_DIST;

if (!existsSync(`${staticDir}/index.html`)) {
  log.fatal(`no built frontend in ${staticDir}: run npm run build -w example-app/frontend`);
  process.exit(1);
}
if (database.password.kind !== 'password' || !database.user) {
  log.fatal('the local run needs DB_USER and DB_PASSWORD (not DB_SECRET_ARN)');
  process.exit(1);
}
const credentials = { user: database.user, password: database.password.password };

await createDatabaseIfMissing();
await migrateUp({
  target: { host: database.host, port: database.port, database: database.name, credentials },
  report: (line) => log.info({ event: 'migration' }, line),
});

const { app } = createRuntime({ database, log });
// Like the S3 origin behind CloudFront: hashed assets cache forever, index.html never.
await app.register(fastifyStatic, {
  root: staticDir,
  cacheControl: false,
  setHeaders: (response, file) => {
    response.setHeader(
      'cache-control',
      file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    );
  },
});
stopOnSignals(app, { timeoutMs: server.shutdownTimeoutMs, log });
const address = await app.listen({ host: server.host, port: server.port });
log.info({ event: 'listening', url: address, database: database.name }, `open ${address}/`);

async function createDatabaseIfMissing(): Promise<void> {
  const connection = await mysql.createConnection({
    host: database.host,
    port: database.port,
    ...credentials,
  });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(database.name)} CHARACTER SET utf8mb4`,
    );
  } finally {
    await connection.end();
  }
}
