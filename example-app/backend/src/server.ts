/** The container's entry point: `node build/server.js`. */
import { readDatabaseConfig, readServerConfig } from './config.js';
import { createLogger } from './log.js';
import { createRuntime } from './runtime.js';
import { stopOnSignals } from './shutdown.js';

const bootLog = createLogger();
try {
  const server = readServerConfig();
  const log = createLogger({ level: server.logLevel });
  const { app } = createRuntime({ database: readDatabaseConfig(), log });
  stopOnSignals(app, { timeoutMs: server.shutdownTimeoutMs, log });
  // Fastify logs "Server listening at …" itself.
  await app.listen({ host: server.host, port: server.port });
} catch (error) {
  bootLog.fatal({ event: 'startup.failed', err: error }, 'the server could not start');
  process.exit(1);
}
