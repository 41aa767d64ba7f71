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
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, Parameter>;
  Conditions?: Record<string, unknown>;
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
