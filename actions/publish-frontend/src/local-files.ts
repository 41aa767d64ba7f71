/**
 * The files to publish: walk the source folder, and for each file its key, size, MD5 (streamed,
 * so a large file never sits in memory), Content-Type and Cache-Control.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { cacheControlFor, type CacheRule } from './cache-control.js';
import { contentTypeFor } from './content-type.js';
import { mapLimited } from './pool.js';

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
  /** Files hashed at once; hashing is I/O bound. */
  concurrency?: number;
}

/** Relative paths of every regular file below `source`, sorted; symbolic links are followed. */
export async function listFiles(source: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const kind = entry.isSymbolicLink() ? await stat(absolute) : entry;
      if (kind.isDirectory()) await walk(absolute, rel);
      else if (kind.isFile()) found.push(rel);
    }
  };
  await walk(source, '');
  return found.sort();
}

/** Files up to this size are read in one call; larger ones stream, so memory stays flat. */
const READ_WHOLE_BELOW = 1024 * 1024;

export async function md5OfFile(file: string, size = Infinity): Promise<string> {
  if (size < READ_WHOLE_BELOW) return createHash('md5').update(await readFile(file)).digest('hex');
  return md5OfStream(file);
}

function md5OfStream(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function keyFor(prefix: string, relativePath: string): string {
  return prefix ? `${prefix}/${relativePath}` : relativePath;
}

export async function readLocalFiles(options: LocalFileOptions): Promise<LocalFile[]> {
  const relativePaths = await listFiles(options.source);
  return mapLimited(relativePaths, options.concurrency ?? 8, async (relativePath) => {
    const absolutePath = path.join(options.source, ...relativePath.split('/'));
    const { size } = await stat(absolutePath);
    const md5 = await md5OfFile(absolutePath, size);
    const contentType = contentTypeFor(relativePath, options.contentTypes);
    return {
      relativePath,
      absolutePath,
      key: keyFor(options.prefix, relativePath),
      size,
      md5,
      contentType,
      cacheControl: cacheControlFor({ relativePath, contentType, rules: options.cacheRules }),
    };
  });
}
