/**
 * The files to publish: walk the source folder, and for each file its key, size, MD5 (streamed,
 * so a large file never sits in memory), Content-Type and Cache-Control.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ActionError } from '../../common/src/errors.js';
import { cacheControlFor, type CacheRule } from './cache-control.js';
import { contentTypeFor } from './content-type.js';
import { forEachLimited } from './pool.js';

export interface LocalFile {
  /** Path below the source folder with `/` separators, e.g. `assets/app.3f9a1c2b.js`. */
  relativePath: string;
  absolutePath: string;
  /** The object key: prefix + relative path. */
  key: string;
  size: number;
  /** Hex MD5 of the content. */
  md5: string;
  contentType: string;
  cacheControl: string;
}

export interface LocalFileOptions {
  source: string;
  prefix: string;
  cacheRules: readonly CacheRule[];
  contentTypes: Readonly<Record<string, string>>;
  /** The folder symbolic links may point into (default: `source`). */
  linksWithin?: string;
}

/**
 * Relative paths of every regular file below `source`, sorted. Symbolic links are followed (a
 * build may link shared assets in) only when their real path stays inside `linksWithin` (the
 * source folder unless the workspace is allowed): a link out of it (`leak.txt ->
 * ~/.docker/config.json`, a link to `/`) would publish what it points at to a public site, so
 * every such link is refused, before anything is read from it, naming the link and its target.
 * Each real folder is walked once, so a link to a parent cannot loop.
 */
export async function listFiles(
  source: string,
  options: { linksWithin?: string } = {},
): Promise<string[]> {
  const found: string[] = [];
  const visited = new Set<string>();
  const within = await realpath(options.linksWithin ?? source);
  const outside: string[] = [];
  const unusable: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    const undecodable = entries.some((entry) => entry.name.includes('\uFFFD'))
      ? await namesNotUtf8(dir)
      : [];
    for (const name of undecodable)
      unusable.push(`${relative ? `${relative}/` : ''}${name} (not UTF-8)`);
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name.includes('\uFFFD') && undecodable.length > 0) continue;
      if ([...entry.name].some(isControl)) {
        unusable.push(`${escapeControls(rel)} (a control character)`);
        continue;
      }
      let kind: { isDirectory(): boolean; isFile(): boolean } | undefined = entry;
      if (entry.isSymbolicLink()) {
        // A dangling link has no target to publish: skipped, as before.
        const target = await realpath(absolute).catch(() => undefined);
        if (target === undefined) continue;
        if (target !== within && !target.startsWith(`${within}${path.sep}`)) {
          outside.push(`${rel} -> ${target}`);
          continue;
        }
        kind = await stat(absolute).catch(() => undefined);
      }
      if (kind?.isDirectory()) await walk(absolute, rel);
      else if (kind?.isFile()) found.push(rel);
    }
  };
  await walk(source, '');
  if (unusable.length > 0) {
    const shown = unusable.sort().slice(0, 10);
    throw new ActionError(
      'Unusable file name in source',
      `${unusable.length} file name(s) in ${source} cannot become S3 keys: ${shown.join(', ')}` +
        `${unusable.length > shown.length ? ', …' : ''}. Nothing was changed.`,
      'Rename the file(s) in the build: object keys are UTF-8 (a name written in another encoding reads as other bytes), and a control character, although S3 stores it, breaks the XML listing every later run reads.',
    );
  }
  if (outside.length > 0) {
    const shown = outside.sort().slice(0, 10);
    throw new ActionError(
      'Link out of the source folder',
      `${outside.length} symbolic link(s) in ${source} point outside ${within}, whose target would be published: ` +
        `${shown.join(', ')}${outside.length > shown.length ? ', …' : ''}. Nothing was changed.`,
      'Remove the link(s) from the build output or copy the files in. follow-symlinks: workspace also allows links into the workspace (never outside it).',
    );
  }
  return found.sort();
}

