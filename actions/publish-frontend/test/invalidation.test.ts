import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { TimeoutError } from '../../common/src/errors.js';
import * as runIdentityModule from '../../common/src/run-identity.js';
import {
  choosePaths,
  createInvalidation,
  urlPathFor,
  waitForInvalidation,
} from '../src/invalidation.js';

const cloudfrontMock = mockClient(CloudFrontClient);
const cloudfront = new CloudFrontClient({ region: 'us-east-1' });

function fakeClock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
}

const tooMany = () =>
  new TooManyInvalidationsInProgress({ message: 'Too many', $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  cloudfrontMock.reset();
});

describe('choosePaths', () => {
  const choose = (
    staleKeys: string[],
    overrides: Partial<Parameters<typeof choosePaths>[0]> = {},
  ) =>
    choosePaths({
      mode: 'auto',
      anythingChanged: true,
      staleKeys,
      maxPaths: 15,
      urlPathFor: (key) => urlPathFor(key),
      ...overrides,
    });

  it('adds the folder path of every index.html, the root as /', () => {
    expect(choose(['index.html', 'docs/index.html', 'docs/guide.html']).paths).toEqual([
      '/',
      '/docs/',
      '/docs/guide.html',
      '/docs/index.html',
      '/index.html',
    ]);
  });

  it('does not take a file merely ending in index.html for a folder index', () => {
    expect(choose(['myindex.html']).paths).toEqual(['/myindex.html']);
  });

  it('counts paths after adding folder paths when collapsing to /*', () => {
    const choice = choose(['index.html', 'a.html'], { maxPaths: 2 });
    expect(choice.paths).toEqual(['/*']);
    expect(choice.reason).toBe('3 paths > max-invalidation-paths 2, collapsed to /*');
  });

  it('removes the origin path', () => {
    expect(urlPathFor('site/docs/index.html', '/site')).toBe('/docs/index.html');
    expect(urlPathFor('other/a.html', '/site')).toBe('/other/a.html');
    expect(urlPathFor('café/menu.html')).toBe('/caf%C3%A9/menu.html');
  });

  // CloudFront Developer Guide, "What you need to know when invalidating files"
  // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html):
  // "If the path includes non-ASCII characters or unsafe characters as defined in RFC 1738,
  // URL-encode those characters. Do not URL-encode any other characters in the path, or
  // CloudFront will not invalidate the old version of the updated file." RFC 1738 §2.2 unsafe:
  // space < > " # % { } | \ ^ ~ [ ] ` and the control characters.
  it.each([
    ['a b.html', '/a%20b.html'],
    // Reserved or "safe" in RFC 1738, not unsafe: sent as they are (encodeURIComponent encoded them).
    ['a@b.html', '/a@b.html'],
    ['a+b.html', '/a+b.html'],
    ['a=b.html', '/a=b.html'],
    ['a,b.html', '/a,b.html'],
    ['a;b.html', '/a;b.html'],
    ['a:b.html', '/a:b.html'],
    ['a&b.html', '/a&b.html'],
    ['a$b.html', '/a$b.html'],
    ["a!b'(c).html", "/a!b'(c).html"],
    ['a-b_c.d', '/a-b_c.d'],
    // Unsafe: encoded (encodeURIComponent left ~ alone).
    ['a~b.html', '/a%7Eb.html'],
    ['a%b.html', '/a%25b.html'],
    ['a#b.html', '/a%23b.html'],
    ['a{b}c.html', '/a%7Bb%7Dc.html'],
    ['a|b.html', '/a%7Cb.html'],
    ['a\\b.html', '/a%5Cb.html'],
    ['a^b.html', '/a%5Eb.html'],
    ['a[b].html', '/a%5Bb%5D.html'],
    ['a`b.html', '/a%60b.html'],
    ['a<b>.html', '/a%3Cb%3E.html'],
    ['a"b.html', '/a%22b.html'],
    ['a\u0001b\u007f.html', '/a%01b%7F.html'],
    // Non-ASCII: its UTF-8 bytes.
    ['café.html', '/caf%C3%A9.html'],
    ['😀.png', '/%F0%9F%98%80.png'],
    // `?` would start a query string in the path: encoded, as the key's own character.
    ['a?b.html', '/a%3Fb.html'],
    ['dir/sub dir/x.html', '/dir/sub%20dir/x.html'],
  ])('the key %j is invalidated as %j', (key, path) => {
    expect(urlPathFor(key)).toBe(path);
  });

  it('turns a key with * into the wildcard for its prefix: "*" must be the last character', () => {
    // Same page: "The *, which replaces 0 or more characters, must be the last character in the
    // invalidation path." An encoded %2A would not invalidate the object (above).
    expect(urlPathFor('files/my report*.pdf')).toBe('/files/my%20report*');
    expect(choose(['a*b.html', 'a*c.html', 'index.html']).paths).toEqual([
      '/',
      '/a*',
      '/index.html',
    ]);
  });
});

