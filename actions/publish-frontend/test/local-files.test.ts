import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from '../../common/src/errors.js';
import { compileCacheRules, IMMUTABLE } from '../src/cache-control.js';
import { listFiles, readLocalFiles } from '../src/local-files.js';

function site(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<html>');
  writeFileSync(path.join(dir, 'assets', 'app.3f9a1c2b.js'), 'app');
  // Above the size read in one call: hashed as a stream on the worker thread.
  writeFileSync(path.join(dir, 'assets', 'video.bin'), Buffer.alloc(1024 * 1024 + 5, 1));
  return dir;
}

const md5 = (content: string | Buffer) => createHash('md5').update(content).digest('hex');

describe('readLocalFiles', () => {
  it('describes every file with key, size, MD5 and headers', async () => {
    const files = await readLocalFiles({
      source: site(),
      prefix: 'web',
      cacheRules: compileCacheRules({}),
      contentTypes: {},
    });
    expect(
      files.map(({ relativePath, key, size, md5: hash, contentType, cacheControl }) => ({
        relativePath,
        key,
        size,
        hash,
        contentType,
        cacheControl,
      })),
    ).toEqual([
      {
        relativePath: 'assets/app.3f9a1c2b.js',
        key: 'web/assets/app.3f9a1c2b.js',
        size: 3,
        hash: md5('app'),
        contentType: 'text/javascript; charset=utf-8',
        cacheControl: IMMUTABLE,
      },
      {
        relativePath: 'assets/video.bin',
        key: 'web/assets/video.bin',
        size: 1024 * 1024 + 5,
        hash: md5(Buffer.alloc(1024 * 1024 + 5, 1)),
        contentType: 'application/octet-stream',
        cacheControl: 'public, max-age=300',
      },
      {
        relativePath: 'index.html',
        key: 'web/index.html',
        size: 6,
        hash: md5('<html>'),
        contentType: 'text/html; charset=utf-8',
        cacheControl: 'no-cache',
      },
    ]);
  });

  it('follows symbolic links without looping on a link to a parent', async () => {
    const dir = site();
    symlinkSync(dir, path.join(dir, 'assets', 'loop'));
    symlinkSync(path.join(dir, 'index.html'), path.join(dir, 'home.html'));
    symlinkSync(path.join(dir, 'missing'), path.join(dir, 'dangling'));
    expect(await listFiles(dir)).toEqual([
      'assets/app.3f9a1c2b.js',
      'assets/video.bin',
      'home.html',
      'index.html',
    ]);
  });

  /** A workspace with the build output in it, and a secret outside both. */
  function workspace() {
    const root = mkdtempSync(path.join(tmpdir(), 'workspace-'));
    const outside = mkdtempSync(path.join(tmpdir(), 'home-'));
    writeFileSync(path.join(outside, 'config.json'), '{"auths":{"x":"secret"}}');
    writeFileSync(path.join(root, 'LICENSE'), 'MIT');
    const source = path.join(root, 'dist');
    mkdirSync(path.join(source, 'assets'), { recursive: true });
    writeFileSync(path.join(source, 'index.html'), '<html>');
    return { root, source, outside };
  }

  const refusal = async (promise: Promise<unknown>): Promise<ActionError> => {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ActionError);
    return error as ActionError;
  };

  it('refuses a link whose target is outside the source folder, naming the link and its target (issue 16 #6)', async () => {
    const { source, outside } = workspace();
    symlinkSync(path.join(outside, 'config.json'), path.join(source, 'leak.txt'));
    const error = await refusal(listFiles(source));
    expect(error.title).toBe('Link out of the source folder');
    expect(error.message).toContain(`leak.txt -> ${path.join(outside, 'config.json')}`);
    expect(error.message).toContain('Nothing was changed');
  });

  it('refuses a link to / without walking the disk, and one inside a linked folder too', async () => {
    const { source, outside } = workspace();
    symlinkSync('/', path.join(source, 'assets', 'root'));
    mkdirSync(path.join(source, 'real'));
    symlinkSync(path.join(source, 'real'), path.join(source, 'alias'));
    symlinkSync(outside, path.join(source, 'real', 'home'));
    const error = await refusal(listFiles(source));
    expect(error.message).toContain('assets/root -> /');
    expect(error.message).toMatch(/(alias|real)\/home -> /);
  });

  it('follows links into the workspace only when allowed, and never out of it', async () => {
    const { root, source, outside } = workspace();
    symlinkSync(path.join(root, 'LICENSE'), path.join(source, 'LICENSE.txt'));
    expect((await refusal(listFiles(source))).message).toContain('LICENSE.txt -> ');
    expect(await listFiles(source, { linksWithin: root })).toEqual(['LICENSE.txt', 'index.html']);
    symlinkSync(path.join(outside, 'config.json'), path.join(source, 'leak.txt'));
    const error = await refusal(listFiles(source, { linksWithin: root }));
    expect(error.message).toContain('leak.txt -> ');
    expect(error.message).not.toContain('LICENSE.txt');
  });

  it('refuses file names that are not UTF-8 or hold control characters, naming them (issue 16 #14)', async () => {
    const { source } = workspace();
    // Byte 0xE9 alone is é in Latin-1 and no character in UTF-8: readdir turns it into U+FFFD,
    // and the name it gives then does not exist (stat: ENOENT).
    writeFileSync(Buffer.from(path.join(source, 'assets', 'caf\xe9.txt'), 'latin1'), 'x');
    // A control character is a valid key, but S3's XML listing cannot carry it.
    writeFileSync(path.join(source, 'tab\there.txt'), 'x');
    const error = await refusal(listFiles(source));
    expect(error.title).toBe('Unusable file name in source');
    expect(error.message).toContain('assets/caf\\xE9.txt (not UTF-8)');
    expect(error.message).toContain('tab\\x09here.txt (a control character)');
    expect(error.message).toContain('Nothing was changed');
  });
});
