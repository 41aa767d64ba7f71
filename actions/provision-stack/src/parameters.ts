/**
 * The parameters sent to CloudFormation: the given values checked against the template's
 * declarations, and, for an existing stack, every parameter not given kept at its deployed value
 * (UsePreviousValue), so that a run which does not mention a parameter never resets it.
 */
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { InputError } from '../../common/src/errors.js';
import type { TemplateParameter } from './template.js';

export interface ParameterPlanOptions {
  declared: TemplateParameter[];
  given: Record<string, string>;
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

/** Names that are not declared in the template; checked first, without AWS. */
export function checkKnownParameters(
  declared: TemplateParameter[],
  given: Record<string, string>,
): void {
  const known = new Set(declared.map((parameter) => parameter.name));
  const unknown = Object.keys(given).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new InputError(
      'parameters',
      Object.keys(given).join(', '),
      `only parameters the template declares; unknown: ${unknown.join(', ')} (the template declares ${
        known.size > 0 ? [...known].join(', ') : 'no parameters'
      })`,
    );
  }
  for (const parameter of declared) {
    const value = given[parameter.name];
    if (value === undefined) continue;
    if (parameter.allowedValues && !parameter.allowedValues.includes(value)) {
      throw new InputError(
        'parameters',
        `${parameter.name}=${parameter.noEcho ? '****' : value}`,
        `a value of ${parameter.name} among its AllowedValues: ${parameter.allowedValues.join(', ')}`,
      );
    }
    const pattern = parameter.allowedPattern
      ? javaScriptPattern(parameter.allowedPattern)
      : undefined;
    if (pattern && !pattern.test(value)) {
      throw new InputError(
        'parameters',
        `${parameter.name}=${parameter.noEcho ? '****' : value}`,
        `a value of ${parameter.name} matching its AllowedPattern ${parameter.allowedPattern}`,
      );
    }
  }
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
  declared: TemplateParameter[],
  given: Record<string, string>,
): string[] {
  return declared
    .filter((parameter) => parameter.noEcho && (given[parameter.name] ?? '') !== '')
    .map((parameter) => given[parameter.name] as string);
}

export function planParameters(options: ParameterPlanOptions): ParameterPlan {
  checkKnownParameters(options.declared, options.given);
  const deployed = new Set(options.deployed ?? []);
  const parameters: Parameter[] = [];
  const kept: string[] = [];
  const missing: string[] = [];
  for (const parameter of options.declared) {
    const value = options.given[parameter.name];
    if (value !== undefined) {
      parameters.push({ ParameterKey: parameter.name, ParameterValue: value });
    } else if (deployed.has(parameter.name)) {
      parameters.push({ ParameterKey: parameter.name, UsePreviousValue: true });
      kept.push(parameter.name);
    } else if (!parameter.hasDefault) {
      missing.push(parameter.name);
    }
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
