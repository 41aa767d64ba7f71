import { describe, expect, it } from '@jest/globals';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { LocalFile } from '../src/local-files.js';
import {
  applyManifest,
  isPlainMd5Etag,
  nextManifest,
  objectsToHead,
  readBackWritten,
  readManifest,
  remoteMd5,
  type StoredManifest,
  type RemoteObject,
} from '../src/remote-objects.js';

const MD5 = '0123456789abcdef0123456789abcdef';
const object = (key: string, overrides: Partial<RemoteObject> = {}): RemoteObject => ({
  key,
  size: 10,
  etag: MD5,
  lastModified: '2026-01-01T00:00:00Z',
  ...overrides,
});
const headers = { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };
const MODIFIED = '2026-01-01T00:00:00Z';
const stored: StoredManifest = {
  manifest: {
    version: 2,
    objects: { 'index.html': { md5: MD5, ...headers, modified: MODIFIED } },
  },
  writtenAt: '2026-01-01T00:00:05Z',
};

describe('applyManifest', () => {
  it('vouches for an object that still has the recorded ETag and LastModified', () => {
    expect(applyManifest([object('index.html')], stored)[0]?.known).toEqual({
      md5: MD5,
      ...headers,
      etag: MD5,
    });
  });

  it('asks S3 about anything rewritten since (a metadata-only copy keeps the ETag, not LastModified)', () => {
    expect(
      applyManifest([object('index.html', { lastModified: '2026-02-01T00:00:00Z' })], stored)[0]
        ?.known,
    ).toBeUndefined();
    expect(
      applyManifest([object('index.html', { etag: 'ffff' })], stored)[0]?.known,
    ).toBeUndefined();
    expect(applyManifest([object('other.html')], stored)[0]?.known).toBeUndefined();
    expect(applyManifest([object('index.html')], undefined)[0]?.known).toBeUndefined();
  });

  it('does not trust a manifest written after a concurrent rewrite it did not see', () => {
    // Run B read index.html at 00:00:00 and kept that state; run A copied it in place with
    // other headers at 00:00:03 (same bytes, same ETag); B wrote its manifest at 00:00:05.
    // Trusting "last modified before the manifest" would skip a file whose headers changed.
    const rewritten = object('index.html', { lastModified: '2026-01-01T00:00:03Z' });
    expect(applyManifest([rewritten], stored)[0]?.known).toBeUndefined();
  });

  it('compares a multipart object by the ETag the manifest recorded for it', () => {
    const multipart: StoredManifest = {
      ...stored,
      manifest: {
        version: 2,
        objects: { 'big.bin': { md5: MD5, ...headers, etag: 'abc-3', modified: MODIFIED } },
      },
    };
    expect(applyManifest([object('big.bin', { etag: 'abc-3' })], multipart)[0]?.known?.md5).toBe(
      MD5,
    );
    expect(applyManifest([object('big.bin', { etag: MD5 })], multipart)[0]?.known).toBeUndefined();
  });
});

describe('objectsToHead', () => {
  const local = (key: string, size = 10) => ({ key, size }) as LocalFile;
  it('heads only existing objects nobody vouches for that have the local size', () => {
    const remote = [
      object('same.js'),
      object('bigger.js', { size: 99 }),
      object('known.js', { known: { md5: MD5 } }),
      object('stale.js'),
    ];
    expect(
      objectsToHead(
        [local('same.js'), local('bigger.js'), local('known.js'), local('new.js')],
        remote,
      ).map((o) => o.key),
    ).toEqual(['same.js']);
  });
});

describe('nextManifest', () => {
  const back = (etag: string, lastModified = '2026-03-01T00:00:00Z') => ({ etag, lastModified });
  it('records what was written (dated as read back) and what was known (dated by the listing)', () => {
    const next = nextManifest({
      keys: ['index.html', 'kept.js', 'big.bin', 'unknown.js'],
      written: new Map([
        ['index.html', { md5: 'm1', ...headers, etag: 'm1' }],
        ['big.bin', { md5: 'm4', ...headers, etag: 'e4-2' }],
      ]),
      readBack: new Map([
        ['index.html', back('m1')],
        ['big.bin', back('e4-2', '2026-03-01T00:00:01Z')],
      ]),
      before: [
        object('kept.js', {
          known: { md5: 'm2', contentType: 'text/javascript', cacheControl: 'public', etag: MD5 },
        }),
        object('gone.js', { known: { md5: 'm3', ...headers, etag: MD5 } }),
        object('unknown.js'),
      ],
    });
    expect(next).toEqual({
      version: 2,
      objects: {
        'big.bin': { md5: 'm4', ...headers, etag: 'e4-2', modified: '2026-03-01T00:00:01Z' },
        'index.html': { md5: 'm1', ...headers, modified: '2026-03-01T00:00:00Z' },
        'kept.js': {
          md5: 'm2',
          contentType: 'text/javascript',
          cacheControl: 'public',
          etag: MD5,
          modified: '2026-01-01T00:00:00Z',
        },
      },
    });
  });

  it('leaves out objects someone else rewrote or deleted meanwhile', () => {
    const next = nextManifest({
      keys: ['overwritten.html', 'vanished.html', 'raced.js'],
      written: new Map([
        ['overwritten.html', { md5: 'm1', ...headers, etag: 'm1' }],
        ['vanished.html', { md5: 'm2', ...headers, etag: 'm2' }],
      ]),
      // Another run wrote other bytes over overwritten.html after this run did.
      readBack: new Map([['overwritten.html', back('other')]]),
      before: [
        // Listed with one ETag, then HeadObject saw another: a write raced the read.
        object('raced.js', { known: { md5: 'm3', ...headers, etag: 'm3' } }),
      ],
    });
    expect(next.objects).toEqual({});
  });
});

