import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AFTER_DEADLINE_MS,
  type ClientContext,
  clientConfig,
  createClient,
  endpointFor,
  RequestTimedOut,
  resolveRegion,
} from '../src/aws-client.js';
import { createDeadline, systemClock } from '../src/context.js';
import { InputError, TimeoutError } from '../src/errors.js';
import { DEADLINE_GRACE_MS } from '../src/run-main.js';
import { TOOLKIT_VERSION } from '../src/version.js';

describe('resolveRegion', () => {
  it('prefers the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(
      resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-central-1' }),
    ).toBe('us-east-1');
    expect(resolveRegion('', { AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-central-1');
  });

  it('names the aws-region input when no region is known or the name is not a region', () => {
    expect(() => resolveRegion(undefined, {})).toThrow(InputError);
    expect(() => resolveRegion(undefined, {})).toThrow(
      /aws-region.*configure-aws-credentials sets it/,
    );
    expect(() => resolveRegion('Frankfurt', {})).toThrow(/'aws-region': got "Frankfurt"/);
  });
});

describe('endpointFor', () => {
  it("takes the service's own variable over the global one", () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
    };
    expect(endpointFor('S3', env)).toBe('http://127.0.0.1:9000');
    expect(endpointFor('CLOUDFORMATION', env)).toBe('http://127.0.0.1:5000');
    expect(endpointFor('ECS', {})).toBeUndefined();
    expect(
      endpointFor('ECS', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
    ).toBeUndefined();
  });
});

describe('clientConfig', () => {
  it('addresses S3 by path only when an endpoint is set', () => {
    const local = clientConfig('S3', {
      action: 'publish-frontend',
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' },
    });
    expect(local.forcePathStyle).toBe(true);
    expect(local.endpoint).toBe('http://127.0.0.1:5000');
    const real = clientConfig('S3', {
      action: 'publish-frontend',
      env: { AWS_REGION: 'us-east-1' },
    });
    expect(real.forcePathStyle).toBeUndefined();
    expect(real.endpoint).toBeUndefined();
    const other = clientConfig('CLOUDFRONT', {
      action: 'publish-frontend',
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' },
    });
    expect(other.forcePathStyle).toBeUndefined();
  });

  it('uses adaptive retries with a bounded number of attempts', () => {
    const config = clientConfig('ECS', { action: 'x', env: { AWS_REGION: 'us-east-1' } });
    expect(config.retryMode).toBe('adaptive');
    expect(config.maxAttempts).toBe(8);
    expect(
      clientConfig('ECS', { action: 'x', env: { AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '3' } })
        .maxAttempts,
    ).toBe(3);
  });
});

