/**
 * Reads the CloudFormation templates under cloudformation/ into plain objects, with the short-form
 * intrinsic functions (!Ref, !Sub, !GetAtt ...) turned into their long forms ({ Ref }, { 'Fn::Sub' }
 * ...), so that tests can walk them the way CloudFormation sees them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type Tags, YAMLMap, YAMLSeq } from 'yaml';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const templatesDir = path.join(repoRoot, 'cloudformation');

/** The stacks, in the order the pipeline deploys them (github-oidc once per account, first). */
export const templateNames = ['github-oidc', 'network', 'data', 'app', 'edge'] as const;
export type TemplateName = (typeof templateNames)[number];

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
  Properties?: Record<string, unknown>;
}

export interface Parameter {
  Type: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  ConstraintDescription?: string;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, Parameter>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, { RuleCondition?: unknown; Assertions: Record<string, unknown>[] }>;
  Mappings?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
}

const FUNCTIONS: Record<string, string> = {
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

/** `!GetAtt A.B` and `!GetAtt [A, B]` mean the same; tests see the list form. */
function longForm(fn: string, value: unknown): Record<string, unknown> {
  if (fn === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [fn]: [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [fn]: value };
}

const customTags: Tags = Object.entries(FUNCTIONS).flatMap(([tag, fn]): Tags => [
  { tag, resolve: (value: string) => longForm(fn, value) },
  { tag, collection: 'seq', resolve: (seq) => longForm(fn, (seq as YAMLSeq).toJSON()) },
  { tag, collection: 'map', resolve: (map) => longForm(fn, (map as YAMLMap).toJSON()) },
]);

export function parseTemplate(text: string): Template {
  return parse(text, { customTags, maxAliasCount: -1 }) as Template;
}

export function templatePath(name: TemplateName): string {
  return path.join(templatesDir, `${name}.yaml`);
}

export function loadTemplate(name: TemplateName): Template {
  return parseTemplate(readFileSync(templatePath(name), 'utf8'));
}

export function loadAllTemplates(): Record<TemplateName, Template> {
  return Object.fromEntries(templateNames.map((name) => [name, loadTemplate(name)])) as Record<
    TemplateName,
    Template
  >;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every value in a tree, with its path (keys and indexes) from the root. */
export function* walk(
  value: unknown,
  at: (string | number)[] = [],
): Generator<{ value: unknown; at: (string | number)[] }> {
  yield { value, at };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* walk(item, [...at, index]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* walk(item, [...at, key]);
  }
}

/**
 * A policy document's statements as a list, whatever shape the template wrote them in; a
 * statement chosen by Fn::If counts with both of its branches.
 */
export function statementsOf(document: unknown): Record<string, unknown>[] {
  if (document === null || typeof document !== 'object') return [];
  const statement = (document as { Statement?: unknown }).Statement;
  const listed = Array.isArray(statement) ? statement : statement ? [statement] : [];
  return listed.flatMap(function branches(item: unknown): Record<string, unknown>[] {
    if (item === null || typeof item !== 'object') return [];
    const condition = (item as { 'Fn::If'?: unknown[] })['Fn::If'];
    if (Array.isArray(condition)) return condition.slice(1).flatMap(branches);
    if ('Ref' in item) return []; // AWS::NoValue
    return [item as Record<string, unknown>];
  });
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Parameter values for renderTemplate; parameters not given take their Default. */
export type ParameterValues = Record<string, string>;

/**
 * The template as CloudFormation would see it for these parameter values: every condition
 * evaluated, resources and outputs whose condition is false dropped, each Fn::If replaced by the
 * branch it selects and AWS::NoValue removed. Other intrinsic functions are left as they are, so
 * tests can still read the references. Throws on a condition it cannot evaluate, so that a test
 * never checks a layout the template cannot produce.
 */
export function renderTemplate(template: Template, values: ParameterValues = {}): Template {
  const parameters = template.Parameters ?? {};
  for (const name of Object.keys(values)) {
    if (!(name in parameters)) throw new Error(`the template has no parameter ${name}`);
  }
  const valueOf = (name: string): string => {
    if (name in values) return values[name]!;
    const fallback = parameters[name]?.Default;
    if (fallback === undefined) throw new Error(`parameter ${name} has no default; give a value`);
    return String(fallback);
  };
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const truth = new Map<string, boolean>();
  const scalar = (node: unknown): string => {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean')
      return String(node);
    const ref = (node as { Ref?: string } | null)?.Ref;
    if (typeof ref === 'string') return valueOf(ref);
    throw new Error(`cannot evaluate ${JSON.stringify(node)} in a condition`);
  };
  const evaluate = (node: unknown): boolean => {
    const entries = Object.entries((node ?? {}) as Record<string, unknown>);
    if (entries.length !== 1) throw new Error(`not a condition: ${JSON.stringify(node)}`);
    const [fn, args] = entries[0]!;
    const list = args as unknown[];
    switch (fn) {
      case 'Fn::Equals':
        return scalar(list[0]) === scalar(list[1]);
      case 'Fn::Not':
        return !evaluate(list[0]);
      case 'Fn::And':
        return list.every(evaluate);
      case 'Fn::Or':
        return list.some(evaluate);
      case 'Condition':
        return conditionValue(args as string);
      default:
        throw new Error(`cannot evaluate ${fn} in a condition`);
    }
  };
  const conditionValue = (name: string): boolean => {
    if (!truth.has(name)) {
      if (!(name in conditions)) throw new Error(`the template has no condition ${name}`);
      truth.set(name, evaluate(conditions[name]));
    }
    return truth.get(name)!;
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if (record.Ref === 'AWS::NoValue' && Object.keys(record).length === 1) return NO_VALUE;
    const branches = record['Fn::If'];
    if (Array.isArray(branches) && Object.keys(record).length === 1) {
      const [name, whenTrue, whenFalse] = branches as [string, unknown, unknown];
      return resolve(conditionValue(name) ? whenTrue : whenFalse);
    }
    return Object.fromEntries(
      Object.entries(record)
        .map(([key, value]) => [key, resolve(value)] as const)
        .filter(([, value]) => value !== NO_VALUE),
    );
  };
  const kept = <T extends { Condition?: string }>(entries: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(entries)
        .filter(([, entry]) => entry.Condition === undefined || conditionValue(entry.Condition))
        .map(([key, entry]) => [key, resolve(entry) as T]),
    );
  return {
    ...template,
    Resources: kept(template.Resources),
    ...(template.Outputs ? { Outputs: kept(template.Outputs) } : {}),
  };
}
