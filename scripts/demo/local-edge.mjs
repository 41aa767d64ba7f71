// The edge stack's CloudFront distribution, as a local HTTP server on 127.0.0.1: it reads the
// distribution's own configuration from the local AWS and routes each request the way
// CloudFront does — the first cache behaviour whose path pattern matches, else the default —
// to that behaviour's origin: an S3 origin is answered with the object from the local bucket
// (S3 GetObject), after the behaviour's viewer-request CloudFront Function (the function's own
// code, run in a fresh VM context); any other origin (the load balancer, reached through the VPC
// origin) is the local API. Not reproduced: HTTPS and the viewer protocol policy, caching, and
// compression, which change nothing about what the page receives.
import { createServer, request as httpRequest } from 'node:http';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand } from '@aws-sdk/client-s3';

/**
 * Response headers of CloudFront's managed SecurityHeadersPolicy (CloudFront Developer Guide,
 * "Use managed response headers policies").
 */
const MANAGED_RESPONSE_HEADERS = {
  '67f7725c-6f97-4210-82d7-5512b31e9d03': {
    'strict-transport-security': 'max-age=31536000',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-xss-protection': '1; mode=block',
  },
};

/** Hop-by-hop headers a proxy never forwards (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * CloudFront path patterns: `*` matches any run of characters (slashes too), `?` one character,
 * case-sensitive, against the whole path (CloudFront Developer Guide, "Path pattern").
 */
export function pathMatches(/** @type {string} */ pattern, /** @type {string} */ path) {
  const normalised = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const regex = normalised
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(path);
}

/**
 * @typedef {{ code: string, name?: string }} EdgeFunction
 * @typedef {{
 *   config: any,
 *   s3: import('@aws-sdk/client-s3').S3Client,
 *   functions: Map<string, EdgeFunction>,
 *   api: () => string | undefined,
 *   bucketPolicies?: Map<string, any[]>,
 *   port?: number,
 *   log?: (line: string) => void,
 * }} LocalEdgeOptions
 */

/**
 * Whether a bucket policy denies CloudFront (the service principal the edge reads as through
 * origin access control) s3:GetObject of a key: its Deny statements naming that principal.
 * @param {any[]} statements
 * @param {string} bucket
 * @param {string} key
 */
export function deniedToCloudFront(statements, bucket, key) {
  const arn = `arn:aws:s3:::${bucket}/${key}`;
  return statements.some((statement) => {
    if (statement.Effect !== 'Deny') return false;
    const services = [statement.Principal?.Service ?? []].flat();
    if (!services.includes('cloudfront.amazonaws.com')) return false;
    const actions = [statement.Action ?? []].flat();
    if (!actions.some((action) => action === 's3:GetObject' || action === 's3:*' || action === '*'))
      return false;
    return [statement.Resource ?? []].flat().some((pattern) => {
      const regex = String(pattern)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.');
      return new RegExp(`^${regex}$`).test(arn);
    });
  });
}

/**
 * Which behaviour and origin a path goes to.
 * @param {any} config DistributionConfig in the CloudFront API's shape
 * @param {string} path
 */
export function route(config, path) {
  const behaviours = config.CacheBehaviors?.Items ?? [];
  const behaviour =
    behaviours.find((/** @type {any} */ candidate) => pathMatches(candidate.PathPattern, path)) ??
    config.DefaultCacheBehavior;
  const origin = (config.Origins?.Items ?? []).find(
    (/** @type {any} */ candidate) => candidate.Id === behaviour.TargetOriginId,
  );
  if (!origin) throw new Error(`No origin ${behaviour.TargetOriginId} in the distribution`);
  const bucket = origin.S3OriginConfig ? /^(.+?)\.s3[.-]/.exec(origin.DomainName)?.[1] : undefined;
  return { behaviour, origin, bucket };
}

/**
 * Runs a viewer-request function the way CloudFront's cloudfront-js runtime calls it: the event
 * in, a request (maybe changed) or a response out.
 * @param {string} code
 * @param {any} event
 */
export function runViewerRequest(code, event) {
  const handler = runInNewContext(`${code}\n;handler;`, {});
  return handler(event);
}

