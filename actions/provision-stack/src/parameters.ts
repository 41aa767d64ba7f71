/**
 * The parameters sent to CloudFormation: the given values checked against the template's
 * declarations, and, for an existing stack, every parameter not given kept at its deployed value
 * (UsePreviousValue), so that a run which does not mention a parameter never resets it.
 */
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { InputError } from '../../common/src/errors.js';
import type { TemplateParameter } from './template.js';

/**
 * The template's constraints on a value beyond AllowedValues and AllowedPattern (template.ts reads
 * them from the Parameters section).
 */
export interface ValueConstraints {
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
}

type Declared = TemplateParameter & ValueConstraints;

export interface ParameterPlanOptions {
  declared: readonly Declared[];
  given: Record<string, string>;
  /** Parameters a parameter file marks UsePreviousValue: true. */
  kept?: readonly string[];
  /** Names of the parameters the deployed stack has; undefined when there is no stack yet. */
  deployed?: string[];
}

export interface ParameterPlan {
  parameters: Parameter[];
  /** Given values of NoEcho parameters: to be masked in the log before anything prints. */
  secrets: string[];
  /** Parameters kept at their deployed value, for the summary. */
  kept: string[];
}

/**
 * Names that are not declared in the template, then each given value against its declaration
 * (type, AllowedValues, AllowedPattern, lengths, range): checked first, without AWS, so the user
 * gets a message naming the parameter and the rule rather than CloudFormation's ValidationError.
 */
export function checkKnownParameters(
  declared: readonly Declared[],
  given: Record<string, string>,
  kept: readonly string[] = [],
): void {
  const known = new Set(declared.map((parameter) => parameter.name));
  const named = [...Object.keys(given), ...kept];
  const unknown = named.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new InputError(
      'parameters',
      named.join(', '),
      `only parameters the template declares; unknown: ${unknown.join(', ')} (the template declares ${
        known.size > 0 ? [...known].join(', ') : 'no parameters'
      })`,
    );
  }
  for (const parameter of declared) {
    const value = given[parameter.name];
    if (value === undefined) continue;
    const problem = valueProblem(parameter, value);
    if (problem) {
      throw new InputError(
        'parameters',
        `${parameter.name}=${parameter.noEcho ? '****' : value}`,
        problem,
      );
    }
  }
}

/**
 * What is wrong with a value, in the words of the rule it breaks, or undefined. A list type
 * (CommaDelimitedList, List<…>) is checked item by item, each space-trimmed, as CloudFormation
 * does; an SSM parameter type's value is a Parameter Store name, left to CloudFormation.
 */
function valueProblem(parameter: Declared, value: string): string | undefined {
  if (parameter.type.startsWith('AWS::SSM::Parameter::')) return undefined;
  const list = parameter.type === 'CommaDelimitedList' || /^List<.+>$/.test(parameter.type);
  const items = list ? (value === '' ? [] : value.split(',').map((item) => item.trim())) : [value];
  for (const rule of valueRules(parameter, list)) {
    const index = items.findIndex(rule.fails);
    if (index < 0) continue;
    const item = items[index] as string;
    const detail = rule.detail && !parameter.noEcho ? rule.detail(item) : '';
    const place = list
      ? ` (item ${index + 1} of ${items.length}${parameter.noEcho ? '' : ` is ${JSON.stringify(item)}`})`
      : '';
    return `${rule.accepted}${detail}${place}`;
  }
  return undefined;
}

interface ValueRule {
  /** What is accepted, for the InputError. */
  accepted: string;
  fails: (item: string) => boolean;
  /** More about a failing item, for values that are not secret. */
  detail?: (item: string) => string;
}

/** The declaration's rules in the order a user would fix them: type, size, then the lists. */
function valueRules(parameter: Declared, list: boolean): ValueRule[] {
  const { name, type } = parameter;
  const subject = list ? `each item of ${name} (a ${type})` : `a value of ${name}`;
  const rules: ValueRule[] = [];
  if (type === 'Number' || type === 'List<Number>') {
    rules.push({
      accepted: list
        ? `a number for each item of ${name} (its Type is ${type})`
        : `a number for ${name} (its Type is Number)`,
      fails: (item) => !NUMBER.test(item),
    });
    const { minValue: min, maxValue: max } = parameter;
    if (min !== undefined || max !== undefined) {
      rules.push({
        accepted: `${subject} ${bounds(min, max, '')} (${limits(min, max, 'Value')})`,
        fails: (item) =>
          (min !== undefined && Number(item) < min) || (max !== undefined && Number(item) > max),
      });
    }
  }
  const { minLength: min, maxLength: max } = parameter;
  // MinLength/MaxLength are documented for String only; other types are left to CloudFormation.
  if (type === 'String' && (min !== undefined || max !== undefined)) {
    // Characters as code points; CloudFormation (Java) counts UTF-16 units, which differ only
    // for characters outside the Basic Multilingual Plane.
    const length = (item: string) => [...item].length;
    rules.push({
      accepted: `${subject} ${bounds(min, max, ' characters')}`,
      fails: (item) =>
        (min !== undefined && length(item) < min) || (max !== undefined && length(item) > max),
      detail: (item) => ` (${limits(min, max, 'Length')}; it has ${length(item)})`,
    });
  }
  const allowed = parameter.allowedValues;
  if (allowed) {
    rules.push({
      accepted: `${subject} among its AllowedValues: ${allowed.join(', ')}`,
      fails: (item) => !allowed.includes(item),
    });
  }
  const pattern = parameter.allowedPattern
    ? javaScriptPattern(parameter.allowedPattern)
    : undefined;
  if (pattern) {
    rules.push({
      accepted: `${subject} matching its AllowedPattern ${parameter.allowedPattern}`,
      fails: (item) => !pattern.test(item),
    });
  }
  return rules;
}

