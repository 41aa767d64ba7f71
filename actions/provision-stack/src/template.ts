/**
 * The template as CloudFormation will see it: read from disk, size-checked against the limit for
 * inline templates, parsed (YAML with the short-form intrinsic tags, or JSON) so that parameters
 * can be checked by name before anything is sent to AWS.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../../common/src/errors.js';
import type { ValueConstraints } from './parameters.js';

/** TemplateBody's limit; larger templates must be passed as a TemplateURL (S3). */
export const INLINE_TEMPLATE_LIMIT = 51_200;
/** TemplateURL's limit. */
export const S3_TEMPLATE_LIMIT = 1_048_576;

export interface TemplateParameter extends ValueConstraints {
  name: string;
  type: string;
  hasDefault: boolean;
  noEcho: boolean;
  allowedValues?: string[];
  allowedPattern?: string;
}

export interface Template {
  body: string;
  bytes: number;
  /** Short content hash, used to name the uploaded copy so repeated runs reuse one object. */
  sha256: string;
  parameters: TemplateParameter[];
  /** Logical id → resource type. */
  resources: Record<string, string>;
  /** IAM resources given a custom name, which need CAPABILITY_NAMED_IAM rather than CAPABILITY_IAM. */
  namedIamResources: string[];
  transforms: string[];
  /**
   * Names of the `Fn::ForEach::<Name>` loops in Resources (AWS::LanguageExtensions): left to
   * CloudFormation, which expands them into resources before the change set lists them.
   */
  forEachLoops: string[];
  /** True when the body is too large to send inline and must go through template-bucket. */
  needsBucket: boolean;
}

const INTRINSICS = [
  'Ref',
  'Condition',
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'ToJsonString',
  'Length',
];

/**
 * `!Ref X` → `{Ref: X}`, `!GetAtt A.B` → `{'Fn::GetAtt': [A, B]}`, and so on, for scalars,
 * sequences and mappings, so the parsed template has the long form CloudFormation documents.
 */
export const cloudFormationTags: Tags = INTRINSICS.flatMap((fn) => {
  const key = fn === 'Ref' || fn === 'Condition' ? fn : `Fn::${fn}`;
  const wrap = (value: unknown) => ({
    [key]: fn === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${fn}`, resolve: (value: string) => wrap(value) },
    {
      tag: `!${fn}`,
      collection: 'seq' as const,
      resolve: (node: YAMLSeq.Parsed | YAMLMap.Parsed) => wrap(node.toJSON()),
    },
    {
      tag: `!${fn}`,
      collection: 'map' as const,
      resolve: (node: YAMLSeq.Parsed | YAMLMap.Parsed) => wrap(node.toJSON()),
    },
  ];
});

export interface LoadTemplateOptions {
  path: string;
  /** The template input as the user wrote it, for error messages. */
  input: string;
  bucket?: string;
}

export function loadTemplate(options: LoadTemplateOptions): Template {
  const body = readFileSync(options.path, 'utf8');
  const document = parseTemplate(body, options.input);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > S3_TEMPLATE_LIMIT) {
    throw new InputError(
      'template',
      options.input,
      `a template of at most ${S3_TEMPLATE_LIMIT.toLocaleString('en')} bytes, CloudFormation's limit (this one is ${bytes.toLocaleString('en')} bytes); split it into nested stacks`,
    );
  }
  const needsBucket = bytes > INLINE_TEMPLATE_LIMIT;
  const transforms = readTransforms(document);
  const forEachLoops = readForEachLoops(document, transforms, options.input);
  if (needsBucket && !options.bucket) {
    throw new InputError(
      'template-bucket',
      '',
      `an S3 bucket to upload the template to: ${options.input} is ${bytes.toLocaleString('en')} bytes, over CloudFormation's ${INLINE_TEMPLATE_LIMIT.toLocaleString('en')}-byte limit for templates sent inline`,
    );
  }
  return {
    body,
    bytes,
    sha256: createHash('sha256').update(body).digest('hex'),
    parameters: readParameters(document, options.input),
    resources: readResources(document, options.input),
    namedIamResources: readNamedIamResources(document),
    transforms,
    forEachLoops,
    needsBucket,
  };
}

function parseTemplate(body: string, input: string): Record<string, unknown> {
  const accepted = 'a CloudFormation template in YAML or JSON';
  const document = parseDocument(body, { customTags: cloudFormationTags, uniqueKeys: true });
  // An unknown tag (`!Reff`) is only a warning to the YAML parser, but CloudFormation rejects it.
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const where = problem.linePos?.[0];
    const at = where ? ` at line ${where.line}, column ${where.col}` : '';
    throw new InputError(
      'template',
      input,
      `${accepted} (not readable${at}: ${firstLine(problem.message)})`,
    );
  }
  const parsed: unknown = document.toJS();
  if (!isMapping(parsed)) {
    throw new InputError('template', input, `${accepted} (the file is not a mapping of sections)`);
  }
  if (!isMapping(parsed.Resources) || Object.keys(parsed.Resources).length === 0) {
    throw new InputError(
      'template',
      input,
      `${accepted} with a Resources section declaring at least one resource`,
    );
  }
  return parsed;
}

