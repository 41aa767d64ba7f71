// The titles of the failures the toolkit recognises, read from the sources: the first argument of
// every `new ActionError(...)` in actions/*/src, every `title:` of an object literal that also
// has a `message` (the failure reports of errors.ts, stack-state.ts, outcome.ts ...), every
// `const title =`, the title of every `.warning(message, title)`, and every
// `::error title=...::` the workflows' scripts print. docs/TROUBLESHOOTING.md must have a heading
// for each; tests/static/readme-io.test.ts holds it to that.
//
// Titles are compared by shape: placeholders (`${...}` in the code, `$VAR` in shell, `<name>` in
// the page) are one wildcard, and only letters and digits count otherwise, so
// `Cluster ${cluster} is ${found.status}` matches the heading "Cluster `<cluster>` is `<status>`".
// A title computed entirely at run time (a variable passed on) is found where it is written.
//
//   node tests/support-workflows/failure-titles.mjs   # lists them, with where each is
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { REPO_ROOT } from './deploy-steps.mjs';

/** @typedef {{ title: string, file: string, line: number }} FoundTitle */

/** One wildcard for every placeholder, lower case, letters and digits only otherwise. */
export function titleShape(/** @type {string} */ title) {
  return title
    .replace(/<[^>]*>/g, '*')
    .toLowerCase()
    .replace(/[^a-z0-9*]/g, '')
    .replace(/\*+/g, '*');
}

/** Every failure title in actions/*\/src and in the workflows' scripts. */
export function failureTitles(/** @type {string} */ root = REPO_ROOT) {
  /** @type {FoundTitle[]} */
  const found = [];
  const actionsDir = path.join(root, 'actions');
  for (const action of readdirSync(actionsDir)) {
    const src = path.join(actionsDir, action, 'src');
    let files;
    try {
      files = readdirSync(src, { recursive: true }).map(String);
    } catch {
      continue;
    }
    for (const file of files.filter((name) => name.endsWith('.ts')).sort()) {
      const full = path.join(src, file);
      for (const title of titlesInSource(readFileSync(full, 'utf8'))) {
        found.push({ ...title, file: path.relative(root, full) });
      }
    }
  }
  const workflows = path.join(root, '.github', 'workflows');
  for (const file of readdirSync(workflows).filter((name) => /\.ya?ml$/.test(name))) {
    const text = readFileSync(path.join(workflows, file), 'utf8');
    for (const job of Object.values(parse(text)?.jobs ?? {})) {
      for (const step of /** @type {any} */ (job).steps ?? []) {
        for (const match of String(step.run ?? '').matchAll(/::error title=([^:]+)::/g)) {
          const title = /** @type {string} */ (match[1]).replace(
            /\$\{?[A-Za-z0-9_]+\}?/g,
            '<value>',
          );
          found.push({ title, file: `.github/workflows/${file}`, line: 0 });
        }
      }
    }
  }
  return found;
}

/**
 * Titles in one TypeScript source: the literals that make up the first argument of
 * `new ActionError(` and the value of `title:` in object literals with a `message` key.
 * A template literal keeps its text with `<value>` for each `${...}`.
 */
