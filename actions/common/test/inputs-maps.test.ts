/**
 * Map inputs (parameters, tags, cache rules) as issue 16 found them misread: values changed by
 * YAML's type guessing, a format chosen by a guess, repeated keys, CloudFormation's parameter file
 * with UsePreviousValue, quotes kept without a word. Through `Inputs`, as the actions read them.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { Inputs } from '../src/inputs.js';

interface Read {
  inputs: Inputs;
  warnings: string[];
}

function reader(values: Record<string, string>, baseDir = process.cwd()): Read {
  const warnings: string[] = [];
  const inputs = new Inputs(
    (name) => (values[name] ?? '').trim(),
    baseDir,
    (message) => warnings.push(message),
  );
  return { inputs, warnings };
}

const map = (text: string) => reader({ m: text }).inputs.map('m');
const parameters = (text: string) => reader({ p: text }).inputs.parameters('p');

function inputError(read: () => unknown): InputError {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

function fileWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'inputs-maps-'));
  writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('values reach AWS as the characters written (issue 16 #2)', () => {
  it.each([
    ['Pin: 0012345', '0012345'],
    ['Pin: 012345678901', '012345678901'],
    ['Pin: 8.0', '8.0'],
    ['Pin: 1.10', '1.10'],
    ['Pin: 0x1F', '0x1F'],
    ['Pin: 1e3', '1e3'],
    ['Pin: on', 'on'],
    ['Pin: yes', 'yes'],
    ['Pin: 2024-01-01', '2024-01-01'],
    ['Pin: "0012"', '0012'],
    ["Pin: 'it''s'", "it's"],
    ['Pin:', ''],
    ['{"Pin": 0012}', '0012'],
    ['{"Pin": 1.10}', '1.10'],
    ['{"Pin": true}', 'true'],
    ['Pin: ~', '~'],
    ['Pin: null', 'null'],
  ])('%j → %j', (text, value) => {
    expect(map(text)).toEqual({ Pin: value });
  });

  it('reads tags the same way (cost-center: 0042 stays 0042)', () => {
    expect(reader({ tags: 'cost-center: 0042\nteam: 007' }).inputs.map('tags')).toEqual({
      'cost-center': '0042',
      team: '007',
    });
  });

  it('says that ~ and null are text, not "no value", naming the key and line', () => {
    const { inputs, warnings } = reader({ p: 'Env: prod\nRetention: ~' });
    expect(inputs.parameters('p').values).toEqual({ Env: 'prod', Retention: '~' });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Input 'p': Retention \(line 2\) is the text ~: values are read as written, so this is not "no value". To keep the default or the deployed value, leave Retention out/,
      ),
    ]);
    // Quoted, it is plainly meant: no warning.
    const quoted = reader({ p: 'Retention: "~"' });
    expect(quoted.inputs.map('p')).toEqual({ Retention: '~' });
    expect(quoted.warnings).toEqual([]);
  });

  it.each([
    ['Db:\n  Name: x', /the value of Db \(line 1\) is a mapping; a single value is expected/],
    ['Subnets: [a, b]', /the value of Subnets \(line 1\) is a list; a single value is expected/],
    ['Env: !!int 12', /line 1: Unresolved tag: tag:yaml.org,2002:int; YAML tags/],
    ['Env: !Ref Other', /line 1: Unresolved tag: !Ref; YAML tags \(!Ref, !!int\) are not read/],
    ['A: &x v\nB: *x', /the value of B \(line 2\) is a YAML alias/],
    ['? [a]\n: b', /line 1: a key must be a single name/],
    ['A: 1\n---\nB: 2', /holds 2 YAML documents/],
    ['- a\n- b', /it is a list, not a mapping of names to values/],
  ])('refuses what cannot be one string: %j', (text, reason) => {
    const error = inputError(() => map(text));
    expect(error.input).toBe('m');
    expect(error.accepted).toMatch(reason);
  });

  it('joins lists for parameters only, and refuses a list item that is not one value', () => {
    expect(parameters('Ids: [sg-1, 012]').values).toEqual({ Ids: 'sg-1,012' });
    expect(inputError(() => parameters('Ids:\n  - a\n  - {b: c}')).accepted).toMatch(
      /an item of Ids \(line 3\) is a list or a mapping/,
    );
  });
});

describe('one documented rule for the format (issue 16 #8)', () => {
  it('reads Key=Value lines whose keys hold : / . (AWS tag keys may)', () => {
    expect(map('app:tier=web\naws-cost/center=0042\n# a comment\n\nteam.name = core')).toEqual({
      'app:tier': 'web',
      'aws-cost/center': '0042',
      'team.name': 'core',
    });
  });

  it('reads YAML when a line is not Key=Value, JSON when it starts with { or [', () => {
    expect(map('Url: https://x.test/?a=1&b=2')).toEqual({ Url: 'https://x.test/?a=1&b=2' });
    expect(map('  {"Url": "https://x.test/?a=1"}')).toEqual({ Url: 'https://x.test/?a=1' });
  });

  it('says which format it read and which line is wrong', () => {
    expect(inputError(() => map('A=1\nB: [x\nC=3')).accepted).toMatch(
      /read as YAML \(line 2 is not Key=Value\): line \d+: /,
    );
    expect(inputError(() => map('{"A": "1"')).accepted).toMatch(
      /read as JSON \(it starts with \{\): line 1: Flow map must end with a \}/,
    );
    expect(inputError(() => map('A=1\nA=2')).accepted).toMatch(
      /read as Key=Value lines \(every line is Key=Value\): A is given twice \(lines 1 and 2\)/,
    );
    expect(inputError(() => map('just words')).accepted).toMatch(
      /read as YAML \(line 1 is not Key=Value\): it is a single value, not a mapping/,
    );
  });

  it('applies the same rule to a file, naming it', () => {
    const dir = fileWith('tags.env', '\uFEFFapp:tier=web\nteam=core\n');
    expect(reader({ m: 'file:tags.env' }, dir).inputs.map('m')).toEqual({
      'app:tier': 'web',
      team: 'core',
    });
    const bad = fileWith('tags.yaml', 'a: 1\nb:\n  c: 2\n');
    expect(inputError(() => reader({ m: 'file:tags.yaml' }, bad).inputs.map('m')).accepted).toMatch(
      /tags\.yaml, read as YAML \(line 1 is not Key=Value\): the value of b \(line 2\) is a mapping/,
    );
  });

  it('hints at quoting when a line starts with * (a YAML alias)', () => {
    expect(inputError(() => map('*.txt: no-cache')).accepted).toMatch(
      /line 1: .*must be quoted: "\*\.txt": no-cache; or write Key=Value lines: \*\.txt=no-cache/,
    );
  });

  it('does not repeat the text unless the input says it holds no secrets', () => {
    expect(inputError(() => map('Db:\n  Password: hunter2')).message).not.toContain('hunter2');
    const shown = inputError(() =>
      reader({ m: 'Db:\n  Password: x' }).inputs.map('m', { secret: false }),
    );
    expect(shown.given).toBe('Db:\n  Password: x');
  });
});

describe('a key is given once (issue 16 #9)', () => {
  it.each([
    ['Version=one\nVersion=two', /Version is given twice \(lines 1 and 2\)/],
    ['Version: one\nVersion: two', /Version is given twice \(lines 1 and 2\)/],
    ['{"Version": "one",\n "Version": "two"}', /Version is given twice \(lines 1 and 2\)/],
  ])('%j', (text, reason) => {
    expect(inputError(() => map(text)).accepted).toMatch(reason);
  });

  it('in environment lines too', () => {
    const error = inputError(() =>
      reader({ environment: 'A=1\nB=2\nA=3' }).inputs.keyValueLines('environment'),
    );
    expect(error.accepted).toBe('Key=Value lines with each key once (A is given on lines 1 and 3)');
  });
});

describe("CloudFormation's parameter file, UsePreviousValue included (issue 16 #1)", () => {
  // Shape: API_Parameter, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Parameter.html
  const file = (entries: unknown) =>
    reader({ p: 'file:params.json' }, fileWith('params.json', JSON.stringify(entries, null, 2)))
      .inputs;

  it('keeps a UsePreviousValue parameter (not sent as an empty value)', () => {
    expect(
      file([
        { ParameterKey: 'Env', UsePreviousValue: true },
        { ParameterKey: 'Version', ParameterValue: '0012' },
        { ParameterKey: 'Flag', ParameterValue: 'x', UsePreviousValue: false },
        // describe-stacks prints ResolvedValue (read-only): pasted files carry it.
        { ParameterKey: 'Ami', ParameterValue: '/ami/latest', ResolvedValue: 'ami-1' },
      ]).parameters('p'),
    ).toEqual({ values: { Version: '0012', Flag: 'x', Ami: '/ami/latest' }, kept: ['Env'] });
  });

  it('reads the YAML form, where UsePreviousValue is the word true', () => {
    const dir = fileWith('params.yaml', '- ParameterKey: Env\n  UsePreviousValue: True\n');
    expect(reader({ p: 'file:params.yaml' }, dir).inputs.parameters('p')).toEqual({
      values: {},
      kept: ['Env'],
    });
  });

  it.each([
    [[{ ParameterKey: 'Env' }], /Env has neither a ParameterValue nor UsePreviousValue: true/],
    [
      [{ ParameterKey: 'Env', ParameterValue: 'a', UsePreviousValue: true }],
      /Env has both UsePreviousValue: true and a ParameterValue/,
    ],
    [[{ ParameterKey: 'Env', ParameterVal: 'a' }], /has ParameterVal, which a parameter file/],
    [[{ ParameterKey: 'Env', UsePreviousValue: 'yes' }], /UsePreviousValue of Env must be true/],
    [[{ ParameterValue: 'a' }], /entry 1 \(line 2\) has no ParameterKey/],
    [
      [
        { ParameterKey: 'Env', ParameterValue: 'a' },
        { ParameterKey: 'Env', UsePreviousValue: true },
      ],
      /Env is given twice \(lines 2 and 6\)/,
    ],
    [['Env=a'], /entry 1 \(line 2\) is not a \{"ParameterKey"/],
  ])('refuses %j, naming the entry', (entries, reason) => {
    const error = inputError(() => file(entries).parameters('p'));
    expect(error.input).toBe('p');
    expect(error.accepted).toMatch(/params\.json, read as JSON \(it starts with \[\)/);
    expect(error.accepted).toMatch(reason);
  });

  it('is a parameters form only: other maps refuse a list', () => {
    expect(
      inputError(() => file([{ ParameterKey: 'a', ParameterValue: 'b' }]).map('p')).accepted,
    ).toMatch(/it is a list, not a mapping/);
  });
});

describe('Key=Value lines take quotes literally, and say so (issue 16 #16)', () => {
  it('keeps the quotes and warns, naming the key and line but not the value', () => {
    const { inputs, warnings } = reader({ p: 'Env=prod\nPin="1234"' });
    expect(inputs.parameters('p').values).toEqual({ Env: 'prod', Pin: '"1234"' });
    expect(warnings).toEqual([
      'Input \'p\': Pin (line 2) keeps its quotes: Key=Value lines take the value as written, so the quote characters are part of it. Remove them, or write YAML (Pin: "…"), where quotes are syntax.',
    ]);
    expect(reader({ p: 'Pin: "1234"' }).inputs.map('p')).toEqual({ Pin: '1234' });
  });
});