describe('nextManifest retained assets', () => {
  it('records the kept assets sorted, and leaves the field out when there are none', () => {
    const base = { keys: [], written: new Map(), readBack: new Map(), before: [] };
    expect(
      nextManifest({
        ...base,
        retained: { 'b.3f9a1c2b.js': '2026-01-02T00:00:00.000Z', 'a.0a1b2c3d.js': 'x' },
      }),
    ).toEqual({
      version: 2,
      objects: {},
      retained: { 'a.0a1b2c3d.js': 'x', 'b.3f9a1c2b.js': '2026-01-02T00:00:00.000Z' },
    });
    expect(Object.keys(nextManifest({ ...base, retained: {} }))).toEqual(['version', 'objects']);
  });
});

describe('ETags', () => {
  it('tells a single-part MD5 ETag from a multipart one', () => {
    expect(isPlainMd5Etag(MD5)).toBe(true);
    expect(isPlainMd5Etag(`${MD5}-3`)).toBe(false);
    expect(remoteMd5(object('a', { etag: `${MD5}-3` }))).toBeUndefined();
    expect(remoteMd5(object('a', { etag: `${MD5}-3`, known: { md5: 'stored' } }))).toBe('stored');
  });
});

describe('readBackWritten', () => {
  const s3Mock = mockClient(S3Client);
  const s3 = new S3Client({ region: 'us-east-1' });
  const at = new Date('2026-03-01T10:00:00.123Z');

  it('reads a few written objects with HeadObject, leaving out one deleted meanwhile', async () => {
    s3Mock.reset();
    s3Mock.on(HeadObjectCommand).resolves({ ETag: '"e1"', LastModified: at });
    s3Mock.on(HeadObjectCommand, { Key: 'gone.js' }).rejects(
      new S3ServiceException({
        name: 'NotFound',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'not found',
      }),
    );
    const back = await readBackWritten({
      s3,
      bucket: 'site',
      prefix: '',
      keys: ['a.js', 'gone.js'],
      concurrency: 4,
    });
    expect([...back]).toEqual([['a.js', { etag: 'e1', lastModified: '2026-03-01T10:00:00Z' }]]);
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('lists the prefix once instead when many objects were written', async () => {
    s3Mock.reset();
    const keys = Array.from({ length: 100 }, (_, i) => `web/f${i}.js`);
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [...keys, 'web/not-written.js'].map((Key) => ({
        Key,
        ETag: `"${Key}"`,
        Size: 1,
        LastModified: at,
      })),
    });
    const back = await readBackWritten({ s3, bucket: 'site', prefix: 'web', keys, concurrency: 4 });
    expect(back.size).toBe(100);
    expect(back.get('web/f7.js')).toEqual({
      etag: 'web/f7.js',
      lastModified: '2026-03-01T10:00:00Z',
    });
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({
      Bucket: 'site',
      Prefix: 'web/',
    });
  });
});

describe('readManifest', () => {
  const s3Mock = mockClient(S3Client);
  const s3 = new S3Client({ region: 'us-east-1' });
  const serve = (body: unknown) => {
    s3Mock.reset();
    s3Mock.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => JSON.stringify(body) } as never,
      LastModified: new Date('2026-03-01T10:00:00Z'),
    });
  };
  const read = () => readManifest({ s3, bucket: 'site', prefix: 'web', warn: () => undefined });

  it('keeps the optional fields of the right shape', async () => {
    serve({
      version: 2,
      objects: {},
      retained: { 'a.3f9a1c2b.js': '2026-03-01T00:00:00.000Z' },
      pendingInvalidation: ['/', '/index.html'],
    });
    expect((await read())?.manifest).toEqual({
      version: 2,
      objects: {},
      retained: { 'a.3f9a1c2b.js': '2026-03-01T00:00:00.000Z' },
      pendingInvalidation: ['/', '/index.html'],
    });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input.Key).toBe(
      'web/.publish-frontend-manifest.json',
    );
  });

  it('drops optional fields of another shape (a hand edit) instead of trusting them', async () => {
    serve({ version: 2, objects: {}, retained: ['x'], pendingInvalidation: '/index.html' });
    expect((await read())?.manifest).toEqual({ version: 2, objects: {} });
    serve({ version: 2, objects: {}, retained: { a: 5 }, pendingInvalidation: ['index.html'] });
    expect((await read())?.manifest).toEqual({ version: 2, objects: {} });
  });

  it('ignores a manifest of version 1, whose entries carry no LastModified', async () => {
    serve({ version: 1, objects: {} });
    expect(await read()).toBeUndefined();
  });
});
