/**
 * Graceful stop on SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish,
 * close the pool, exit 0. If that takes longer than the budget (shorter than ECS's stopTimeout),
 * exit 1 so the log shows the cut instead of a silent SIGKILL.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from './log.js';

export function stopOnSignals(app: FastifyInstance, options: { timeoutMs: number; log: Logger }) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.log.info({ event: 'shutdown', signal }, 'stopping: finishing in-flight requests');
    const deadline = setTimeout(() => {
      options.log.error(
        { event: 'shutdown.timeout', timeoutMs: options.timeoutMs },
        'requests still running at the shutdown deadline; exiting',
      );
      process.exit(1);
    }, options.timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        options.log.info({ event: 'shutdown.done' }, 'stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        options.log.error({ event: 'shutdown.failed', err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
