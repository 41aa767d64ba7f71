import { describe, expect, it } from '@jest/globals';
import type { LocalFile } from '../src/local-files.js';
import {
  applyManifest,
  isPlainMd5Etag,
  nextManifest,
  objectsToHead,
  remoteMd5,
  type Manifest,
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
const manifest: Manifest = {
  version: 1,
  objects: {
    'index.html': { md5: MD5, ...headers, etag: MD5, lastModified: '2026-01-01T00:00:00.000Z' },
  },
};

describe('applyManifest', () => {
  it('vouches for an object only while its ETag and LastModified are the ones recorded', () => {
    expect(applyManifest([object('index.html')], manifest)[0]?.known).toEqual({
      md5: MD5,
      ...headers,
    });
    // Rewritten since (a copy in place that changed metadata keeps the ETag, not LastModified).
    expect(
      applyManifest(
        [object('index.html', { lastModified: '2026-02-01T00:00:00.000Z' })],
        manifest,
      )[0]?.known,
    ).toBeUndefined();
    expect(
      applyManifest([object('index.html', { etag: 'ffff' })], manifest)[0]?.known,
    ).toBeUndefined();
    expect(applyManifest([object('other.html')], manifest)[0]?.known).toBeUndefined();
    expect(applyManifest([object('index.html')], undefined)[0]?.known).toBeUndefined();
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
  it('records what was written with the listing after the upload, keeps what was verified, drops the rest', () => {
    const listing = [
      object('index.html', { etag: 'new', lastModified: '2026-03-01T00:00:00.000Z' }),
      object('kept.js', { known: undefined }),
      object('unknown.js'),
    ];
    const next = nextManifest({
      listing,
      written: new Map([['index.html', { md5: 'm1', ...headers }]]),
      verified: [
        object('kept.js', {
          known: { md5: 'm2', contentType: 'text/javascript', cacheControl: 'public' },
        }),
        object('gone.js', { known: { md5: 'm3', ...headers } }),
      ],
    });
    expect(next).toEqual({
      version: 1,
      objects: {
        'index.html': {
          md5: 'm1',
          ...headers,
          etag: 'new',
          lastModified: '2026-03-01T00:00:00.000Z',
        },
        'kept.js': {
          md5: 'm2',
          contentType: 'text/javascript',
          cacheControl: 'public',
          etag: MD5,
          lastModified: '2026-01-01T00:00:00.000Z',
        },
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
