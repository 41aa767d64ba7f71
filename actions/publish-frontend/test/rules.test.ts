import { describe, expect, it } from '@jest/globals';
import {
  cacheControlFor,
  compileCacheRules,
  HTML_CACHE_CONTROL,
  IMMUTABLE,
  isContentHashed,
  isImmutable,
  SHORT_CACHE_CONTROL,
} from '../src/cache-control.js';
import { contentTypeFor, isHtml } from '../src/content-type.js';
import { compileGlob } from '../src/glob.js';

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/site.css', 'text/css; charset=utf-8'],
    ['assets/app.js', 'text/javascript; charset=utf-8'],
    ['assets/worker.mjs', 'text/javascript; charset=utf-8'],
    ['data/config.json', 'application/json; charset=utf-8'],
    ['assets/app.js.map', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['img/photo.png', 'image/png'],
    ['img/photo.webp', 'image/webp'],
    ['img/photo.avif', 'image/avif'],
    ['fonts/inter.woff2', 'font/woff2'],
    ['wasm/engine.wasm', 'application/wasm'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['PHOTO.PNG', 'image/png'],
    ['doc.pdf', 'application/pdf'],
    ['notes.md', 'text/markdown; charset=utf-8'],
    ['LICENSE', 'application/octet-stream'],
    ['archive.unknownext', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });

  it('takes overrides by extension exactly as given', () => {
    expect(contentTypeFor('model/scene.glb', { glb: 'model/gltf-binary' })).toBe(
      'model/gltf-binary',
    );
    expect(contentTypeFor('legacy.js', { js: 'application/javascript' })).toBe(
      'application/javascript',
    );
  });

  it('knows HTML by its type', () => {
    expect(isHtml('text/html; charset=utf-8')).toBe(true);
    expect(isHtml('text/css; charset=utf-8')).toBe(false);
  });
});

describe('isContentHashed', () => {
  it.each([
    'assets/app.3f9a1c2b.js',
    'static/js/main.3f9a1c2b.chunk.js',
    'styles.5e1f0c9d8a7b6c4e.css',
    'assets/index-BQ8x_a1Z.js',
    'assets/index-B-8x_a1Z.css',
    'assets/vendor-DhCbLwQs.js',
    'chunk-3f9a1c2b4e5d.js',
    'fonts/inter-latin.4b2c9e1f.woff2',
  ])('%s carries a content hash', (file) => {
    expect(isContentHashed(file)).toBe(true);
  });

  it.each([
    'index.html',
    'app.js',
    'user-settings.js',
    'app-Settings.js',
    'button-primary1.png',
    'icon-arrow-2x.png',
    'report-20240101.pdf',
    'favicon.ico',
    'my-long-component-name.js',
    'deadbeef',
  ])('%s does not', (file) => {
    expect(isContentHashed(file)).toBe(false);
  });
});

describe('cacheControlFor', () => {
  const none = compileCacheRules({});
  it('applies the defaults: hashed immutable, HTML no-cache, the rest short', () => {
    expect(
      cacheControlFor({
        relativePath: 'assets/app.3f9a1c2b.js',
        contentType: 'text/javascript',
        rules: none,
      }),
    ).toBe(IMMUTABLE);
    expect(
      cacheControlFor({
        relativePath: 'docs/index.html',
        contentType: 'text/html; charset=utf-8',
        rules: none,
      }),
    ).toBe(HTML_CACHE_CONTROL);
    expect(
      cacheControlFor({ relativePath: 'robots.txt', contentType: 'text/plain', rules: none }),
    ).toBe(SHORT_CACHE_CONTROL);
  });

  it('lets the first matching rule win over the defaults', () => {
    const rules = compileCacheRules({
      'assets/**': 'public, max-age=86400',
      '*.js': 'no-store',
      '*.{png,svg}': 'public, max-age=600',
    });
    expect(
      cacheControlFor({
        relativePath: 'assets/app.3f9a1c2b.js',
        contentType: 'text/javascript',
        rules,
      }),
    ).toBe('public, max-age=86400');
    expect(cacheControlFor({ relativePath: 'sw.js', contentType: 'text/javascript', rules })).toBe(
      'no-store',
    );
    expect(
      cacheControlFor({ relativePath: 'img/logo.svg', contentType: 'image/svg+xml', rules }),
    ).toBe('public, max-age=600');
    expect(cacheControlFor({ relativePath: 'index.html', contentType: 'text/html', rules })).toBe(
      HTML_CACHE_CONTROL,
    );
  });

  it('recognises immutable values', () => {
    expect(isImmutable(IMMUTABLE)).toBe(true);
    expect(isImmutable('public,immutable')).toBe(true);
    expect(isImmutable('no-cache')).toBe(false);
    expect(isImmutable(undefined)).toBe(false);
  });
});

describe('compileGlob', () => {
  it('matches names in any folder when the pattern has no slash', () => {
    const glob = compileGlob('*.html');
    expect(glob.matches('index.html')).toBe(true);
    expect(glob.matches('docs/deep/index.html')).toBe(true);
    expect(glob.matches('index.htm')).toBe(false);
  });

  it('anchors patterns with a slash at the source root; ** spans folders, * does not', () => {
    expect(compileGlob('assets/*.js').matches('assets/app.js')).toBe(true);
    expect(compileGlob('assets/*.js').matches('assets/x/app.js')).toBe(false);
    expect(compileGlob('assets/**/*.js').matches('assets/app.js')).toBe(true);
    expect(compileGlob('assets/**/*.js').matches('assets/x/y/app.js')).toBe(true);
    expect(compileGlob('/static/**').matches('static/a/b.css')).toBe(true);
    expect(compileGlob('static/**').matches('other/static/b.css')).toBe(false);
  });

  it('supports ? and {a,b} and treats dots literally', () => {
    expect(compileGlob('v?.txt').matches('v1.txt')).toBe(true);
    expect(compileGlob('*.{woff,woff2}').matches('f/a.woff2')).toBe(true);
    expect(compileGlob('*.js').matches('appxjs')).toBe(false);
  });
});

describe('compileGlob on dot files', () => {
  it('treats dot files and folders like any other file', () => {
    expect(compileGlob('.well-known/*').matches('.well-known/security.txt')).toBe(true);
    expect(compileGlob('*.txt').matches('.well-known/security.txt')).toBe(true);
  });
});
