/**
 * Real HTTP requests to a listening app. (Fastify's inject() loads an ESM-only dependency through
 * require(), which Jest's module system cannot do on Node 20; a socket is closer to the ALB anyway.)
 */
import type { FastifyInstance } from 'fastify';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): unknown;
}

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type: application/json. */
  payload?: unknown;
  /** Sent as is. */
  body?: string;
}

export async function listenLocally(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export function client(baseUrl: string) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const headers = { ...request.headers };
    let body = request.body;
    if (request.payload !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(request.payload);
    }
    const response = await fetch(new URL(request.url, baseUrl), {
      method: request.method ?? 'GET',
      headers,
      body,
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: text,
      json: () => JSON.parse(text),
    };
  };
}
