/**
 * `npm run migrate` (apply pending migrations) and `npm run migrate:status`; the command the
 * deploy pipeline's migration task runs in the container. Exit code 0 when the schema is up to
 * date, 1 on any failure, so the pipeline stops before the new code rolls out.
 */
import { readDatabaseConfig } from './config.js';
import { credentialSourceFor } from './db/credentials.js';
import { migrateUp, migrationStatus, type MigrateOptions } from './migrations/migrator.js';

const USAGE = 'usage: node build/migrate.js [up|status]';

async function main(command: string): Promise<void> {
  if (command !== 'up' && command !== 'status')
    throw new Error(`unknown command ${command}; ${USAGE}`);
  const config = readDatabaseConfig();
  const credentials = await credentialSourceFor(config).current();
  const options: MigrateOptions = {
    target: {
      host: config.host,
      port: config.port,
      database: config.name,
      credentials,
      tls: config.tls,
    },
    // Another folder of migrations (the tests use one with a broken file); the shipped one otherwise.
    directory: process.env.MIGRATIONS_DIR || undefined,
    lockTimeoutSeconds: Number(process.env.MIGRATION_LOCK_TIMEOUT_SECONDS) || 120,
    report: (line) => console.log(line),
  };
  console.log(`database ${config.name} on ${config.host}:${config.port} as ${credentials.user}`);
  if (command === 'status') {
    const status = await migrationStatus(options);
    for (const name of status.executed) console.log(`applied  ${name}`);
    for (const name of status.pending) console.log(`pending  ${name}`);
    console.log(`${status.executed.length} applied, ${status.pending.length} pending`);
    return;
  }
  const applied = await migrateUp(options);
  console.log(`done: ${applied.length} migration(s) applied`);
}

main(process.argv[2] ?? 'up').then(
  () => process.exit(0),
  (error: unknown) => {
    // umzug wraps the database error as its cause; print both so the task log shows the SQL error.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    if (cause && !(error as Error).message.includes(cause.message))
      console.error(`cause: ${cause.message}`);
    process.exit(1);
  },
);