/** "from 1 to 10", "of at least 3 characters". */
function bounds(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) {
    return unit ? `of ${min} to ${max}${unit}` : `from ${min} to ${max}`;
  }
  if (min !== undefined) return `of at least ${min}${unit}`;
  return `of at most ${max}${unit}`;
}

/** "MinValue 1, MaxValue 10". */
function limits(min: number | undefined, max: number | undefined, what: string): string {
  return [
    min !== undefined ? `Min${what} ${min}` : '',
    max !== undefined ? `Max${what} ${max}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** CloudFormation's Number: an integer or a float, written in decimal (not 0x1F, not Infinity). */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Values that hold `,<another declared parameter>=`: the one-line form `Version=2,Account=1111`
 * that another popular deploy action reads as two parameters. Here a line sets one parameter, so
 * this is worth saying (it is not refused: a value may really hold such text). A NoEcho value is
 * never printed.
 */
export function commaJoinedParameters(
  declared: readonly Declared[],
  given: Record<string, string>,
): string[] {
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const other = declared.find(
      (candidate) =>
        candidate.name !== name && new RegExp(`,\\s*${escapeRegExp(candidate.name)}=`).test(value),
    )?.name;
    if (other === undefined) continue;
    // Not even a fragment of a NoEcho value is shown: the mask covers only the whole value.
    const secret = declared.find((parameter) => parameter.name === name)?.noEcho;
    const holds = secret
      ? `(NoEcho) holds a comma, a declared parameter's name and =`
      : `holds ',${other}='`;
    const next = secret ? 'the other parameter' : other;
    warnings.push(
      `The value of ${name} ${holds}: one line sets one parameter, so ${name} is sent with all of it and ${next} is not set by it. If two parameters were meant, put ${next}=… on a line of its own.`,
    );
  }
  return warnings;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * AllowedPattern is a Java regular expression that must match the whole value. The rare pattern
 * JavaScript cannot compile is left to CloudFormation to check.
 */
function javaScriptPattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** NoEcho values among the given ones, so they can be masked as soon as they are read. */
export function secretValues(
  declared: readonly TemplateParameter[],
  given: Record<string, string>,
): string[] {
  return declared
    .filter((parameter) => parameter.noEcho && (given[parameter.name] ?? '') !== '')
    .map((parameter) => given[parameter.name] as string);
}

export function planParameters(options: ParameterPlanOptions): ParameterPlan {
  const keep = new Set(options.kept ?? []);
  checkKnownParameters(options.declared, options.given, [...keep]);
  const deployed = new Set(options.deployed ?? []);
  const parameters: Parameter[] = [];
  const kept: string[] = [];
  const missing: string[] = [];
  const cannotKeep: string[] = [];
  for (const parameter of options.declared) {
    const value = options.given[parameter.name];
    if (value !== undefined) {
      parameters.push({ ParameterKey: parameter.name, ParameterValue: value });
    } else if (deployed.has(parameter.name)) {
      parameters.push({ ParameterKey: parameter.name, UsePreviousValue: true });
      kept.push(parameter.name);
    } else if (keep.has(parameter.name)) {
      cannotKeep.push(parameter.name);
    } else if (!parameter.hasDefault) {
      missing.push(parameter.name);
    }
  }
  if (cannotKeep.length > 0) {
    throw new InputError(
      'parameters',
      undefined,
      `a ParameterValue for ${cannotKeep.join(', ')}: UsePreviousValue keeps the deployed value, and the stack has none yet (it is new, or the parameter is new to the template)`,
    );
  }
  if (missing.length > 0) {
    throw new InputError(
      'parameters',
      Object.keys(options.given).join(', '),
      `a value for every template parameter without a Default; missing: ${missing.join(', ')}`,
    );
  }
  return { parameters, secrets: secretValues(options.declared, options.given), kept };
}
