/**
 * A small glob matcher for the cache-control rules: `*` (within a path segment), `**` (any
 * number of segments), `?` and `{a,b}`. A pattern without a `/` matches a file's name in any
 * folder (as in .gitignore), so `*.html` covers `docs/index.html` too.
 */

export interface Glob {
  pattern: string;
  matches: (relativePath: string) => boolean;
}

export function compileGlob(pattern: string): Glob {
  const trimmed = pattern.trim().replace(/^\.?\//, '');
  const anywhere = !trimmed.includes('/');
  const regex = new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${globToRegexSource(trimmed)}$`);
  return { pattern, matches: (relativePath) => regex.test(relativePath) };
}

function globToRegexSource(glob: string): string {
  let source = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        if (glob[i + 2] === '/') {
          source += '(?:.*/)?';
          i += 2;
        } else {
          source += '.*';
          i += 1;
        }
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '{') {
      braceDepth++;
      source += '(?:';
    } else if (ch === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (ch === ',' && braceDepth > 0) {
      source += '|';
    } else {
      source += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
