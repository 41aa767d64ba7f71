/**
 * The HTTP API: routes under /api, one JSON log line per request, and every error as
 * {"error": "…"}. The server, the local run and the tests all build it here.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { healthRoutes, type ReadinessProbe } from './health-routes.js';
import { notesRoutes } from './notes-routes.js';
import type { NotesStore } from '../notes/notes-store.js';

export interface AppOptions {
  notes: NotesStore;
  readiness: ReadinessProbe;
  log: Logger;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.log,
    // Fastify would log two lines per request (received, completed); onResponse logs one.
    logController: new LogController({ disableRequestLogging: true }),
    // The ALB's trace id ties our line to the ALB access log and CloudFront's log.
    requestIdHeader: 'x-amzn-trace-id',
    // A note is at most 500 characters; nothing here needs Fastify's 1 MiB default.
    bodyLimit: 16 * 1024,
    // Requests on kept-alive connections during shutdown get 503 so the ALB retries elsewhere.
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // Shutdown: Fastify stops listening and drops idle keep-alive connections, but a connection
  // whose request is still running would stay open after its response until keepAliveTimeout
  // (72 s), past ECS's stop timeout. Answering those last requests with Connection: close lets
  // the server close as soon as they are done.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        event: 'request',
        method: request.method,
        url: request.url,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ event: 'error', err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: clientErrorMessage(error) });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.register(healthRoutes, { prefix: '/api/health', readiness: options.readiness });
  app.register(notesRoutes, { prefix: '/api/notes', notes: options.notes });
  return app;
}

/** Fastify's own 4xx errors, reworded for someone calling the notes API. */
function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'text is required: send a JSON object like {"text":"…"}';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'request body is not valid JSON';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the body as JSON with Content-Type: application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is too large';
    default:
      // The JSON parser's SyntaxError carries status 400 but no Fastify code.
      return error instanceof SyntaxError ? 'request body is not valid JSON' : error.message;
  }
}