describe('choosePaths with paths an earlier run failed to invalidate', () => {
  const choose = (overrides: Partial<Parameters<typeof choosePaths>[0]>) =>
    choosePaths({
      mode: 'auto',
      anythingChanged: false,
      staleKeys: [],
      maxPaths: 3,
      urlPathFor: (key) => urlPathFor(key),
      pendingPaths: ['/', '/index.html'],
      ...overrides,
    });

  it('invalidates them even when nothing changed now, merged with what did', () => {
    expect(choose({})).toEqual({
      paths: ['/', '/index.html'],
      reason: '2 stale paths, 2 left by an earlier failed run',
    });
    expect(choose({ anythingChanged: true, staleKeys: ['robots.txt'] }).paths).toEqual([
      '/',
      '/index.html',
      '/robots.txt',
    ]);
    expect(choose({ anythingChanged: true, staleKeys: ['a.txt', 'b.txt'] }).paths).toEqual(['/*']);
    expect(choose({ mode: 'all' }).paths).toEqual(['/*']);
    expect(choose({ mode: 'none' }).paths).toEqual([]);
    expect(choose({ pendingPaths: [] }).paths).toEqual([]);
  });
});

type RunIdentityModule = Pick<typeof runIdentityModule, 'callerReference' | 'runIdentity'>;

/** The CallerReference publish-frontend sends (common/run-identity.ts), from the run's variables. */
function referenceFrom(module: RunIdentityModule) {
  return (paths: readonly string[], env: NodeJS.ProcessEnv): string =>
    module.callerReference({
      identity: module.runIdentity(env),
      tool: 'publish-frontend',
      content: paths,
    });
}
const callerReference = referenceFrom(runIdentityModule);