describe('a client from the factory, against a local endpoint that throttles', () => {
  let server: Server;
  let requests: IncomingHttpHeaders[] = [];
  let throttleFirst = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        requests.push(request.headers);
        response.setHeader('content-type', 'text/xml');
        if (requests.length <= throttleFirst) {
          response.statusCode = 400;
          response.end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
          );
          return;
        }
        response.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            '<Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account>' +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function client(env: Record<string, string> = {}): STSClient {
    const { port } = server.address() as AddressInfo;
    return createClient(
      STSClient,
      'STS',
      {
        action: 'provision-stack',
        env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`, ...env },
      },
      { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    );
  }

  it('retries throttling and then succeeds, naming the toolkit and action in the user agent', async () => {
    requests = [];
    throttleFirst = 2;
    const identity = await client().send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
    expect(requests).toHaveLength(3);
    const agent = `${requests[2]?.['user-agent']} ${requests[2]?.['x-amz-user-agent']}`;
    expect(agent).toContain(`three-tier-deploy/${TOOLKIT_VERSION}`);
    expect(agent).toContain('action/provision-stack');
  });

  it('gives up after the configured attempts with the AWS error code', async () => {
    requests = [];
    throttleFirst = 100;
    await expect(
      client({ AWS_MAX_ATTEMPTS: '2' }).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: 'Throttling',
    });
    expect(requests).toHaveLength(2);
  });
});

describe('a client bound to the step deadline, against an endpoint that never answers', () => {
  // Accepts connections and reads requests, but never answers: a frozen endpoint.
  let hung: Server;
  let seen = 0;
  let answering: Server;

  beforeAll(async () => {
    hung = createServer((request) => {
      seen++;
      request.resume();
    });
    answering = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'text/xml');
        response.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            '<Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account>' +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => answering.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    hung.closeAllConnections();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
    await new Promise<void>((resolve) => answering.close(() => resolve()));
  });

  const urlOf = (server: Server): string =>
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function client(
    server: Server,
    deadline: ClientContext['deadline'],
    afterDeadlineMs?: number,
  ): STSClient {
    return createClient(
      STSClient,
      'STS',
      {
        action: 'publish-frontend',
        env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_STS: urlOf(server) },
        deadline,
        afterDeadlineMs,
      },
      { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    );
  }

  /** The call's outcome, or 'still waiting' once `ms` passed: a hang must not hang the test. */
  async function settle(call: Promise<unknown>, ms: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const waiting = new Promise((resolve) => {
      timer = setTimeout(() => resolve('still waiting'), ms);
    });
    try {
      return await Promise.race([
        call.then(
          (value) => ({ value }),
          (error: unknown) => error,
        ),
        waiting,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('stops a request still waiting when the deadline passes, as a timeout naming the call, not retried', async () => {
    seen = 0;
    const deadline = createDeadline({ clock: systemClock, budgetMs: 400 });
    const started = Date.now();
    const outcome = await settle(
      client(hung, deadline).send(new GetCallerIdentityCommand({})),
      3000,
    );
    expect(outcome).toBeInstanceOf(RequestTimedOut);
    expect(outcome).toBeInstanceOf(TimeoutError);
    const error = outcome as RequestTimedOut;
    expect(error.operation).toBe('GetCallerIdentity');
    expect(error.service).toBe('STS');
    expect(error.message).toContain('STS GetCallerIdentity');
    expect(error.message).toContain(urlOf(hung));
    expect(error.message).toContain('timeout-minutes (0s)');
    expect(Date.now() - started).toBeLessThan(1500);
    // An abort is not retried: the one request, not eight attempts.
    expect(seen).toBe(1);
  });

  it("also bounds a caller's own signal by the deadline, and leaves the caller's own abort as it is", async () => {
    const deadline = createDeadline({ clock: systemClock, budgetMs: 400 });
    const own = new AbortController();
    const call = client(hung, deadline).send(new GetCallerIdentityCommand({}), {
      abortSignal: own.signal,
    });
    expect(await settle(call, 3000)).toBeInstanceOf(RequestTimedOut);

    const later = createDeadline({ clock: systemClock, budgetMs: 60_000 });
    const cancel = new AbortController();
    const cancelled = client(hung, later).send(new GetCallerIdentityCommand({}), {
      abortSignal: cancel.signal,
    });
    setTimeout(() => cancel.abort(), 100);
    const outcome = await settle(cancelled, 3000);
    expect(outcome).toMatchObject({ name: 'AbortError' });
    expect(outcome).not.toBeInstanceOf(RequestTimedOut);
  });

  it('gives a request started after the deadline (cleanup) its own short window, then stops it too', async () => {
    const deadline = createDeadline({ clock: systemClock, budgetMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deadline.signal.aborted).toBe(true);
    // Recording what was done after a timeout still works when the endpoint answers.
    const identity = await client(answering, deadline, 500).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
    // And when it does not, the window ends it.
    const started = Date.now();
    const outcome = await settle(
      client(hung, deadline, 500).send(new GetCallerIdentityCommand({})),
      3000,
    );
    expect(outcome).toBeInstanceOf(RequestTimedOut);
    expect((outcome as Error).message).toMatch(/after the step's timeout-minutes .* ran out/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps its after-deadline window inside run-main’s hard stop', () => {
    expect(AFTER_DEADLINE_MS).toBeLessThan(DEADLINE_GRACE_MS);
  });
});
