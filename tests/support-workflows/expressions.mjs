// GitHub Actions expressions (`${{ ... }}`) as far as this repository's workflows use them in the
// inputs of the toolkit's steps: finding them in a value, naming the context paths they read, and
// evaluating them against values the caller supplies (the local demo does, to pass the same
// inputs as deploy.yml). Plain JavaScript so that `npm run demo` can import it without a build.
//
// Semantics follow https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
// for what is implemented: literals, property paths (a.b-c, a['b']), !, ==, != (strings compare
// case-insensitively), && and || (which return an operand, not a boolean), parentheses, and the
// functions toJSON, fromJSON, contains, startsWith, endsWith, format and join. The status
// functions (success(), always(), ...) exist only when the caller supplies them; any other function
// is refused with an error that names it, so nothing is evaluated wrongly in silence.

/**
 * @typedef {string | number | boolean | null | undefined | Record<string, unknown> | unknown[]} Value
 * @typedef {(path: string[]) => Value} Lookup
 * @typedef {Record<string, (...args: Value[]) => Value>} Functions
 */

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/** The bodies of every `${{ ... }}` in a text, trimmed, in order. */
export function expressionsIn(/** @type {string} */ text) {
  return [...String(text).matchAll(EXPRESSION)].map((match) =>
    /** @type {string} */ (match[1]).trim(),
  );
}

/**
 * Every context path an expression reads, dotted (`steps.network.outputs.VpcId`,
 * `needs.frontend.outputs.commit`, `inputs.stack-prefix`).
 */
export function referencesIn(/** @type {string} */ expression) {
  /** @type {string[]} */
  const found = [];
  collect(parse(expression), found);
  return found;
}

/** Every context path read by the `${{ }}` expressions of a text. */
export function referencesInText(/** @type {string} */ text) {
  return expressionsIn(text).flatMap((expression) => referencesIn(expression));
}

/**
 * Replaces each `${{ ... }}` of a text with its value, read through `lookup` (which gets the
 * path, e.g. ['steps', 'network', 'outputs', 'VpcId'], and returns undefined for what is not set).
 * Like the runner, a missing value becomes an empty string.
 */
export function evaluateText(
  /** @type {string} */ text,
  /** @type {Lookup} */ lookup,
  /** @type {Functions} */ functions = {},
) {
  return String(text).replace(EXPRESSION, (_, body) => asString(evaluate(body, lookup, functions)));
}

/** The value of one expression (the text between `${{` and `}}`, or an `if:` condition). */
export function evaluate(
  /** @type {string} */ expression,
  /** @type {Lookup} */ lookup,
  /** @type {Functions} */ functions = {},
) {
  const body = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return run(parse(body), lookup, { ...BUILT_IN, ...functions });
}

/** Whether an `if:` condition holds; GitHub treats a condition without `${{ }}` the same way. */
export function conditionHolds(
  /** @type {string} */ condition,
  /** @type {Lookup} */ lookup,
  /** @type {Functions} */ functions = {},
) {
  return truthy(evaluate(condition, lookup, functions));
}

/** @type {Functions} */
const BUILT_IN = {
  toJSON: (value) => JSON.stringify(value ?? null, null, 2),
  fromJSON: (value) => /** @type {Value} */ (JSON.parse(String(value))),
  contains: (haystack, needle) =>
    Array.isArray(haystack)
      ? haystack.some((item) => equal(/** @type {Value} */ (item), needle))
      : asString(haystack).toLowerCase().includes(asString(needle).toLowerCase()),
  startsWith: (text, prefix) =>
    asString(text).toLowerCase().startsWith(asString(prefix).toLowerCase()),
  endsWith: (text, suffix) => asString(text).toLowerCase().endsWith(asString(suffix).toLowerCase()),
  format: (template, ...args) =>
    asString(template)
      .replace(/\{(\d+)\}/g, (_, index) => asString(args[Number(index)]))
      .replace(/\{\{/g, '{')
      .replace(/\}\}/g, '}'),
  join: (items, separator = ',') =>
    Array.isArray(items)
      ? items.map((item) => asString(/** @type {Value} */ (item))).join(asString(separator))
      : asString(items),
};

/** @param {Value} value */
function asString(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** @param {Value} value */
function truthy(value) {
  return !(value === false || value === 0 || value === '' || value === null || value === undefined);
}

// ---- parsing ----------------------------------------------------------------------------------

/**
 * @typedef {{ kind: 'literal', value: Value }
 *   | { kind: 'path', path: string[] }
 *   | { kind: 'not', operand: Node }
 *   | { kind: 'binary', operator: string, left: Node, right: Node }
 *   | { kind: 'call', name: string, args: Node[] }} Node
 */

const TOKEN =
  /\s*(?:(?<string>'(?:[^']|'')*')|(?<number>-?\d+(?:\.\d+)?)|(?<operator>==|!=|&&|\|\||<=|>=|[!<>()[\].,])|(?<word>[A-Za-z_][A-Za-z0-9_-]*|\*))/y;

/** @param {string} source */
function tokenize(source) {
  /** @type {{ type: string, text: string }[]} */
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match?.groups) throw new Error(`Cannot read the expression at "${source.slice(at)}".`);
    const [type, text] = /** @type {[string, string]} */ (
      Object.entries(match.groups).find(([, value]) => value !== undefined)
    );
    tokens.push({ type, text });
  }
  return tokens;
}

