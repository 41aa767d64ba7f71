/**
 * Typed action inputs. Every reader validates and throws an InputError naming the input, what was
 * given and what is accepted, so that a bad input stops the step before any AWS call is made.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage, InputError } from './errors.js';
import { formatDuration } from './format.js';

/** Where raw input values come from: the runner's INPUT_* variables, or a map in tests. */
export type InputSource = (name: string) => string;

/** Reads an input the way the Actions runner passes it (`INPUT_<NAME>`, spaces to `_`, upper-case). */
export function envInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export interface StringOptions {
  required?: boolean;
  default?: string;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);
const DURATION = /^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/i;

export class Inputs {
  constructor(
    private readonly source: InputSource = envInputSource(),
    /** Relative file paths are resolved against this folder (the checkout on a runner). */
    private readonly baseDir: string = process.env.GITHUB_WORKSPACE || process.cwd(),
  ) {}

  /** The raw, trimmed value; '' when the input was not given. */
  raw(name: string): string {
    return this.source(name);
  }

  string(name: string, options: StringOptions & { required: true }): string;
  string(name: string, options?: StringOptions): string | undefined;
  string(name: string, options: StringOptions = {}): string | undefined {
    const value = this.source(name);
    if (value !== '') return value;
    if (options.default !== undefined) return options.default;
    if (options.required) throw new InputError(name, '', 'a value: this input is required');
    return undefined;
  }

  /** A value that must match a pattern; `accepted` says in words what the pattern allows. */
  matching(
    name: string,
    pattern: RegExp,
    accepted: string,
    options: StringOptions = {},
  ): string | undefined {
    const value = this.string(name, options);
    if (value !== undefined && !pattern.test(value)) throw new InputError(name, value, accepted);
    return value;
  }

