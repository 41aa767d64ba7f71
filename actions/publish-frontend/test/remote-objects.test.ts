import { describe, expect, it } from '@jest/globals';
import type { LocalFile } from '../src/local-files.js';
import {
  applyManifest,
  isPlainMd5Etag,
  nextManifest,
  objectsToHead,
  remoteMd5,
  type StoredManifest,
  type RemoteObject,
} from '../src/remote-objects.js';

const MD5 = '0123456789abcdef0123456789abcdef';
const object = (key: string, overrides: Partial<RemoteObject> = {}): RemoteObject => ({
  key,
  size: 10,
  etag: MD5,
  lastModified: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const headers = { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };
const stored: StoredManifest = {
  manifest: { version: 1, objects: { 'index.html': { md5: MD5, ...headers } } },
  writtenAt: '2026-01-01T00:00:05Z',
};

describe('applyManifest', () => {
  it('vouches for an object with the recorded ETag last modified no later than the manifest', () => {
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
      applyManifest([object('index.html', { lastModified: '2026-01-01T00:00:06Z' })], stored)[0]
        ?.known,
    ).toBeUndefined();
    // In the manifest's own second: the last uploads of the run that wrote it.
    expect(
      applyManifest([object('index.html', { lastModified: '2026-01-01T00:00:05Z' })], stored)[0]
        ?.known?.md5,
    ).toBe(MD5);
    expect(
      applyManifest([object('index.html', { etag: 'ffff' })], stored)[0]?.known,
    ).toBeUndefined();
    expect(applyManifest([object('other.html')], stored)[0]?.known).toBeUndefined();
    expect(applyManifest([object('index.html')], undefined)[0]?.known).toBeUndefined();
  });

  it('compares a multipart object by the ETag the manifest recorded for it', () => {
    const multipart: StoredManifest = {
      ...stored,
      manifest: { version: 1, objects: { 'big.bin': { md5: MD5, ...headers, etag: 'abc-3' } } },
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
  it('records what was written and what was known, for the keys the site has now', () => {
    const next = nextManifest({
      keys: ['index.html', 'kept.js', 'big.bin', 'unknown.js'],
      written: new Map([
        ['index.html', { md5: 'm1', ...headers, etag: 'm1' }],
        ['big.bin', { md5: 'm4', ...headers, etag: 'e4-2' }],
      ]),
      before: [
        object('kept.js', {
          known: { md5: 'm2', contentType: 'text/javascript', cacheControl: 'public', etag: 'm2' },
        }),
        object('gone.js', { known: { md5: 'm3', ...headers, etag: 'm3' } }),
        object('unknown.js'),
      ],
    });
    expect(next).toEqual({
      version: 1,
      objects: {
        'big.bin': { md5: 'm4', ...headers, etag: 'e4-2' },
        'index.html': { md5: 'm1', ...headers },
        'kept.js': { md5: 'm2', contentType: 'text/javascript', cacheControl: 'public' },
      },
    });
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
