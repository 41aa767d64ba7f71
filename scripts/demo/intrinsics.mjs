// Evaluates CloudFormation's intrinsic functions as far as the demo needs to, to create directly
// what moto's CloudFormation cannot: parameters, pseudo parameters, conditions, Sub, Join, Select,
// Split, If, FindInMap, GetAZs, Cidr, Base64, ToJsonString, and Ref/GetAtt through the caller.
// A value that only exists once the stack does (a security group moto will create) is a Pending,
// which spreads to whatever is built from it, so the caller can leave that property out and say so.

/** A value that exists only after the stack is created. */
export class Pending {
  constructor(/** @type {string} */ what) {
    this.what = what;
  }
}

/** `Ref: AWS::NoValue`: the property is removed. */
export const NO_VALUE = Symbol('AWS::NoValue');

/**
 * @typedef {{
 *   parameters: Record<string, string | string[]>,
 *   pseudo: Record<string, string>,
 *   conditions: Record<string, unknown>,
 *   mappings?: Record<string, any>,
 *   ref: (logicalId: string) => unknown,
 *   getAtt: (logicalId: string, attribute: string) => unknown,
 * }} Scope
 */

/** The values a stack's parameters take: given ones, else defaults; List types as arrays. */
export function parameterValues(
  /** @type {Record<string, any>} */ declared,
  /** @type {Record<string, string>} */ given,
) {
  /** @type {Record<string, string | string[]>} */
  const values = {};
  for (const [name, spec] of Object.entries(declared ?? {})) {
    const raw =
      name in given ? given[name] : spec.Default === undefined ? undefined : String(spec.Default);
    if (raw === undefined) continue;
    const isList = /^List<|^CommaDelimitedList$/.test(String(spec.Type));
    values[name] = isList ? (raw === '' ? [''] : raw.split(',').map((item) => item.trim())) : raw;
  }
  return values;
}

/** Evaluates every condition of a template (they may name each other). */
export function evaluateConditions(
  /** @type {Record<string, unknown>} */ conditions,
  /** @type {Omit<Scope, 'conditions'>} */ scope,
) {
  /** @type {Record<string, boolean>} */
  const results = {};
  const scopeWithConditions = {
    ...scope,
    conditions: new Proxy(
      {},
      {
        get: (_, name) => {
          if (typeof name !== 'string') return undefined;
          if (!(name in results)) {
            if (!(name in (conditions ?? {}))) throw new Error(`Unknown condition ${name}`);
            results[name] = Boolean(
              evaluate(conditions[name], /** @type {Scope} */ (scopeWithConditions)),
            );
          }
          return results[name];
        },
      },
    ),
  };
  for (const name of Object.keys(conditions ?? {})) void scopeWithConditions.conditions[name];
  return results;
}

/**
 * The value of a template fragment.
 * @param {unknown} value
 * @param {Scope} scope
 * @returns {any}
 */
export function evaluate(value, scope) {
  if (Array.isArray(value)) {
    return value.map((item) => evaluate(item, scope)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[key, argument]] = entries;
    const fn = FUNCTIONS[key];
    if (fn) return fn(argument, scope);
  }
  /** @type {Record<string, unknown>} */
  const result = {};
  for (const [key, item] of entries) {
    const evaluated = evaluate(item, scope);
    if (evaluated !== NO_VALUE) result[key] = evaluated;
  }
  return result;
}

/** @param {unknown[]} parts */
function pendingAmong(parts) {
  return parts.find((part) => part instanceof Pending);
}

