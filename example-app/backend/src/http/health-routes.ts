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

  app.get('/ready', async (request, reply) => {
    try {
      await withTimeout(options.readiness(), READY_TIMEOUT_MS);
      return { status: 'ready' };
    } catch (error) {
      // The details (user name, host address, IAM role) stay in the log: behind CloudFront this
      // answer is public, so it names only the kind of failure.
      request.log.warn({ event: 'ready.failed', err: error }, 'the database is not ready');
      return reply
        .code(503)
        .send({ status: 'unavailable', reason: `database: ${reasonFor(error)}` });
    }
  });
};

const CANNOT_CONNECT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
]);

/** A reason safe to show anyone: the kind of failure, never the server's own message. */
export function reasonFor(error: unknown): string {
  if (error instanceof ReadinessTimeout) return error.message;
  const { code, $metadata, name } = (error ?? {}) as {
    code?: unknown;
    $metadata?: unknown;
    name?: unknown;
  };
  // An AWS SDK error: the credentials could not be read (Secrets Manager, or its permissions).
  if ($metadata !== undefined)
    return `cannot read the credentials (Secrets Manager: ${String(name)})`;
  if (typeof code !== 'string') return 'unexpected error (see the log)';
  if (code.startsWith('ER_ACCESS_DENIED') || code === 'ER_DBACCESS_DENIED_ERROR') {
    return `the credentials were refused (${code})`;
  }
  if (CANNOT_CONNECT.has(code)) return `cannot connect (${code})`;
  return `error ${/^[A-Z0-9_]{1,64}$/.test(code) ? code : '(see the log)'}`;
}

class ReadinessTimeout extends Error {}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
