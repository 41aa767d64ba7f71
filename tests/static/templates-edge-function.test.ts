// The SPA routing CloudFront Function of edge.yaml, run in Node on fake viewer-request events: the
// code that CloudFront runs is the template's FunctionCode itself, evaluated in a fresh context.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { loadTemplate } from '../support-cfn/templates.js';

interface Request {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

const edge = loadTemplate('edge');
const spaFunction = edge.Resources.SpaRoutingFunction!;
const code = spaFunction.Properties?.FunctionCode as string;

function handle(uri: string): Request {
  const handler = runInNewContext(`${code}\nhandler;`, {}) as (event: unknown) => Request;
  return handler({
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri, querystring: { v: { value: '1' } }, headers: {} },
  });
}

describe('edge.yaml SPA routing function', () => {
  it('is a viewer-request function on the cloudfront-js-2.0 runtime', () => {
    expect(spaFunction.Properties?.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    expect(code).toMatch(/function handler\(event\)/);
    const config = edge.Resources.Distribution?.Properties?.DistributionConfig as {
      DefaultCacheBehavior: { FunctionAssociations: unknown[] };
    };
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': ['SpaRoutingFunction', 'FunctionMetadata.FunctionARN'] },
      },
    ]);
  });

  it.each([
    ['/', '/index.html'],
    ['/orders/42', '/index.html'],
    ['/orders', '/index.html'],
    ['/docs/', '/index.html'],
    ['/assets/app.js', '/assets/app.js'],
    ['/index.html', '/index.html'],
    ['/favicon.ico', '/favicon.ico'],
    ['/assets/fonts/inter.woff2', '/assets/fonts/inter.woff2'],
    // A file name is judged by its last segment only: a dot in a directory does not count.
    ['/v1.2/orders', '/index.html'],
  ])('%s is served from %s', (uri, expected) => {
    const request = handle(uri);
    expect(request.uri).toBe(expected);
    // The rest of the request passes through untouched.
    expect(request.querystring).toEqual({ v: { value: '1' } });
    expect(request.method).toBe('GET');
  });
});