/** @type {Record<string, (argument: any, scope: Scope) => any>} */
const FUNCTIONS = {
  Ref: (name, scope) => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in scope.pseudo) return scope.pseudo[name];
    if (name in scope.parameters) return scope.parameters[name];
    return scope.ref(name);
  },
  Condition: (name, scope) => scope.conditions[name],
  'Fn::GetAtt': ([name, attribute], scope) => scope.getAtt(name, attribute),
  'Fn::If': ([condition, whenTrue, whenFalse], scope) =>
    evaluate(scope.conditions[condition] ? whenTrue : whenFalse, scope),
  'Fn::Equals': ([a, b], scope) => {
    const [left, right] = [evaluate(a, scope), evaluate(b, scope)];
    return String(left) === String(right);
  },
  'Fn::Not': ([condition], scope) => !evaluate(condition, scope),
  'Fn::And': (conditions, scope) =>
    conditions.every((/** @type {unknown} */ c) => evaluate(c, scope)),
  'Fn::Or': (conditions, scope) =>
    conditions.some((/** @type {unknown} */ c) => evaluate(c, scope)),
  'Fn::Join': ([separator, list], scope) => {
    const items = evaluate(list, scope);
    if (items instanceof Pending) return items;
    return pendingAmong(items) ?? items.join(separator);
  },
  'Fn::Select': ([index, list], scope) => {
    const items = evaluate(list, scope);
    if (items instanceof Pending) return items;
    return items[Number(evaluate(index, scope))];
  },
  'Fn::Split': ([separator, text], scope) => {
    const value = evaluate(text, scope);
    return value instanceof Pending ? value : String(value).split(separator);
  },
  'Fn::FindInMap': ([map, first, second], scope) =>
    scope.mappings?.[evaluate(map, scope)]?.[evaluate(first, scope)]?.[evaluate(second, scope)],
  'Fn::GetAZs': (region, scope) => {
    // moto's own answer to Fn::GetAZs (cloudformation/parsing.py): zones a to d of the region.
    const name = evaluate(region, scope) || scope.pseudo['AWS::Region'];
    return ['a', 'b', 'c', 'd'].map((zone) => `${name}${zone}`);
  },
  'Fn::Cidr': ([block, count, bits], scope) =>
    cidrBlocks(
      evaluate(block, scope),
      Number(evaluate(count, scope)),
      Number(evaluate(bits, scope)),
    ),
  'Fn::Base64': (text, scope) => {
    const value = evaluate(text, scope);
    return value instanceof Pending ? value : Buffer.from(String(value)).toString('base64');
  },
  'Fn::ToJsonString': (inner, scope) => {
    const value = evaluate(inner, scope);
    return JSON.stringify(value);
  },
  'Fn::Length': (list, scope) => evaluate(list, scope).length,
  'Fn::Sub': (argument, scope) => {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    /** @type {unknown[]} */
    const values = [];
    const result = String(text).replace(/\$\{([^}]*)\}/g, (whole, name) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const key = name.trim();
      let value;
      if (key in variables) value = evaluate(variables[key], scope);
      else if (key.includes('.') && !key.startsWith('AWS::')) {
        const dot = key.indexOf('.');
        value = scope.getAtt(key.slice(0, dot), key.slice(dot + 1));
      } else value = FUNCTIONS.Ref(key, scope);
      values.push(value);
      return value instanceof Pending ? '' : String(value);
    });
    return pendingAmong(values) ?? result;
  },
};

/** Fn::Cidr for IPv4: `count` blocks of `bits` host bits each, from the start of `block`. */
export function cidrBlocks(
  /** @type {string} */ block,
  /** @type {number} */ count,
  /** @type {number} */ bits,
) {
  const [address, prefix] = block.split('/');
  const start = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** bits;
  const mask = 32 - bits;
  if (mask < Number(prefix)) throw new Error(`Fn::Cidr: /${mask} blocks do not fit in ${block}`);
  return Array.from({ length: count }, (_, index) => {
    const value = start + index * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
    return `${octets.join('.')}/${mask}`;
  });
}

/**
 * A value with every Pending part left out, and the dotted paths of what was left out.
 * @returns {{ value: any, left: string[] }}
 */
export function withoutPending(/** @type {unknown} */ value, /** @type {string} */ at = '') {
  /** @type {string[]} */
  const left = [];
  const strip = (/** @type {any} */ node, /** @type {string} */ path) => {
    if (node instanceof Pending) {
      left.push(`${path} (${node.what})`);
      return undefined;
    }
    if (Array.isArray(node)) {
      if (node.length > 0 && node.every((item) => item instanceof Pending)) {
        left.push(`${path} (${node.map((item) => item.what).join('; ')})`);
        return undefined;
      }
      return node
        .map((item, index) => strip(item, `${path}[${index}]`))
        .filter((item) => item !== undefined);
    }
    if (node !== null && typeof node === 'object') {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const [key, item] of Object.entries(node)) {
        const stripped = strip(item, path ? `${path}.${key}` : key);
        if (stripped !== undefined) out[key] = stripped;
      }
      return out;
    }
    return node;
  };
  return { value: strip(value, at), left };
}
