// The bootstrap revision of app.yaml (item 2 of issue 11): its server is code inside the task
// definition, so these tests take that very code from the parsed template and run it with this
// machine's Node.js, as the bootstrap image (Node.js 24 from ECR Public) runs it. It answers the
// load balancer's health check like the application, 404 to anything else, and echoes nothing of
// a request (the old bootstrap image, traefik/whoami, echoed every header back, the origin secret
// included).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadTemplate, renderTemplate, type Template } from '../support-cfn/templates.js';

const app = loadTemplate('app');
const network = loadTemplate('network');
const rendered = renderTemplate(app);
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENVIRONMENT = 'staging';

/** Fn::Sub with the pseudo parameters and EnvironmentName of a test deployment. */
function substitute(text: string, variables: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    'AWS::AccountId': ACCOUNT,
    'AWS::Region': REGION,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::Partition': 'aws',
    EnvironmentName: ENVIRONMENT,
    ...variables,
  };
  return text.replace(/\$\{([A-Za-z0-9:]+)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${${name}}`);
    return values[name]!;
  });
}

function subValue(node: unknown): string {
  const sub = (node as { 'Fn::Sub': string | [string, Record<string, unknown>] })['Fn::Sub'];
  if (typeof sub === 'string') return substitute(sub);
  const [text, variables] = sub;
  return substitute(
    text,
    Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, subValue(value)])),
  );
}

const container = (template: Template) =>
  (
    template.Resources.BootstrapTaskDefinition?.Properties?.ContainerDefinitions as Record<
      string,
      unknown
    >[]
  )[0]!;
const bootstrapImage = subValue(container(rendered).Image);
const [program, flag, script] = container(rendered).Command as [string, string, unknown];
const serverCode = subValue(script);

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(options: {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const running: ChildProcess[] = [];
const metadataServers: Server[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of metadataServers.splice(0)) server.close();
});

/** Starts the bootstrap server; resolves once it listens, or with its exit if it stops first. */
async function start(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [flag, serverCode], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<void>((resolve) => {
    child.stdout!.on('data', () => {
      if (stdout.includes('listening')) resolve();
    });
  });
  // Never hang the suite on a server that neither listens nor exits.
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`neither listening nor exited: ${stdout}${stderr}`)),
      15_000,
    );
  });
  const first = await Promise.race([
    listening.then(() => 'listening' as const),
    exit,
    stuck,
  ]).finally(() => clearTimeout(timer));
  return { child, port, exit, first, output: () => ({ stdout, stderr }) };
}

/** A stand-in for the ECS task metadata endpoint v4 (ECS Developer Guide, "Amazon ECS task
 * metadata endpoint version 4": GET ${ECS_CONTAINER_METADATA_URI_V4} returns the container's
 * metadata, including Image as the task definition names it). */
async function metadataEndpoint(image: string): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ DockerId: 'abc', Name: 'api', Image: image, ImageID: 'sha256:1' }),
    );
  });
  metadataServers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/abc`;
}

describe('the bootstrap image comes from ECR, so it pulls with NatMode none', () => {
  it('is Node.js from ECR Public through this environment’s pull-through cache rule', () => {
    // ECR User Guide, "Sync an upstream registry with an Amazon ECR private registry": the image
    // is pulled as <registry>/<ecrRepositoryPrefix>/<upstream repository>:<tag>, and ECR fetches
    // it from the upstream (ECR Public needs no credentials).
    const rule = rendered.Resources.BootstrapImageCache?.Properties ?? {};
    expect(rule).toEqual({
      EcrRepositoryPrefix: { 'Fn::Sub': '${EnvironmentName}-ecrpublic' },
      UpstreamRegistry: 'ecr-public',
      UpstreamRegistryUrl: 'public.ecr.aws',
    });
    const prefix = substitute((rule.EcrRepositoryPrefix as { 'Fn::Sub': string })['Fn::Sub']);
    expect(bootstrapImage).toBe(
      `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${prefix}/docker/library/node:24-alpine`,
    );
    // ECR repository prefixes are 2-30 characters; the longest environment name fits.
    expect(`${'a'.repeat(20)}-ecrpublic`.length).toBeLessThanOrEqual(30);
    expect(program).toBe('node');
  });

  it('the task execution role may make the first pull import the image and create its repository', () => {
    // ECR User Guide, "IAM permissions required to sync an upstream registry with an Amazon ECR
    // private registry": ecr:BatchImportUpstreamImage, and ecr:CreateRepository for the first pull.
    const statements = (
      rendered.Resources.TaskExecutionRole?.Properties?.Policies as {
        PolicyDocument: { Statement: Record<string, unknown>[] };
      }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
    const cache = statements.find((s) => s.Sid === 'PullTheBootstrapImageThroughTheCache');
    expect(cache?.Action).toEqual(
      expect.arrayContaining([
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchImportUpstreamImage',
        'ecr:CreateRepository',
      ]),
    );
    expect(substitute((cache?.Resource as { 'Fn::Sub': string })['Fn::Sub'])).toBe(
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${ENVIRONMENT}-ecrpublic/*`,
    );
  });

  it('NatMode none has every endpoint the pull needs (ECR api and dkr, S3 for the layers, logs)', () => {
    const none = renderTemplate(network, { NatMode: 'none' });
    const services = Object.values(none.Resources)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map((r) =>
        (r.Properties?.ServiceName as { 'Fn::Sub': string })['Fn::Sub']
          .split('.')
          .slice(3)
          .join('.'),
      );
    expect(services).toEqual(expect.arrayContaining(['s3', 'ecr.api', 'ecr.dkr', 'logs']));
  });

  it('is marked, so that the deploy action knows to drop its command when it derives a release', () => {
    expect(rendered.Resources.BootstrapTaskDefinition?.Properties?.Tags).toContainEqual({
      Key: 'three-tier-deploy:bootstrap',
      Value: 'true',
    });
  });

  it('an image given instead runs as it is, without the bootstrap command', () => {
    const given = renderTemplate(app, { BootstrapImage: 'registry.example/api:bootstrap' });
    expect(container(given).Image).toEqual({ Ref: 'BootstrapImage' });
    expect(container(given)).not.toHaveProperty('Command');
    expect(given.Resources).not.toHaveProperty('BootstrapImageCache');
  });
});

describe('the bootstrap server', () => {
  it('answers the load balancer’s health check exactly as the application does', async () => {
    const group = app.Resources.TargetGroup?.Properties ?? {};
    expect(group).toMatchObject({ HealthCheckPath: '/api/health', Matcher: { HttpCode: '200' } });
    const server = await start();
    expect(server.first).toBe('listening');
    const health = await send({ port: server.port, path: String(group.HealthCheckPath) });
    expect(health.status).toBe(200);
    // The application's own answer (example-app README, API contract): 200 {"status":"ok"}.
    expect(health.body).toBe('{"status":"ok"}');
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await send({ port: server.port, path: '/api/health', method: 'HEAD' });
    expect({ status: head.status, body: head.body }).toEqual({ status: 200, body: '' });
  });

  it.each([
    ['GET', '/'],
    ['GET', '/api'],
    ['GET', '/api/'],
    ['GET', '/api/health/'],
    ['GET', '/api/healthz'],
    ['GET', '/api/notes'],
    ['POST', '/api/health'],
    ['DELETE', '/api/notes/1'],
    ['GET', '/index.html'],
  ])('%s %s → 404', async (method, path) => {
    const server = await start();
    const reply = await send({ port: server.port, path, method });
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 404,
      body: '{"error":"not found"}',
    });
  });

  it('echoes nothing of a request: no header, path, query or body comes back', async () => {
    const server = await start();
    const secret = 'Z3JlZW4tb3JpZ2luLXZlcmlmeQ';
    for (const path of [`/api/${secret}?q=${secret}`, `/api/health?q=${secret}`, `/${secret}`]) {
      const reply = await send({
        port: server.port,
        path,
        method: 'POST',
        headers: {
          'X-Origin-Verify': secret,
          Cookie: `session=${secret}`,
          'User-Agent': secret,
          'Content-Type': 'text/plain',
        },
        body: secret,
      });
      expect(JSON.stringify(reply)).not.toContain(secret);
    }
    expect(JSON.stringify(server.output())).not.toContain(secret);
  });

  it('keeps connections open longer than the load balancer does (no 502 on reuse)', () => {
    const attributes = app.Resources.LoadBalancer?.Properties?.LoadBalancerAttributes as {
      Key: string;
      Value: string;
    }[];
    const idle = Number(attributes.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value);
    const keepAlive = Number(/keepAliveTimeout = (\d+)/.exec(serverCode)?.[1]) / 1000;
    expect(keepAlive).toBeGreaterThan(idle);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const server = await start();
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('serves when the task metadata names the bootstrap image', async () => {
    const server = await start({
      ECS_CONTAINER_METADATA_URI_V4: await metadataEndpoint(bootstrapImage),
    });
    expect(server.first).toBe('listening');
    expect((await send({ port: server.port, path: '/api/health' })).status).toBe(200);
  });

  it('refuses to run in another image: a release revision that kept the bootstrap command fails its deployment instead of passing health checks', async () => {
    const server = await start({
      ECS_CONTAINER_METADATA_URI_V4: await metadataEndpoint(
        `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${ENVIRONMENT}/api@sha256:1`,
      ),
    });
    expect(server.first).toBe(1);
    expect(server.output().stderr).toContain('must not keep the bootstrap revision command');
  });

  it('still serves when the task metadata cannot be read', async () => {
    const server = await start({ ECS_CONTAINER_METADATA_URI_V4: 'http://127.0.0.1:1/v4/none' });
    expect(server.first).toBe('listening');
    expect(server.output().stderr).toContain('task metadata unreadable');
  });
});
