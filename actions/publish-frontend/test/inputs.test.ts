import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { readInputs } from '../src/inputs.js';
import { checkSource, originServesBucket, prefixInside } from '../src/preflight.js';
import type { LocalFile } from '../src/local-files.js';

const source = mkdtempSync(path.join(tmpdir(), 'inputs-'));
const read = (values: Record<string, string>) =>
  readInputs(new Inputs((name) => values[name] ?? '', '/'));
const base = { source, bucket: 'my-site' };

describe('readInputs', () => {
  it('applies the defaults', () => {
    const inputs = read(base);
    expect(inputs).toMatchObject({
      source,
      bucket: 'my-site',
      prefix: '',
      delete: true,
      invalidate: 'auto',
      waitForInvalidation: false,
      maxInvalidationPaths: 15,
      maxDeletions: 0.5,
      keepPreviousAssetsMs: 24 * 3600_000,
      concurrency: 16,
      requireIndex: true,
      dryRun: false,
      contentTypes: {},
      cacheRules: [],
    });
  });

  it('reads keep-previous-assets as a duration, 0 or false turning it off', () => {
    expect(read({ ...base, 'keep-previous-assets': '168h' }).keepPreviousAssetsMs).toBe(
      168 * 3600_000,
    );
    expect(read({ ...base, 'keep-previous-assets': '0' }).keepPreviousAssetsMs).toBe(0);
    expect(read({ ...base, 'keep-previous-assets': 'false' }).keepPreviousAssetsMs).toBe(0);
    expect(() => read({ ...base, 'keep-previous-assets': 'a day' })).toThrow(
      /Input 'keep-previous-assets': got "a day"; expected a duration such as 90s, 15m or 1h30m/,
    );
    expect(() => read({ ...base, 'keep-previous-assets': '2400h' })).toThrow(InputError);
  });

  it('reads rules, overrides, shares and the prefix', () => {
    const inputs = read({
      ...base,
      prefix: '/releases/web/',
      'cache-control': '*.html=no-cache, no-store\nassets/**=public, max-age=31536000, immutable',
      'content-types': '.glb: model/gltf-binary\nWASM: application/wasm',
      'max-deletions': '25%',
    });
    expect(inputs.prefix).toBe('releases/web');
    expect(inputs.cacheRules.map((rule) => [rule.glob.pattern, rule.value])).toEqual([
      ['*.html', 'no-cache, no-store'],
      ['assets/**', 'public, max-age=31536000, immutable'],
    ]);
    expect(inputs.contentTypes).toEqual({ glb: 'model/gltf-binary', wasm: 'application/wasm' });
    expect(inputs.maxDeletions).toBe(0.25);
    expect(read({ ...base, 'max-deletions': '0.1' }).maxDeletions).toBe(0.1);
    expect(read({ ...base, 'max-deletions': '100%' }).maxDeletions).toBe(1);
    expect(read({ ...base, 'max-deletions': '1%' }).maxDeletions).toBe(0.01);
    expect(read({ ...base, 'content-types': '.glb=model/gltf-binary' }).contentTypes).toEqual({
      glb: 'model/gltf-binary',
    });
  });

  it.each([
    [{ bucket: 's3://my-site' }, 'bucket'],
    [{ bucket: 'arn:aws:s3:::my-site' }, 'bucket'],
    [{ source: '/does/not/exist' }, 'source'],
    [{ prefix: 'a/../b' }, 'prefix'],
    // A control character in the prefix is in every key: S3's XML listing cannot carry it (16 #14).
    [{ prefix: 'web\u0001' }, 'prefix'],
    [{ prefix: 'web\tsite' }, 'prefix'],
    [{ 'follow-symlinks': 'anywhere' }, 'follow-symlinks'],
    [{ 'distribution-id': 'd123.cloudfront.net' }, 'distribution-id'],
    [{ invalidate: 'some' }, 'invalidate'],
    [{ 'max-deletions': 'half' }, 'max-deletions'],
    [{ 'max-deletions': '150%' }, 'max-deletions'],
    // 1% or 100%? Guessing 100% would turn the guard off.
    [{ 'max-deletions': '1' }, 'max-deletions'],
    [{ 'max-deletions': '1.0' }, 'max-deletions'],
    [{ 'keep-previous-assets': 'soon' }, 'keep-previous-assets'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ 'max-invalidation-paths': '5000' }, 'max-invalidation-paths'],
    [{ 'content-types': '.glb=not a type' }, 'content-types'],
    // Header values HTTP refuses: caught here, not by the first upload mid-publish.
    [{ 'content-types': '.glb=model/gltf-binary; x=\u0001' }, 'content-types'],
    [{ 'cache-control': '*.js=max-age=60 \u2014 short' }, 'cache-control'],
    [{ 'wait-for-invalidation': 'maybe' }, 'wait-for-invalidation'],
  ])('rejects %j naming the input', (values, input) => {
    try {
      read({ ...base, ...values });
      throw new Error('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).input).toBe(input);
    }
  });
});

