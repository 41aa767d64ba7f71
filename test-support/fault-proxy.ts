/**
 * A fault-injecting HTTP proxy for integration tests: it sits in front of the local AWS (moto),
 * answers the first N requests that match a rule with a canned error, and forwards everything
 * else unchanged. Point a bundled action at it with AWS_ENDPOINT_URL to exercise the SDK's real
 * retry and error handling (throttling retried then passing, expired credentials failing).
 *
 * Protocol-agnostic: a rule's response is any status, headers and body; helpers build the error
 * shapes of the AWS query/XML protocol (CloudFormation, STS), the REST-XML protocol (S3) and the
 * JSON protocols (ECS, ECR, CloudWatch Logs).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query string, as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/**
 * A rule answers with a canned `response` (or one computed from the request: undefined forwards
 * it), or forwards the request and `transform`s the real answer (moto's DescribeServices with the
 * deployment flipped to FAILED, say) — for scripting states the local AWS cannot reach.
 */
export type FaultRule = {
  /** Which requests this rule answers. */
  match: (request: ProxiedRequest) => boolean;
  /** How many matching requests get the fault; later ones are forwarded. Infinity for all. */
  times: number;
} & (
  | { response: FaultResponse | ((request: ProxiedRequest) => FaultResponse | undefined) }
  | { transform: (request: ProxiedRequest, upstream: UpstreamResponse) => FaultResponse }
  /** Never answers: a frozen endpoint for the matching calls only (closed by `stop()`). */
  | { hold: true }
);

export interface FaultProxy {
  url: string;
  /** Every request seen, in order, with whether a fault answered it and the status it got. */
  requests: (ProxiedRequest & { faulted: boolean; status?: number; responseBody?: string })[];
  /** How many times each rule (by index) has answered. */
  hits: number[];
  stop: () => Promise<void>;
}

export async function startFaultProxy(options: {
  target: string;
  rules: FaultRule[];
}): Promise<FaultProxy> {
  const hits = options.rules.map(() => 0);
  const requests: FaultProxy['requests'] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const raw = Buffer.concat(chunks);
      const request: ProxiedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: raw.toString('utf8'),
      };
      const index = options.rules.findIndex(
        (rule, i) => (hits[i] as number) < rule.times && rule.match(request),
      );
      const rule = index >= 0 ? (options.rules[index] as FaultRule) : undefined;
      const canned =
        rule && 'response' in rule
          ? typeof rule.response === 'function'
            ? rule.response(request)
            : rule.response
          : undefined;
      const transform = rule && 'transform' in rule ? rule.transform : undefined;
      const held = rule !== undefined && 'hold' in rule;
      const faulted = canned !== undefined || transform !== undefined || held;
      const seen: FaultProxy['requests'][number] = { ...request, faulted };
      requests.push(seen);
      if (faulted) hits[index] = (hits[index] as number) + 1;
      const answer = ({ status, headers, body }: FaultResponse): void => {
        seen.status = status;
        seen.responseBody = body;
        outgoing.writeHead(status, {
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        });
        outgoing.end(body);
      };
      if (held) return;
      if (canned) {
        answer(canned);
        return;
      }
      forward(options.target, request, raw).then(
        (response) => {
          if (transform) {
            const { status, headers, body } = response;
            const changed = transform(request, { status, headers, body: body.toString('utf8') });
            answer({ headers: flatHeaders(headers), ...changed });
            return;
          }
          seen.status = response.status;
          seen.responseBody = response.body.toString('utf8');
          outgoing.writeHead(response.status, response.headers);
          outgoing.end(response.body);
        },
        (error: Error) => {
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`fault proxy could not reach ${options.target}: ${error.message}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hits,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function flatHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name !== 'content-length') flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A JSON-protocol success answer (ECS, ECR, Logs), for scripted responses. */
export function jsonResponse(body: unknown, status = 200): FaultResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  };
}

/**
 * Forwards one request on a fresh connection (`agent: false`): moto's server closes connections
 * after each answer, and a pooled connection it already closed would fail the forwarded call.
 */
function forward(
  target: string,
  request: ProxiedRequest,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const url = new URL(request.url, target);
  const headers = { ...request.headers, host: url.host };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: request.method, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const responseHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding') {
              responseHeaders[name] = value;
            }
          }
          resolve({
            status: response.statusCode ?? 502,
            headers: responseHeaders,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

// ---- Matchers -----------------------------------------------------------------------------

/** A request of the AWS query protocol (CloudFormation, STS, ...) for one action, e.g. `DescribeStacks`. */
export function queryAction(action: string): (request: ProxiedRequest) => boolean {
  return (request) =>
    new URLSearchParams(request.body).get('Action') === action ||
    new URL(request.url, 'http://proxy').searchParams.get('Action') === action;
}

/** A request of the JSON protocols for one operation, e.g. `AmazonEC2ContainerServiceV20141113.UpdateService`. */
export function jsonTarget(target: string): (request: ProxiedRequest) => boolean {
  return (request) => request.headers['x-amz-target'] === target;
}

/** Any request to an AWS service whose SigV4 credential scope names it (`cloudformation`, `s3`, ...). */
export function signedFor(service: string): (request: ProxiedRequest) => boolean {
  return (request) =>
    new RegExp(`/${service}/aws4_request`).test(String(request.headers.authorization ?? ''));
}

// ---- Error shapes ---------------------------------------------------------------------------

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The query protocol's error document (CloudFormation's `<ErrorResponse>`). */
export function queryError(code: string, message: string, status = 400): FaultResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">` +
      `<Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>fault-proxy-${Date.now()}</RequestId></ErrorResponse>`,
  };
}

/** The REST-XML protocol's error document (S3's `<Error>`). */
export function restXmlError(code: string, message: string, status = 400): FaultResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>fault-proxy</RequestId></Error>`,
  };
}

/** The JSON protocols' error document (`__type` plus message). */
export function jsonError(code: string, message: string, status = 400): FaultResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
    body: JSON.stringify({ __type: code, message }),
  };
}