/** @param {string} source @returns {Node} */
function parse(source) {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position]?.text;
  const next = () => {
    const token = tokens[position++];
    if (!token) throw new Error(`The expression "${source}" ends too early.`);
    return token;
  };
  const expect = (/** @type {string} */ text) => {
    const token = next();
    if (token.text !== text)
      throw new Error(`Expected "${text}" in "${source}", got "${token.text}".`);
  };

  /** @returns {Node} */
  const or = () => {
    let left = and();
    while (peek() === '||') {
      next();
      left = { kind: 'binary', operator: '||', left, right: and() };
    }
    return left;
  };
  /** @returns {Node} */
  const and = () => {
    let left = comparison();
    while (peek() === '&&') {
      next();
      left = { kind: 'binary', operator: '&&', left, right: comparison() };
    }
    return left;
  };
  /** @returns {Node} */
  const comparison = () => {
    let left = unary();
    while (['==', '!=', '<', '>', '<=', '>='].includes(peek() ?? '')) {
      const operator = next().text;
      left = { kind: 'binary', operator, left, right: unary() };
    }
    return left;
  };
  /** @returns {Node} */
  const unary = () => {
    if (peek() === '!') {
      next();
      return { kind: 'not', operand: unary() };
    }
    return primary();
  };
  /** @returns {Node} */
  const primary = () => {
    const token = next();
    if (token.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.type === 'string')
      return { kind: 'literal', value: token.text.slice(1, -1).replace(/''/g, "'") };
    if (token.type === 'number') return { kind: 'literal', value: Number(token.text) };
    if (token.type !== 'word') throw new Error(`Unexpected "${token.text}" in "${source}".`);
    if (token.text === 'true' || token.text === 'false')
      return { kind: 'literal', value: token.text === 'true' };
    if (token.text === 'null') return { kind: 'literal', value: null };
    if (peek() === '(') {
      next();
      /** @type {Node[]} */
      const args = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') next();
      }
      expect(')');
      return { kind: 'call', name: token.text, args };
    }
    const path = [token.text];
    while (peek() === '.' || peek() === '[') {
      if (next().text === '.') {
        path.push(next().text);
      } else {
        const key = next();
        if (key.type !== 'string')
          throw new Error(`Only 'literal' indexes are read, in "${source}".`);
        path.push(key.text.slice(1, -1));
        expect(']');
      }
    }
    return { kind: 'path', path };
  };

  const tree = or();
  if (position < tokens.length) throw new Error(`Unexpected "${peek()}" in "${source}".`);
  return tree;
}

/** @param {Node} node @param {string[]} found */
function collect(node, found) {
  if (node.kind === 'path') found.push(node.path.join('.'));
  else if (node.kind === 'not') collect(node.operand, found);
  else if (node.kind === 'binary') {
    collect(node.left, found);
    collect(node.right, found);
  } else if (node.kind === 'call') for (const arg of node.args) collect(arg, found);
}

// ---- evaluation -------------------------------------------------------------------------------

/** @param {Node} node @param {Lookup} lookup @param {Functions} functions @returns {Value} */
function run(node, lookup, functions) {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return lookup(node.path);
    case 'not':
      return !truthy(run(node.operand, lookup, functions));
    case 'call': {
      const name = Object.keys(functions).find(
        (key) => key.toLowerCase() === node.name.toLowerCase(),
      );
      if (!name) throw new Error(`The function ${node.name}() is not evaluated here.`);
      return /** @type {Functions[string]} */ (functions[name])(
        ...node.args.map((arg) => run(arg, lookup, functions)),
      );
    }
    case 'binary': {
      const left = run(node.left, lookup, functions);
      if (node.operator === '||') return truthy(left) ? left : run(node.right, lookup, functions);
      if (node.operator === '&&') return truthy(left) ? run(node.right, lookup, functions) : left;
      const right = run(node.right, lookup, functions);
      if (node.operator === '==') return equal(left, right);
      if (node.operator === '!=') return !equal(left, right);
      const [a, b] = [toNumber(left), toNumber(right)];
      if (node.operator === '<') return a < b;
      if (node.operator === '>') return a > b;
      if (node.operator === '<=') return a <= b;
      return a >= b;
    }
  }
}

/** Loose equality as the docs define it: strings ignore case, other types compare as numbers. */
function equal(/** @type {Value} */ left, /** @type {Value} */ right) {
  const l = left ?? null;
  const r = right ?? null;
  if (typeof l === 'string' && typeof r === 'string') return l.toLowerCase() === r.toLowerCase();
  if ((typeof l === 'object' && l !== null) || (typeof r === 'object' && r !== null))
    return l === r;
  return toNumber(l) === toNumber(r);
}

/** @param {Value} value */
function toNumber(value) {
  if (value === null || value === undefined || value === false) return 0;
  if (value === true) return 1;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return Number.NaN;
}