/**
 * @param {LocalEdgeOptions} options
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startLocalEdge(options) {
  const { config, s3, functions } = options;
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      options.log?.(`local edge: ${request.method} ${request.url} failed: ${error.message}`);
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('Bad gateway (local edge)');
    });
  });

  /** @param {import('node:http').IncomingMessage} request @param {import('node:http').ServerResponse} response */
  async function handle(request, response) {
    const url = new URL(request.url ?? '/', 'http://edge.invalid');
    const { behaviour, origin, bucket } = route(config, url.pathname);
    const method = request.method ?? 'GET';
    const allowed = behaviour.AllowedMethods?.Items ?? ['GET', 'HEAD'];
    const extraHeaders =
      MANAGED_RESPONSE_HEADERS[
        /** @type {keyof MANAGED_RESPONSE_HEADERS} */ (behaviour.ResponseHeadersPolicyId)
      ] ?? {};
    if (!allowed.includes(method)) {
      // CloudFront answers a method the behaviour does not allow with 403.
      response.writeHead(403, { 'content-type': 'text/plain', ...extraHeaders });
      response.end(
        'This distribution is not configured to allow the HTTP request method that was used for this request.',
      );
      return;
    }
    if (!bucket) {
      await proxyToApi({ request, response, url, extraHeaders });
      return;
    }
    let uri = url.pathname;
    for (const association of behaviour.FunctionAssociations?.Items ?? []) {
      if (association.EventType !== 'viewer-request') continue;
      const edgeFunction = functions.get(association.FunctionARN);
      if (!edgeFunction) throw new Error(`No code for the function ${association.FunctionARN}`);
      const result = runViewerRequest(edgeFunction.code, {
        version: '1.0',
        context: { eventType: 'viewer-request', distributionId: 'local-edge' },
        viewer: { ip: request.socket.remoteAddress ?? '127.0.0.1' },
        request: {
          method,
          uri,
          querystring: Object.fromEntries(
            [...url.searchParams].map(([key, value]) => [key, { value }]),
          ),
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([key, value]) => [key, { value: String(value) }]),
          ),
          cookies: {},
        },
      });
      if (result && typeof result.statusCode === 'number') {
        response.writeHead(result.statusCode, { ...extraHeaders });
        response.end(result.body?.data ?? '');
        return;
      }
      uri = result.uri;
    }
    if (uri === '/' && config.DefaultRootObject) uri = `/${config.DefaultRootObject}`;
    await serveObject({
      response,
      bucket,
      key: decodeURIComponent(uri.slice(1)),
      method,
      request,
      extraHeaders,
    });
    void origin;
  }

  /** @param {{ response: import('node:http').ServerResponse, request: import('node:http').IncomingMessage, bucket: string, key: string, method: string, extraHeaders: Record<string, string> }} options */
  async function serveObject({ response, request, bucket, key, method, extraHeaders }) {
    if (deniedToCloudFront(options.bucketPolicies?.get(bucket) ?? [], bucket, key)) {
      response.writeHead(403, { 'content-type': 'application/xml', ...extraHeaders });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
      return;
    }
    let object;
    try {
      object = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(request.headers['if-none-match']
            ? { IfNoneMatch: String(request.headers['if-none-match']) }
            : {}),
        }),
      );
    } catch (error) {
      const status = /** @type {any} */ (error).$metadata?.httpStatusCode;
      if (status === 304) {
        response.writeHead(304, extraHeaders);
        response.end();
        return;
      }
      if (status === 404 || status === 403) {
        // Through origin access control without s3:ListBucket, a missing key is S3's 403, which
        // CloudFront passes on.
        response.writeHead(403, { 'content-type': 'application/xml', ...extraHeaders });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
        return;
      }
      throw error;
    }
    /** @type {Record<string, string>} */
    const headers = { ...extraHeaders };
    if (object.ContentType) headers['content-type'] = object.ContentType;
    if (object.CacheControl) headers['cache-control'] = object.CacheControl;
    if (object.ETag) headers.etag = object.ETag;
    if (object.LastModified) headers['last-modified'] = object.LastModified.toUTCString();
    if (object.ContentLength !== undefined)
      headers['content-length'] = String(object.ContentLength);
    headers['x-cache'] = 'Miss from local-edge';
    response.writeHead(200, headers);
    if (method === 'HEAD' || !object.Body) {
      response.end();
      return;
    }
    const body = /** @type {NodeJS.ReadableStream} */ (/** @type {unknown} */ (object.Body));
    body.pipe(response);
  }

  /** @param {{ request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse, url: URL, extraHeaders: Record<string, string> }} options */
  function proxyToApi({ request, response, url, extraHeaders }) {
    const target = options.api();
    if (!target) {
      response.writeHead(502, { 'content-type': 'text/plain', ...extraHeaders });
      response.end('The local API is not running (see the demo output).');
      return Promise.resolve();
    }
    /** @type {Record<string, string | string[]>} */
    const headers = {};
    // AllViewerExceptHostHeader: every viewer header except Host reaches the origin.
    for (const [key, value] of Object.entries(request.headers)) {
      if (key === 'host' || HOP_BY_HOP.has(key) || value === undefined) continue;
      headers[key] = value;
    }
    headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
    headers.via = '2.0 local-edge (CloudFront stand-in)';
    const api = new URL(target);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: api.hostname,
          port: api.port,
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers,
        },
        (reply) => {
          /** @type {Record<string, string | string[]>} */
          const replyHeaders = { ...extraHeaders };
          for (const [key, value] of Object.entries(reply.headers)) {
            if (!HOP_BY_HOP.has(key) && value !== undefined) replyHeaders[key] = value;
          }
          response.writeHead(reply.statusCode ?? 502, replyHeaders);
          reply.pipe(response);
          reply.on('end', () => resolve(undefined));
          reply.on('error', reject);
        },
      );
      upstream.on('error', reject);
      request.pipe(upstream);
    });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}