export function titlesInSource(/** @type {string} */ source) {
  const code = blankComments(source);
  /** @type {{ title: string, line: number }[]} */
  const found = [];
  const lineOf = (/** @type {number} */ index) => code.slice(0, index).split('\n').length;
  for (const match of code.matchAll(/new ActionError\(/g)) {
    const start = /** @type {number} */ (match.index) + match[0].length;
    const end = expressionEnd(code, start);
    for (const title of literalsIn(code.slice(start, end)))
      found.push({ title, line: lineOf(start) });
  }
  for (const match of code.matchAll(/[{,]\s*title:\s*/g)) {
    const start = /** @type {number} */ (match.index) + match[0].length;
    const end = expressionEnd(code, start);
    const open = enclosingBrace(code, /** @type {number} */ (match.index) + 1);
    if (open < 0) continue;
    const close = matchingClose(code, open);
    if (!/(^|[{,\s])message\s*(?:[:,}]|$)/.test(depthOne(code.slice(open + 1, close)))) continue;
    for (const title of literalsIn(code.slice(start, end)))
      found.push({ title, line: lineOf(start) });
  }
  // const title = `Stack ${name} is in ${status}` (a title built before it is thrown).
  for (const match of code.matchAll(/\b(?:const|let)\s+title\s*=\s*/g)) {
    const start = /** @type {number} */ (match.index) + match[0].length;
    const end = expressionEnd(code, start);
    for (const title of literalsIn(code.slice(start, end)))
      found.push({ title, line: lineOf(start) });
  }
  // log.warning(message, 'Title'): a warning annotation with a title.
  for (const match of code.matchAll(/\.(?:warning|notice)\(/g)) {
    const first = /** @type {number} */ (match.index) + match[0].length;
    const comma = expressionEnd(code, first);
    if (code[comma] !== ',') continue;
    const end = expressionEnd(code, comma + 1);
    for (const title of literalsIn(code.slice(comma + 1, end)))
      found.push({ title, line: lineOf(comma) });
  }
  return found;
}

/** Comments replaced by spaces (strings and templates kept), so that positions stay the same. */
function blankComments(/** @type {string} */ code) {
  let out = '';
  for (let i = 0; i < code.length;) {
    const skip = skipLiteral(code, i);
    if (skip > i) {
      out += code.slice(i, skip);
      i = skip;
    } else if (code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? code.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      const stop = end < 0 ? code.length : end + 2;
      out += code.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += code[i];
      i += 1;
    }
  }
  return out;
}

/** Where a string or template literal starting at `i` ends (i itself when none starts there). */
function skipLiteral(/** @type {string} */ code, /** @type {number} */ i) {
  const quote = code[i];
  if (quote === "'" || quote === '"') {
    let j = i + 1;
    while (j < code.length && code[j] !== quote) j += code[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (quote === '`') {
    let j = i + 1;
    while (j < code.length && code[j] !== '`') {
      if (code[j] === '\\') j += 2;
      else if (code.startsWith('${', j)) j = expressionEnd(code, j + 2, '}') + 1;
      else j += 1;
    }
    return j + 1;
  }
  return i;
}

/**
 * The end of the expression starting at `start`: the first top-level `,` or the bracket that
 * closes an enclosing one (or `closer`), skipping strings, templates and nested brackets.
 */
function expressionEnd(/** @type {string} */ code, /** @type {number} */ start, closer = '') {
  let depth = 0;
  for (let i = start; i < code.length;) {
    const skip = skipLiteral(code, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    } else if (depth === 0 && (c === ',' || c === ';' || c === closer)) return i;
    i += 1;
  }
  return code.length;
}

/** The `{` of the object literal around position `at` (scanning back over balanced brackets). */
function enclosingBrace(/** @type {string} */ code, /** @type {number} */ at) {
  let depth = 0;
  for (let i = at - 1; i >= 0; i -= 1) {
    const c = code[i];
    if (c === '}' || c === ')' || c === ']') depth += 1;
    else if (c === '{' || c === '(' || c === '[') {
      if (depth === 0) return c === '{' ? i : -1;
      depth -= 1;
    }
  }
  return -1;
}

/** The bracket that closes the one at `open`, skipping strings and templates. */
function matchingClose(/** @type {string} */ code, /** @type {number} */ open) {
  let depth = 0;
  for (let i = open; i < code.length;) {
    const skip = skipLiteral(code, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
    i += 1;
  }
  return code.length;
}

/** The text of an object literal's body with nested brackets' contents left out. */
function depthOne(/** @type {string} */ body) {
  let out = '';
  let depth = 0;
  for (let i = 0; i < body.length;) {
    const skip = skipLiteral(body, i);
    if (skip > i) {
      if (depth === 0) out += ' '.repeat(skip - i);
      i = skip;
      continue;
    }
    const c = body[i];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    else if (depth === 0) out += c;
    i += 1;
  }
  return out;
}

/** The string and template literals of an expression (top level and in ternaries). */
function literalsIn(/** @type {string} */ expression) {
  /** @type {string[]} */
  const literals = [];
  let depth = 0;
  for (let i = 0; i < expression.length;) {
    const skip = skipLiteral(expression, i);
    if (skip > i) {
      if (depth === 0) literals.push(textOf(expression.slice(i, skip)));
      i = skip;
      continue;
    }
    const c = expression[i];
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
    i += 1;
  }
  return literals.filter((text) => text.trim() !== '');
}

/** A literal's text: quotes off, each `${...}` of a template as `<value>`. */
function textOf(/** @type {string} */ literal) {
  const body = literal.slice(1, -1);
  if (literal[0] !== '`') return body.replace(/\\(.)/g, '$1');
  let out = '';
  for (let i = 0; i < body.length;) {
    if (body.startsWith('${', i)) {
      i = expressionEnd(body, i + 2, '}') + 1;
      out += '<value>';
    } else {
      out += body[i];
      i += 1;
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { title, file, line } of failureTitles()) {
    console.log(`${title.padEnd(60)} ${file}${line ? `:${line}` : ''}`);
  }
}