function readParameters(document: Record<string, unknown>, input: string): TemplateParameter[] {
  const section = document.Parameters;
  if (section === undefined || section === null) return [];
  if (!isMapping(section)) {
    throw new InputError('template', input, 'a template whose Parameters section is a mapping');
  }
  return Object.entries(section).map(([name, declaration]) => {
    if (!isMapping(declaration) || typeof declaration.Type !== 'string') {
      throw new InputError('template', input, `a template whose parameter ${name} declares a Type`);
    }
    return {
      name,
      type: declaration.Type,
      hasDefault: declaration.Default !== undefined,
      noEcho: String(declaration.NoEcho).toLowerCase() === 'true',
      ...(Array.isArray(declaration.AllowedValues)
        ? { allowedValues: declaration.AllowedValues.map(String) }
        : {}),
      ...(typeof declaration.AllowedPattern === 'string'
        ? { allowedPattern: declaration.AllowedPattern }
        : {}),
      ...numberField('minLength', declaration.MinLength),
      ...numberField('maxLength', declaration.MaxLength),
      ...numberField('minValue', declaration.MinValue),
      ...numberField('maxValue', declaration.MaxValue),
    };
  });
}

function readResources(document: Record<string, unknown>, input: string): Record<string, string> {
  const resources: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(
    document.Resources as Record<string, unknown>,
  )) {
    if (FOR_EACH.test(logicalId)) continue;
    if (!isMapping(resource) || typeof resource.Type !== 'string') {
      throw new InputError(
        'template',
        input,
        `a template whose resource ${logicalId} declares a Type`,
      );
    }
    resources[logicalId] = resource.Type;
  }
  return resources;
}

/** `Fn::ForEach::<LoopName>`: a loop of AWS::LanguageExtensions, not a resource. */
const FOR_EACH = /^Fn::ForEach::(.+)$/;

/**
 * The loops' names, each checked for its shape: [Identifier, Collection, {OutputKey: fragment}].
 * The fragment (which may hold loops of its own) is CloudFormation's to expand.
 */
function readForEachLoops(
  document: Record<string, unknown>,
  transforms: string[],
  input: string,
): string[] {
  const loops: string[] = [];
  for (const [key, value] of Object.entries(document.Resources as Record<string, unknown>)) {
    const name = FOR_EACH.exec(key)?.[1];
    if (name === undefined) continue;
    if (
      !Array.isArray(value) ||
      value.length !== 3 ||
      typeof value[0] !== 'string' ||
      !isMapping(value[2])
    ) {
      throw new InputError(
        'template',
        input,
        `a template whose ${key} is a list of three: an identifier, a collection, and a mapping of output keys to resources`,
      );
    }
    if (!transforms.includes('AWS::LanguageExtensions')) {
      throw new InputError(
        'template',
        input,
        `a template whose ${key} comes with Transform: AWS::LanguageExtensions at its top level (CloudFormation expands Fn::ForEach loops only with that transform)`,
      );
    }
    loops.push(name);
  }
  return loops;
}

const IAM_NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

function readNamedIamResources(document: Record<string, unknown>): string[] {
  return Object.entries(document.Resources as Record<string, Record<string, unknown>>)
    .filter(([logicalId, resource]) => {
      if (FOR_EACH.test(logicalId) || !isMapping(resource)) return false;
      const nameProperty = IAM_NAME_PROPERTIES[resource.Type as string];
      return (
        nameProperty !== undefined &&
        isMapping(resource.Properties) &&
        resource.Properties[nameProperty] !== undefined
      );
    })
    .map(([logicalId]) => logicalId);
}

function readTransforms(document: Record<string, unknown>): string[] {
  const transform = document.Transform;
  if (typeof transform === 'string') return [transform];
  if (Array.isArray(transform)) return transform.filter((item) => typeof item === 'string');
  return [];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** MinLength and the like as numbers: YAML gives a number or a quoted string, JSON either. */
function numberField<K extends string>(key: K, value: unknown): { [P in K]?: number } {
  if (value === undefined || value === null || value === '') return {};
  const number = Number(String(value));
  return Number.isFinite(number) ? ({ [key]: number } as { [P in K]?: number }) : {};
}
