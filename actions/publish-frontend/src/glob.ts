/**
 * Globs of the cache-control rules, matched with picomatch: `*` within a path segment, `**`
 * across folders, `?` and `{a,b}`. A pattern without a `/` matches a file's name in any folder
 * (as in .gitignore), so `*.html` covers `docs/index.html` too; dot files count as files
 * (`.well-known/*` is a normal rule).
 */
import picomatch from 'picomatch';

export interface Glob {
  pattern: string;
  matches: (relativePath: string) => boolean;
}

export function compileGlob(pattern: string): Glob {
  // Rules are written relative to the source folder; a leading `/` or `./` says the same.
  const trimmed = pattern.trim().replace(/^\.?\//, '');
  const matches = picomatch(trimmed, { basename: !trimmed.includes('/'), dot: true });
  return { pattern, matches: (relativePath) => matches(relativePath) };
}