/**
 * Object keys are "a sequence of Unicode characters encoded in UTF-8" (S3 User Guide, "Naming
 * Amazon S3 objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html): a
 * file name in another encoding is not one. The same page's naming guidelines list the ASCII
 * control characters (00–1F, 7F) among those that need special handling: S3 stores them, but
 * ListObjectsV2 answers in XML, whose parsers refuse or rewrite them (a carriage return becomes a
 * line feed), so such a key breaks or confuses every later run's listing. Both are refused.
 */
function isControl(character: string): boolean {
  const code = character.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/** The names in `dir` that are not valid UTF-8, their undecodable bytes shown as \xNN. */
async function namesNotUtf8(dir: string): Promise<string[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const names = await readdir(dir, { encoding: 'buffer' });
  return names.flatMap((name) => {
    try {
      decoder.decode(name);
      return [];
    } catch {
      return [
        [...name]
          .map((byte) =>
            byte < 0x80 && byte >= 0x20
              ? String.fromCharCode(byte)
              : `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`,
          )
          .join(''),
      ];
    }
  });
}

/** A name with its control characters shown as \xNN, so the message shows where they are. */
function escapeControls(name: string): string {
  return [...name]
    .map((ch) =>
      isControl(ch) ? `\\x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : ch,
    )
    .join('');
}

/** Files below this size are read in one call; larger ones stream, so memory stays flat. */
const READ_WHOLE_BELOW = 1024 * 1024;

/** MD5 of a file (or of a stream of part of one) read as a stream, so it never sits in memory. */
export function md5OfStream(source: string | Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    // Large reads: a 20 MB file in 20 chunks rather than 320.
    (typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : source)
      .on('data', (chunk: Buffer) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function keyFor(prefix: string, relativePath: string): string {
  return prefix ? `${prefix}/${relativePath}` : relativePath;
}

export async function readLocalFiles(options: LocalFileOptions): Promise<LocalFile[]> {
  const relativePaths = await listFiles(options.source, { linksWithin: options.linksWithin });
  const describe = (relativePath: string, size: number, md5: string): LocalFile => {
    const contentType = contentTypeFor(relativePath, options.contentTypes);
    return {
      relativePath,
      absolutePath: path.join(options.source, ...relativePath.split('/')),
      key: keyFor(options.prefix, relativePath),
      size,
      md5,
      contentType,
      cacheControl: cacheControlFor({ relativePath, contentType, rules: options.cacheRules }),
    };
  };
  const sizes = relativePaths.map(
    (relativePath) => statSync(path.join(options.source, ...relativePath.split('/'))).size,
  );
  const files: LocalFile[] = new Array(relativePaths.length);
  // A site is mostly small files: reading each in one synchronous call is several times faster
  // than the promise API's open/stat/read/close round trips through the thread pool. The loop
  // yields every few files so that S3 responses (the listing runs meanwhile) are not held up.
  for (const [index, relativePath] of relativePaths.entries()) {
    const size = sizes[index] as number;
    if (size >= READ_WHOLE_BELOW) continue;
    const absolutePath = path.join(options.source, ...relativePath.split('/'));
    files[index] = describe(
      relativePath,
      size,
      createHash('md5').update(readFileSync(absolutePath)).digest('hex'),
    );
    if (index % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  // Large files (media, big source maps) stream through MD5 afterwards. (A worker thread for
  // them measured slower and 30 MB heavier: hashing is not where a 2-core runner waits.)
  const large = relativePaths.flatMap((_, index) =>
    (sizes[index] as number) >= READ_WHOLE_BELOW ? [index] : [],
  );
  await forEachLimited(large, 4, async (index) => {
    const relativePath = relativePaths[index] as string;
    const absolutePath = path.join(options.source, ...relativePath.split('/'));
    files[index] = describe(relativePath, sizes[index] as number, await md5OfStream(absolutePath));
  });
  return files;
}
