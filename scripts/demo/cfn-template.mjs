// Reads a CloudFormation template into plain objects, the short-form functions (!Ref, !Sub ...)
// in their long form ({ Ref }, { 'Fn::Sub' } ...), as CloudFormation and moto see them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const FUNCTIONS = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAZs': 'Fn::GetAZs',
  '!Cidr': 'Fn::Cidr',
  '!ImportValue': 'Fn::ImportValue',
  '!Base64': 'Fn::Base64',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
};

/** `!GetAtt A.B.C` is `['A', 'B.C']`: the attribute keeps its own dots. */
function longForm(/** @type {string} */ fn, /** @type {unknown} */ value) {
  if (fn === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [fn]: [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [fn]: value };
}

/** @type {import('yaml').Tags} */
const customTags = Object.entries(FUNCTIONS).flatMap(([tag, fn]) => [
  { tag, resolve: (/** @type {string} */ value) => longForm(fn, value) },
  {
    tag,
    collection: /** @type {const} */ ('seq'),
    resolve: (/** @type {any} */ seq) => longForm(fn, seq.toJSON()),
  },
  {
    tag,
    collection: /** @type {const} */ ('map'),
    resolve: (/** @type {any} */ map) => longForm(fn, map.toJSON()),
  },
]);

/**
 * @typedef {{ Type: string, Condition?: string, DependsOn?: string | string[],
 *   Properties?: Record<string, any>, [key: string]: any }} Resource
 * @typedef {{ Parameters?: Record<string, any>, Conditions?: Record<string, any>,
 *   Mappings?: Record<string, any>, Resources: Record<string, Resource>,
 *   Outputs?: Record<string, any>, [key: string]: any }} Template
 */

/** @returns {Template} */
export function parseTemplate(/** @type {string} */ text) {
  return parse(text, { customTags, maxAliasCount: -1 });
}

/** @returns {Template} */
export function loadTemplate(/** @type {string} */ file) {
  return parseTemplate(readFileSync(file, 'utf8'));
}

/** A deep copy with `replace` applied top-down: it returns a new node, or undefined to recurse. */
export function transform(
  /** @type {unknown} */ value,
  /** @type {(node: unknown) => unknown} */ replace,
) {
  const replaced = replace(value);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(value)) return value.map((item) => transform(item, replace));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, transform(item, replace)]),
    );
  }
  return value;
}

/** Every logical id a value refers to (Ref, GetAtt, and ${...} in Sub). */
export function referencesOf(/** @type {unknown} */ value) {
  /** @type {Set<string>} */
  const found = new Set();
  const visit = (/** @type {any} */ node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    if (typeof node.Ref === 'string') found.add(node.Ref);
    if (Array.isArray(node['Fn::GetAtt'])) found.add(node['Fn::GetAtt'][0]);
    if ('Fn::Sub' in node) {
      const sub = node['Fn::Sub'];
      const [text, vars] = Array.isArray(sub) ? sub : [sub, {}];
      for (const name of subVariables(text))
        if (!(name.split('.')[0] in vars)) found.add(name.split('.')[0]);
      visit(vars);
      return;
    }
    Object.values(node).forEach(visit);
  };
  visit(value);
  return found;
}

/** The ${Name} and ${Name.Attribute} variables of a Sub string (not the ${!literal} ones). */
export function subVariables(/** @type {string} */ text) {
  return [...String(text).matchAll(/\$\{([^!}][^}]*)\}/g)].map((match) => match[1].trim());
}
