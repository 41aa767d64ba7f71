/**
 * Typed action inputs. Every reader validates and throws an InputError naming the input, what was
 * given and what is accepted, so that a bad input stops the step before any AWS call is made.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as core from './core.js';
import { InputError } from './errors.js';
import { formatDuration } from './format.js';
import {
  describeFormat,
  MapProblem,
  type ReadMap,
  type ReadMapOptions,
  readMap,
} from './map-input.js';

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
    /** Inputs that are valid but probably not what was meant are warned about here. */
    private readonly warn: InputWarning = (message, title) => core.warning(message, { title }),
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
   * A string map: Key=Value lines, a YAML or JSON mapping, or `file:<path>` to a file holding
   * either. The format is chosen by one rule (map-input.ts): `{` or `[` first → JSON; every line
   * `Key=Value` → lines; otherwise YAML. Values are the characters written (YAML and JSON with
   * the failsafe schema: `0012` stays `0012`); a repeated key, a nested mapping, and (unless
   * `lists: 'join'`) a list are refused, naming the key and its line. Errors do not repeat the
   * text unless `secret: false` (the map may hold secrets: parameters).
   */
  map(name: string, options: MapOptions = {}): Record<string, string> {
    const read = this.readMapInput(
      name,
      { lists: options.lists ?? 'refuse', parameterFile: false },
      options,
    );
    return Object.fromEntries(read.entries.map((entry) => [entry.key, entry.value]));
  }

  /**
   * CloudFormation parameters: a map as `map` reads it, lists joined with commas (the form list
   * parameters take), plus CloudFormation's own parameter file through `file:` —
   * `[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Db", "UsePreviousValue": true}]`.
   * `kept` names the parameters marked UsePreviousValue.
   */
  parameters(name: string): ParameterInput {
    const read = this.readMapInput(name, { lists: 'join', parameterFile: true }, {});
    return {
      values: Object.fromEntries(read.entries.map((entry) => [entry.key, entry.value])),
      kept: read.kept,
    };
  }

  /**
   * `Key=Value` lines (an environment); the key is everything before the first `=`, the value
   * everything after, taken literally. A key is given once.
   */
  keyValueLines(name: string): Record<string, string> {
    const result: Record<string, string> = {};
    const lines = new Map<string, number>();
    const value = this.source(name);
    for (const [index, rawLine] of value.split('\n').entries()) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      if (key === '' || /\s/.test(key)) {
        throw new InputError(name, undefined, `Key=Value on every line (line ${index + 1} is not)`);
      }
      const earlier = lines.get(key);
      if (earlier !== undefined) {
        throw new InputError(
          name,
          undefined,
          `Key=Value lines with each key once (${key} is given on lines ${earlier} and ${index + 1})`,
        );
      }
      lines.set(key, index + 1);
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

  private readMapInput(name: string, read: ReadMapOptions, options: MapOptions): ReadMap {
    const value = this.source(name);
    const given = options.secret === false ? value : undefined;
    if (value === '')
      return { format: 'lines', why: 'it is empty', entries: [], kept: [], warnings: [] };
    let text = value;
    let from = '';
    if (value.startsWith('file:')) {
      const file = this.resolvePath(value.slice('file:'.length).trim());
      if (!existsSync(file) || !statSync(file).isFile()) {
        throw new InputError(
          name,
          value,
          `file:<path> naming an existing file of Key=Value lines, YAML or JSON (${file} does not exist)`,
        );
      }
      text = readFileSync(file, 'utf8');
      from = `${path.relative(this.baseDir, file) || file}, `;
    }
    let result: ReadMap;
    try {
      result = readMap(text, read);
    } catch (error) {
      if (!(error instanceof MapProblem)) throw error;
      throw new InputError(
        name,
        given,
        `${MAP_ACCEPTED}; ${from}${describeFormat(error.format, error.why)}: ${error.reason}`,
      );
    }
    for (const warning of result.warnings)
      this.warn(`Input '${name}': ${warning}`, `Input ${name} taken as written`);
    return result;
  }
}

export interface MapOptions {
  /** `join` a YAML/JSON list into one comma-separated value; `refuse` it (the default). */
  lists?: 'join' | 'refuse';
  /** false: the map holds no secrets, so an error may show the text (default true). */
  secret?: boolean;
}

export interface ParameterInput {
  values: Record<string, string>;
  /** Parameters the file marks UsePreviousValue: true (keep the deployed value). */
  kept: string[];
}

/** Where a warning about an input goes: an annotation on a runner, a list in tests. */
export type InputWarning = (message: string, title: string) => void;

const MAP_ACCEPTED =
  'Key=Value lines, a YAML or JSON mapping of names to values, or file:<path> to one';

function rangeWords(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}
