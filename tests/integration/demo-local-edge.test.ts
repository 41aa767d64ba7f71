// The demo's local edge (scripts/demo/local-edge.mjs) routes like edge.yaml's distribution: built
// here from edge.yaml's own DistributionConfig and SPA function code, in front of a bucket in moto
// and a stand-in API that echoes what it received.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from '../../test-support/run-action.js';
import { loadTemplate } from '../../scripts/demo/cfn-template.mjs';
import { evaluate, Pending } from '../../scripts/demo/intrinsics.mjs';
import { distributionConfigForApi } from '../../scripts/demo/substitutes/cloudfront-config.mjs';
import { pathMatches, route, startLocalEdge } from '../../scripts/demo/local-edge.mjs';

const BUCKET = 'demo-edge-test-site';
const FUNCTION_ARN = 'arn:aws:cloudfront::123456789012:function/demo-spa-routing-us-east-1';
const edge = loadTemplate(path.join(REPO_ROOT, 'cloudformation', 'edge.yaml'));

/** edge.yaml's DistributionConfig, evaluated for a VPC origin, in the CloudFront API's shape. */
function distributionConfig() {
  const parameters: Record<string, string | string[]> = {
    EnvironmentName: 'demo',
    ApiOriginDomainName: 'internal-demo-api.us-east-1.elb.amazonaws.com',
    ApiOriginProtocolPolicy: 'http-only',
    ApiVpcOriginId: 'vo_Test',
    PriceClass: 'PriceClass_100',
    Aliases: [''],
    ViewerCertificateArn: '',
    OriginVerifySecretArn: '',
    OriginVerifySecretKey: '',
  };
  const attributes: Record<string, string> = {
    'SiteBucket.RegionalDomainName': `${BUCKET}.s3.us-east-1.amazonaws.com`,
    'OriginAccessControl.Id': 'E2TESTOAC',
    'SpaRoutingFunction.FunctionMetadata.FunctionARN': FUNCTION_ARN,
  };
  const scope = {
    parameters,
    pseudo: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' },
    mappings: edge.Mappings,
    conditions: {
      HasCertificate: false,
      HasVpcOrigin: true,
      OriginIsHttps: false,
    } as Record<string, unknown>,
    ref: (id: string) => new Pending(id),
    getAtt: (id: string, attribute: string) => attributes[`${id}.${attribute}`] ?? new Pending(id),
  };
  const config = evaluate(edge.Resources.Distribution!.Properties!.DistributionConfig, scope);
  return distributionConfigForApi(config, 'test');
}

let api: Server;
let apiUrl: string;
let stop: () => Promise<void>;
let url: string;
const received: {
  method?: string;
  url?: string;
  headers: Record<string, unknown>;
  body: string;
}[] = [];

beforeAll(async () => {
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const put = (Key: string, Body: string, ContentType: string, CacheControl?: string) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType, CacheControl }));
  await put('index.html', '<!doctype html><title>notes</title>', 'text/html', 'no-cache');
  await put('assets/app-1a2b.js', 'console.log(1)', 'text/javascript', 'public, max-age=31536000');

  api = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      const known = request.url?.startsWith('/api/notes');
      response.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(known ? { ok: true } : { error: 'not found' }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const functions = new Map([
    [FUNCTION_ARN, { code: edge.Resources.SpaRoutingFunction!.Properties!.FunctionCode as string }],
  ]);
  const started = await startLocalEdge({
    config: distributionConfig(),
    s3,
    functions,
    api: () => apiUrl,
  });
  url = started.url;
  stop = started.stop;
});

afterAll(async () => {
  await stop?.();
  await new Promise((resolve) => api?.close(resolve));
});

describe("the demo's local edge", () => {
  it('matches path patterns the way CloudFront does', () => {
    expect(pathMatches('/api/*', '/api/notes')).toBe(true);
    expect(pathMatches('/api/*', '/api/')).toBe(true);
    expect(pathMatches('/api/*', '/api')).toBe(false);
    expect(pathMatches('/api', '/api')).toBe(true);
    expect(pathMatches('/api', '/apiary')).toBe(false);
    expect(pathMatches('*.js', '/assets/a.js')).toBe(true);
    expect(pathMatches('/a?c', '/abc')).toBe(true);
    expect(pathMatches('/API/*', '/api/x')).toBe(false);
    const config = distributionConfig();
    expect(route(config, '/api').origin.Id).toBe('api');
    expect(route(config, '/api/notes/1').origin.Id).toBe('api');
    expect(route(config, '/notes').bucket).toBe(BUCKET);
  });

  it('serves the bucket on the default behaviour, with the SPA function and the security headers', async () => {
    const root = await fetch(url);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe('<!doctype html><title>notes</title>');
    expect(root.headers.get('content-type')).toBe('text/html');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(root.headers.get('x-frame-options')).toBe('SAMEORIGIN');

    // A client-side route has no object: the function serves index.html instead.
    const routeInApp = await fetch(new URL('/notes/42', url));
    expect(routeInApp.status).toBe(200);
    expect(await routeInApp.text()).toContain('<title>notes</title>');

    const asset = await fetch(new URL('/assets/app-1a2b.js', url));
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log(1)');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000');

    // A missing file keeps its extension, so the function leaves it: S3's 403 through OAC.
    const missing = await fetch(new URL('/assets/gone.js', url));
    expect(missing.status).toBe(403);
    expect(received).toEqual([]);
  });

  it('sends /api and /api/* to the API with every viewer header but Host, and its answers back as they are', async () => {
    const posted = await fetch(new URL('/api/notes?limit=2', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-test': 'kept' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ ok: true });
    const request = received.at(-1)!;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/api/notes?limit=2',
      body: '{"text":"hello"}',
    });
    expect(request.headers['x-request-test']).toBe('kept');
    expect(request.headers.host).toBe(new URL(apiUrl).host);
    expect(posted.headers.get('x-content-type-options')).toBe('nosniff');

    // /api without a slash is the API's too: its own 404, not index.html.
    const bare = await fetch(new URL('/api', url));
    expect(bare.status).toBe(404);
    expect(await bare.json()).toEqual({ error: 'not found' });
    expect(received.at(-1)!.url).toBe('/api');
  });

  it('refuses methods the behaviour does not allow, as CloudFront does', async () => {
    const count = received.length;
    const deleted = await fetch(new URL('/index.html', url), { method: 'DELETE' });
    expect(deleted.status).toBe(403);
    expect(received.length).toBe(count);
  });
});
