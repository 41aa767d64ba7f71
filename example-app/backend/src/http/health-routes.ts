/** The ALB's health check (no database) and a readiness check that asks the database. */
import type { FastifyPluginAsync } from 'fastify';

/** Resolves when the database answers; rejects with the reason otherwise. */
export type ReadinessProbe = () => Promise<void>;

const READY_TIMEOUT_MS = 3_000;

export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessProbe }> = async (
  app,
  options,
) => {
  // Liveness for the ALB: a database outage must not make every task "unhealthy" and get it
  // replaced in a loop, so this never touches the database.
  app.get('/', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    try {
      await withTimeout(options.readiness(), READY_TIMEOUT_MS);
      return { status: 'ready' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return reply.code(503).send({ status: 'unavailable', reason: `database: ${reason}` });
    }
  });
};

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
