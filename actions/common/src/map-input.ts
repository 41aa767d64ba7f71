/**
 * The text of a map input (parameters, tags, cache-control rules) read into entries, with one
 * deterministic rule for its format, so that the same text is always read the same way and every
 * refusal can say how it was read and which line is wrong:
 *
 * 1. it starts with `{` or `[` → JSON (read as YAML flow, which JSON is);
 * 2. every line that is not blank or a `#` comment is `Key=Value` → Key=Value lines: the key is
 *    the text before the first `=` (it may hold `:`, `/`, `.`; not `: `, which would make it
 *    YAML), the value everything after, taken literally;
 * 3. otherwise → YAML.
 *
 * Values reach AWS as the characters written: YAML and JSON are read with the failsafe schema, in
 * which every scalar is a string (`0012` stays `0012`, `1.10` stays `1.10`, `on` stays `on`, `~`
 * is the character `~`). What cannot be a string — a nested mapping, a list where one value is
 * expected, a YAML tag or alias — is refused, naming the key and its line. Pure: no I/O.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

export type MapFormat = 'json' | 'lines' | 'yaml';

export interface MapEntry {
  key: string;
  value: string;
  /** 1-based line of the entry in the text. */
  line: number;
}

export interface ReadMapOptions {
  /**
   * `join`: a list of plain values becomes one comma-separated string (the form CloudFormation
   * list parameters take); `refuse`: a list is refused, one value per key is expected.
   */
  lists: 'join' | 'refuse';
  /**
   * Accept CloudFormation's own parameter file, `[{ParameterKey, ParameterValue}]` or
   * `[{ParameterKey, UsePreviousValue: true}]` (the shape `aws cloudformation create-stack
   * --parameters file://…` reads).
   */
  parameterFile: boolean;
}

export interface ReadMap {
  format: MapFormat;
  /** Why the text was read in that format, for messages: "every line is Key=Value". */
  why: string;
  entries: MapEntry[];
  /** Keys a parameter file marks `UsePreviousValue: true`: kept at their deployed value. */
  kept: MapEntry['key'][];
  /** Valid but probably not what was meant (a `~` that is not "no value", quotes kept). */
  warnings: string[];
}

/** A text that is not a map of this kind; `reason` names the line and never repeats a value. */
export class MapProblem extends Error {
  constructor(
    readonly format: MapFormat,
    readonly why: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MapProblem';
  }
}

const FORMAT_WORDS: Record<MapFormat, string> = {
  json: 'JSON',
  lines: 'Key=Value lines',
  yaml: 'YAML',
};

/** "read as YAML (line 2 is not Key=Value)" — for the messages of callers. */
export function describeFormat(format: MapFormat, why: string): string {
  return `read as ${FORMAT_WORDS[format]} (${why})`;
}

export function readMap(text: string, options: ReadMapOptions): ReadMap {
  const body = text.replace(/^\uFEFF/, '');
  const { format, why } = chooseFormat(body);
  const problem = (reason: string) => new MapProblem(format, why, reason);
  const result =
    format === 'lines' ? readLines(body, problem) : readDocument(body, options, format, problem);
  return { format, why, ...result };
}

interface Lines {
  entries: MapEntry[];
  kept: string[];
  warnings: string[];
}

function chooseFormat(body: string): { format: MapFormat; why: string } {
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') return { format: 'json', why: `it starts with ${start}` };
  const notPair = meaningfulLines(body).find((line) => pairOf(line.text) === undefined);
  if (notPair === undefined) return { format: 'lines', why: 'every line is Key=Value' };
  return { format: 'yaml', why: `line ${notPair.line} is not Key=Value` };
}