  /** One of a fixed set of words, compared without regard to case. */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.source(name);
    if (value === '') return fallback;
    const found = allowed.find((word) => word.toLowerCase() === value.toLowerCase());
    if (!found) throw new InputError(name, value, `one of ${allowed.join(', ')}`);
    return found;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.source(name).toLowerCase();
    if (value === '') return fallback;
    if (TRUE_WORDS.has(value)) return true;
    if (FALSE_WORDS.has(value)) return false;
    throw new InputError(name, this.source(name), 'true or false');
  }

  integer(
    name: string,
    options: { default?: number; min?: number; max?: number } = {},
  ): number | undefined {
    const value = this.source(name);
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const accepted = `a whole number${rangeWords(options.min, options.max)}`;
    if (value === '') return options.default;
    if (!/^-?\d+$/.test(value)) throw new InputError(name, value, accepted);
    const number = Number(value);
    if (number < min || number > max) throw new InputError(name, value, accepted);
    return number;
  }

  /**
   * A duration in milliseconds: `90s`, `15m`, `1h30m`, or a bare number in `bareUnit`
   * (so `timeout-minutes: 30` reads as thirty minutes).
   */
  duration(
    name: string,
    options: { default: number; bareUnit: 'seconds' | 'minutes'; min?: number; max?: number },
  ): number {
    const value = this.source(name);
    if (value === '') return options.default;
    const accepted = `a duration such as 90s, 15m or 1h30m, or a number of ${options.bareUnit}`;
    let ms: number;
    if (/^\d+(\.\d+)?$/.test(value)) {
      ms = Number(value) * (options.bareUnit === 'minutes' ? 60_000 : 1000);
    } else {
      const match = DURATION.exec(value);
      if (!match || !(match[1] || match[2] || match[3]))
        throw new InputError(name, value, accepted);
      ms =
        (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
    }
    if (ms <= 0) throw new InputError(name, value, `${accepted}, above zero`);
    if (
      (options.min !== undefined && ms < options.min) ||
      (options.max !== undefined && ms > options.max)
    ) {
      throw new InputError(
        name,
        value,
        `${accepted}, from ${formatDuration(options.min ?? 0)} to ${formatDuration(options.max ?? ms)}`,
      );
    }
    return ms;
  }

  /** Items separated by commas or new lines, trimmed, empty ones dropped. */
  list(name: string, fallback: readonly string[] = []): string[] {
    const value = this.source(name);
    if (value === '') return [...fallback];
    return value
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /**
   * A string map given as a YAML or JSON mapping, as `file:<path>` to such a file, or as
   * `Key=Value` lines. Values keep every `=` and `,` after the first `=`; scalars become strings
   * and lists are joined with commas (the form CloudFormation list parameters take).
   */
  map(name: string): Record<string, string> {
    const value = this.source(name);
    if (value === '') return {};
    if (value.startsWith('file:')) {
      const file = this.resolvePath(value.slice('file:'.length).trim());
      if (!existsSync(file) || !statSync(file).isFile()) {
        throw new InputError(
          name,
          value,
          `file:<path> naming an existing YAML or JSON file (${file} does not exist)`,
        );
      }
      return this.parseMapDocument(name, readFileSync(file, 'utf8'));
    }
    if (looksLikeKeyValueLines(value)) return this.keyValueLines(name);
    return this.parseMapDocument(name, value);
  }

  /** `Key=Value` lines; the key is everything before the first `=`, the value everything after. */
  keyValueLines(name: string): Record<string, string> {
    const result: Record<string, string> = {};
    const value = this.source(name);
    for (const [index, rawLine] of value.split('\n').entries()) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      if (key === '' || /\s/.test(key)) {
        throw new InputError(name, undefined, `Key=Value on every line (line ${index + 1} is not)`);
      }
      result[key] = line.slice(eq + 1).trim();
    }
    return result;
  }

  /**
   * A path to an existing file or folder, resolved against the workspace. The error says where
   * it looked, which is what a user needs when a relative path resolves somewhere unexpected.
   */
  path(name: string, options: { required: true; kind: 'file' | 'directory' }): string;
  path(name: string, options: { required?: false; kind: 'file' | 'directory' }): string | undefined;
  path(
    name: string,
    options: { required?: boolean; kind: 'file' | 'directory' },
  ): string | undefined {
    const value = this.string(name, { required: options.required });
    if (value === undefined) return undefined;
    const resolved = this.resolvePath(value);
    const stat = existsSync(resolved) ? statSync(resolved) : undefined;
    const ok = options.kind === 'file' ? stat?.isFile() : stat?.isDirectory();
    if (!ok) {
      const what = stat ? `is not a ${options.kind}` : 'does not exist';
      throw new InputError(
        name,
        value,
        `a path to an existing ${options.kind} (${resolved} ${what})`,
      );
    }
    return resolved;
  }

  private resolvePath(value: string): string {
    return path.resolve(this.baseDir, value);
  }

  private parseMapDocument(name: string, text: string): Record<string, string> {
    const accepted = 'a YAML or JSON mapping of names to values, file:<path>, or Key=Value lines';
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw new InputError(name, undefined, `${accepted} (${errorMessage(error).split('\n')[0]})`);
    }
    // CloudFormation's own parameter file shape: [{ParameterKey, ParameterValue}].
    if (Array.isArray(parsed) && parsed.every(isCfnParameterEntry)) {
      return Object.fromEntries(
        parsed.map((entry) => [entry.ParameterKey, scalarToString(entry.ParameterValue)]),
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError(name, undefined, accepted);
    }
    const result: Record<string, string> = {};
    for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
        throw new InputError(
          name,
          undefined,
          `${accepted}; the value of ${key} is a nested mapping`,
        );
      }
      result[key] = Array.isArray(entry)
        ? entry.map(scalarToString).join(',')
        : scalarToString(entry);
    }
    return result;
  }
}

function looksLikeKeyValueLines(value: string): boolean {
  const lines = value
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  return lines.length > 0 && lines.every((line) => /^\s*[^\s:={}[\]"']+\s*=/.test(line));
}

function isCfnParameterEntry(
  entry: unknown,
): entry is { ParameterKey: string; ParameterValue: unknown } {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as { ParameterKey?: unknown }).ParameterKey === 'string'
  );
}

function scalarToString(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function rangeWords(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}