describe('cache-control as YAML (issue 16 #15)', () => {
  const refusal = (text: string): InputError => {
    try {
      read({ ...base, 'cache-control': text });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return error as InputError;
    }
    throw new Error('expected an InputError');
  };

  it('tells to quote a glob that starts with *, naming the line and showing the value', () => {
    // YAML reads an unquoted *.txt as an alias: its own error speaks of aliases and scalars.
    const error = refusal('"*.html": no-cache\n*.txt: no-cache');
    expect(error.input).toBe('cache-control');
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('quote');
    expect(error.message).toContain('"*.txt": no-cache');
    // Cache rules hold no secrets: the value is shown, not "not repeated here".
    expect(error.message).toContain('*.txt: no-cache');
    expect(error.message).not.toContain('may hold secrets');
  });

  it('reads a quoted glob, and glob=value lines, alike', () => {
    const yaml = read({ ...base, 'cache-control': '"*.txt": no-cache' }).cacheRules;
    const lines = read({ ...base, 'cache-control': '*.txt=no-cache' }).cacheRules;
    expect(yaml.map((rule) => rule.value)).toEqual(['no-cache']);
    expect(lines.map((rule) => rule.value)).toEqual(['no-cache']);
  });
});

describe('preflight', () => {
  const files = (...paths: string[]) =>
    paths.map((relativePath) => ({ relativePath, key: relativePath }) as LocalFile);

  it('refuses an empty source, a source without index.html, and the manifest name', () => {
    expect(() => checkSource({ source: '/s', files: [], requireIndex: false })).toThrow(
      'holds no files',
    );
    expect(() =>
      checkSource({ source: '/s', files: files('docs/index.html'), requireIndex: true }),
    ).toThrow('no index.html at its root');
    expect(() =>
      checkSource({ source: '/s', files: files('docs/index.html'), requireIndex: false }),
    ).not.toThrow();
    expect(() =>
      checkSource({
        source: '/s',
        files: files('index.html', 'x/.publish-frontend-manifest.json'),
        requireIndex: true,
      }),
    ).toThrow('keeps its own manifest');
  });

  it('recognises the S3 endpoints a distribution may use for the bucket', () => {
    expect(originServesBucket('my-site.s3.eu-west-1.amazonaws.com', 'my-site', 'eu-west-1')).toBe(
      true,
    );
    expect(originServesBucket('my-site.s3.amazonaws.com', 'my-site', 'eu-west-1')).toBe(true);
    expect(originServesBucket('My-Site.S3.amazonaws.com', 'my-site', 'eu-west-1')).toBe(true);
    expect(
      originServesBucket('my-site.s3-website-eu-west-1.amazonaws.com', 'my-site', 'eu-west-1'),
    ).toBe(true);
    expect(originServesBucket('my-site-old.s3.amazonaws.com', 'my-site', 'eu-west-1')).toBe(false);
    expect(originServesBucket('alb-123.eu-west-1.elb.amazonaws.com', 'my-site', 'eu-west-1')).toBe(
      false,
    );
  });
});

describe('action.yml', () => {
  it('declares exactly the inputs the action reads, and its defaults parse', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const meta = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const asked = new Set<string>();
    const defaults = Object.fromEntries(
      Object.entries(meta.inputs).map(([name, spec]) => [name, spec.default ?? '']),
    );
    readInputs(new Inputs((name) => (asked.add(name), { ...defaults, ...base }[name] ?? ''), '/'));
    expect([...asked].sort()).toEqual(Object.keys(meta.inputs).sort());
  });
});

describe('prefixInside', () => {
  it('accepts the origin path itself or a folder below it, and anything for no origin path', () => {
    expect(prefixInside('', '')).toBe(true);
    expect(prefixInside('web', '/web')).toBe(true);
    expect(prefixInside('web/docs', '/web/')).toBe(true);
    expect(prefixInside('', '/web')).toBe(false);
    expect(prefixInside('website', '/web')).toBe(false);
    expect(prefixInside('other', '/web')).toBe(false);
  });
});