function meaningfulLines(body: string): { text: string; line: number }[] {
  return body
    .split('\n')
    .map((text, index) => ({ text: text.trim(), line: index + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'));
}

/** `Key=Value`: a non-empty key before the first `=`, holding no `: ` (that is YAML's). */
function pairOf(line: string): { key: string; value: string } | undefined {
  const eq = line.indexOf('=');
  if (eq < 0) return undefined;
  const key = line.slice(0, eq).trim();
  if (key === '' || /:\s/.test(key)) return undefined;
  return { key, value: line.slice(eq + 1).trim() };
}

function readLines(body: string, problem: (reason: string) => MapProblem): Lines {
  const entries: MapEntry[] = [];
  const warnings: string[] = [];
  for (const { text, line } of meaningfulLines(body)) {
    const { key, value } = pairOf(text) as { key: string; value: string };
    refuseRepeated(entries, key, line, problem);
    if (/^(".*"|'.*')$/s.test(value)) {
      // Quotes are syntax in YAML, but a Key=Value line takes its value literally. Said, not
      // refused: a value may really need them. The value itself is not repeated (it may be secret).
      warnings.push(
        `${key} (line ${line}) keeps its quotes: Key=Value lines take the value as written, so the quote characters are part of it. Remove them, or write YAML (${key}: "…"), where quotes are syntax.`,
      );
    }
    entries.push({ key, value, line });
  }
  return { entries, kept: [], warnings };
}

function refuseRepeated(
  entries: MapEntry[],
  key: string,
  line: number,
  problem: (reason: string) => MapProblem,
): void {
  const earlier = entries.find((entry) => entry.key === key);
  if (earlier) {
    throw problem(`${key} is given twice (lines ${earlier.line} and ${line}); give each key once`);
  }
}

function readDocument(
  body: string,
  options: ReadMapOptions,
  format: MapFormat,
  problem: (reason: string) => MapProblem,
): Lines {
  const lineCounter = new LineCounter();
  // failsafe: every scalar a string, as written. uniqueKeys off: repeated keys are refused
  // below with both lines named, as in the other formats. logLevel: the parser would otherwise
  // print YAMLWarnings on stderr by itself.
  const documents = parseAllDocuments(body, {
    schema: 'failsafe',
    uniqueKeys: false,
    logLevel: 'error',
    lineCounter,
  });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  if (documents.length === 0) return { entries: [], kept: [], warnings: [] };
  if (documents.length > 1) {
    throw problem(
      `it holds ${documents.length} YAML documents (separated by ---); give one mapping`,
    );
  }
  const document = documents[0] as Document.Parsed;
  const error = document.errors[0] ?? document.warnings[0];
  if (error) {
    const line = error.linePos?.[0]?.line ?? 1;
    throw problem(`line ${line}: ${yamlReason(error.message, error.code)}${globHint(body, line)}`);
  }
  const contents = document.contents;
  if (contents === null) return { entries: [], kept: [], warnings: [] };
  if (isMap(contents)) return readMapping(contents, options, lineOf, problem);
  if (isSeq(contents) && options.parameterFile) {
    return readParameterFile(contents.items, lineOf, problem);
  }
  const shape = isSeq(contents) ? 'a list' : 'a single value';
  const wanted =
    options.parameterFile && format === 'json'
      ? 'a mapping of names to values, or a list of {"ParameterKey": …, "ParameterValue": …}'
      : 'a mapping of names to values';
  throw problem(`it is ${shape}, not ${wanted}`);
}

type LineOf = (node: { range?: [number, number, number] | null } | null | undefined) => number;

function readMapping(
  map: YAMLMap.Parsed,
  options: ReadMapOptions,
  lineOf: LineOf,
  problem: (reason: string) => MapProblem,
): Lines {
  const entries: MapEntry[] = [];
  const warnings: string[] = [];
  for (const pair of map.items as Pair<Node | null, Node | null>[]) {
    const line = lineOf(pair.key);
    const key = keyOf(pair.key, line, problem);
    refuseRepeated(entries, key, line, problem);
    const value = valueOf({ node: pair.value, key, line, lists: options.lists, lineOf, problem });
    if (isPlainNull(pair.value)) {
      warnings.push(
        `${key} (line ${line}) is the text ${String((pair.value as { value: unknown }).value)}: values are read as written, so this is not "no value". To keep the default or the deployed value, leave ${key} out; for an empty value write ${key}: ""`,
      );
    }
    entries.push({ key, value, line });
  }
  return { entries, kept: [], warnings };
}

function keyOf(node: Node | null, line: number, problem: (reason: string) => MapProblem): string {
  if (!isScalar(node)) {
    throw problem(`line ${line}: a key must be a single name, not a list or a mapping`);
  }
  const key = String(node.value).trim();
  if (key === '') throw problem(`line ${line}: a key is empty`);
  return key;
}

function valueOf(options: {
  node: Node | null;
  key: string;
  line: number;
  lists: ReadMapOptions['lists'];
  lineOf: LineOf;
  problem: (reason: string) => MapProblem;
}): string {
  const { node, key, line, problem } = options;
  if (node === null) return '';
  if (isScalar(node)) return String(node.value);
  if (isAlias(node)) throw problem(aliasReason(key, line));
  if (isMap(node)) {
    throw problem(`the value of ${key} (line ${line}) is a mapping; a single value is expected`);
  }
  if (isSeq(node)) {
    if (options.lists === 'refuse') {
      throw problem(
        `the value of ${key} (line ${line}) is a list; a single value is expected (quote it to send the text as it is: ${key}: "a,b")`,
      );
    }
    return node.items
      .map((item) => {
        if (isScalar(item)) return String(item.value);
        if (isAlias(item)) throw problem(aliasReason(key, options.lineOf(item)));
        throw problem(
          `an item of ${key} (line ${options.lineOf(item as Node)}) is a list or a mapping; list items must be single values`,
        );
      })
      .join(',');
  }
  throw problem(`the value of ${key} (line ${line}) is not a single value`);
}

/** `Key: ~` or `Key: null`, unquoted: YAML's words for "no value", read here as text. */
function isPlainNull(node: Node | null): boolean {
  return (
    isScalar(node) &&
    node.type === 'PLAIN' &&
    typeof node.value === 'string' &&
    /^(~|null|Null|NULL)$/.test(node.value)
  );
}

const PARAMETER_FIELDS = ['ParameterKey', 'ParameterValue', 'UsePreviousValue', 'ResolvedValue'];

/**
 * CloudFormation's parameter file (API_Parameter): ParameterKey with either ParameterValue or
 * `UsePreviousValue: true` ("If you specify true, do not specify a parameter value"), never
 * both; ResolvedValue is read-only (what describe-stacks prints, so pasted files carry it) and
 * ignored. https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html
 */
function readParameterFile(
  items: unknown[],
  lineOf: LineOf,
  problem: (reason: string) => MapProblem,
): Lines {
  const entries: MapEntry[] = [];
  const kept: MapEntry[] = [];
  for (const [index, item] of items.entries()) {
    const line = lineOf(item as Node);
    const where = `entry ${index + 1} (line ${line})`;
    if (!isMap(item)) {
      throw problem(`${where} is not a {"ParameterKey": …, "ParameterValue": …} mapping`);
    }
    const fields = new Map<string, Node | null>();
    for (const pair of item.items as Pair<Node | null, Node | null>[]) {
      const field = keyOf(pair.key, lineOf(pair.key), problem);
      if (!PARAMETER_FIELDS.includes(field)) {
        throw problem(
          `${where} has ${field}, which a parameter file does not have (${PARAMETER_FIELDS.join(', ')})`,
        );
      }
      if (fields.has(field)) throw problem(`${where} gives ${field} twice`);
      fields.set(field, pair.value);
    }
    const scalar = (field: string): string | undefined => {
      if (!fields.has(field)) return undefined;
      const node = fields.get(field) ?? null;
      if (node === null) return '';
      if (!isScalar(node)) throw problem(`${where}: ${field} must be a single value`);
      return String(node.value);
    };
    const key = scalar('ParameterKey')?.trim();
    if (!key) throw problem(`${where} has no ParameterKey`);
    const value = scalar('ParameterValue');
    const previous = scalar('UsePreviousValue')?.toLowerCase();
    if (previous !== undefined && previous !== 'true' && previous !== 'false') {
      throw problem(`${where}: UsePreviousValue of ${key} must be true or false`);
    }
    refuseRepeated([...entries, ...kept], key, line, problem);
    if (previous === 'true') {
      if (value !== undefined) {
        throw problem(
          `${where}: ${key} has both UsePreviousValue: true and a ParameterValue; give one (UsePreviousValue keeps the deployed value)`,
        );
      }
      kept.push({ key, value: '', line });
    } else if (value === undefined) {
      throw problem(`${where}: ${key} has neither a ParameterValue nor UsePreviousValue: true`);
    } else {
      entries.push({ key, value, line });
    }
  }
  return { entries, kept: kept.map((entry) => entry.key), warnings: [] };
}

function aliasReason(key: string, line: number): string {
  return `the value of ${key} (line ${line}) is a YAML alias (it starts with *); quote a value that starts with *`;
}

/** The parser's first line, without its own position (the caller says the line). */
function yamlReason(message: string, code: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAG_RESOLVE_FAILED') {
    return `${first}; YAML tags (!Ref, !!int) are not read here: every value is text as written`;
  }
  return first;
}

/** A line that starts with `*`: in YAML that is an alias, the usual cause of the parser's error. */
function globHint(body: string, line: number): string {
  const text = (body.split('\n')[line - 1] ?? '').trim();
  const startsWithStar = text.startsWith('*') || /^[^:]*:\s+\*/.test(text);
  return startsWithStar
    ? ' (in YAML a key or value that starts with * must be quoted: "*.txt": no-cache; or write Key=Value lines: *.txt=no-cache)'
    : '';
}