describe('callerReference', () => {
  it('is the same for a retried attempt of the same paths, and differs for other paths or runs', () => {
    const env = { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1' };
    expect(callerReference(['/a'], env)).toBe(callerReference(['/a'], env));
    expect(callerReference(['/a'], env)).not.toBe(callerReference(['/b'], env));
    expect(callerReference(['/a'], env)).not.toBe(
      callerReference(['/a'], { ...env, GITHUB_RUN_ATTEMPT: '2' }),
    );
    expect(callerReference(['/a'], {})).not.toBe(callerReference(['/a'], {}));
  });

  it('differs between two publishes of the same paths in one run (another step, a matrix leg)', async () => {
    const env = { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1' };
    const here = callerReference(['/', '/index.html'], env);
    // A fresh module instance stands for the next step's process.
    const nextStep: string = '../../common/src/run-identity.js?step=2';
    const other = { callerReference: referenceFrom((await import(nextStep)) as RunIdentityModule) };
    expect(other.callerReference(['/', '/index.html'], env)).not.toBe(here);
    expect(here).toMatch(/^publish-frontend-42-1-/);
  });
});

// moto never answers TooManyInvalidationsInProgress and reports every invalidation COMPLETED at
// once, so the back-off and the wait through InProgress are covered here with a mocked client.
describe('createInvalidation', () => {
  it('backs off while CloudFront has too many invalidations in progress', async () => {
    cloudfrontMock
      .on(CreateInvalidationCommand)
      .rejectsOnce(tooMany())
      .rejectsOnce(tooMany())
      .resolves({
        Invalidation: {
          Id: 'I123',
          Status: 'InProgress',
          CreateTime: new Date(),
          InvalidationBatch: undefined,
        },
      });
    const clock = fakeClock();
    const lines: string[] = [];
    const id = await createInvalidation({
      cloudfront,
      distributionId: 'E123',
      paths: ['/index.html'],
      callerReference: 'ref',
      timeoutMs: 600_000,
      log: (line) => lines.push(line),
      ...clock,
    });
    expect(id).toBe('I123');
    expect(clock.sleeps).toEqual([5000, 10_000]);
    expect(lines[0]).toContain('too many invalidations in progress');
    const sent = cloudfrontMock
      .commandCalls(CreateInvalidationCommand)
      .map((call) => call.args[0].input);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toEqual({
      DistributionId: 'E123',
      InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: 1, Items: ['/index.html'] } },
    });
  });

  it('gives up with a TimeoutError that says the files are published', async () => {
    cloudfrontMock.on(CreateInvalidationCommand).rejects(tooMany());
    const clock = fakeClock();
    const creating = createInvalidation({
      cloudfront,
      distributionId: 'E123',
      paths: ['/*'],
      callerReference: 'ref',
      timeoutMs: 60_000,
      log: () => undefined,
      ...clock,
    });
    await expect(creating).rejects.toThrow(TimeoutError);
    await expect(creating).rejects.toThrow(/only the cache invalidation is missing/);
  });

  it('does not retry other errors', async () => {
    cloudfrontMock.on(CreateInvalidationCommand).rejects(new Error('AccessDenied'));
    await expect(
      createInvalidation({
        cloudfront,
        distributionId: 'E123',
        paths: ['/*'],
        callerReference: 'ref',
        timeoutMs: 60_000,
        log: () => undefined,
        ...fakeClock(),
      }),
    ).rejects.toThrow('AccessDenied');
    expect(cloudfrontMock.commandCalls(CreateInvalidationCommand)).toHaveLength(1);
  });
});

describe('waitForInvalidation', () => {
  const invalidation = (Status: string) => ({
    Invalidation: { Id: 'I1', Status, CreateTime: new Date(), InvalidationBatch: undefined },
  });

  it('waits through InProgress until Completed, in whatever case CloudFront spells it', async () => {
    for (const done of ['Completed', 'COMPLETED', 'completed']) {
      cloudfrontMock.reset();
      cloudfrontMock
        .on(GetInvalidationCommand)
        .resolvesOnce(invalidation('InProgress'))
        .resolves(invalidation(done));
      await waitForInvalidation({
        cloudfront,
        distributionId: 'E1',
        invalidationId: 'I1',
        timeoutMs: 60_000,
        log: () => undefined,
        ...fakeClock(),
      });
      expect(cloudfrontMock.commandCalls(GetInvalidationCommand)).toHaveLength(2);
    }
  });

  it('fails on timeout, never reporting success', async () => {
    cloudfrontMock.on(GetInvalidationCommand).resolves(invalidation('InProgress'));
    await expect(
      waitForInvalidation({
        cloudfront,
        distributionId: 'E1',
        invalidationId: 'I1',
        timeoutMs: 30_000,
        log: () => undefined,
        ...fakeClock(),
      }),
    ).rejects.toThrow(/invalidation I1 .*last state: InProgress/);
  });
});

describe('choosePaths when an earlier run owes /*', () => {
  it('sends /* alone, whatever else changed', () => {
    expect(
      choosePaths({
        mode: 'auto',
        anythingChanged: true,
        staleKeys: ['index.html', 'a.html'],
        maxPaths: 15,
        urlPathFor: (key) => urlPathFor(key),
        pendingPaths: ['/*'],
      }),
    ).toEqual({ paths: ['/*'], reason: '/* left by an earlier failed run' });
  });
});
