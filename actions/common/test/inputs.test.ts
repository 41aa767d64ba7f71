import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { envInputSource, Inputs } from '../src/inputs.js';

function inputs(values: Record<string, string>, baseDir = process.cwd()): Inputs {
  return new Inputs((name) => (values[name] ?? '').trim(), baseDir);
}

/** Runs `read` and returns the InputError it throws, so tests can look at every field. */
function inputError(read: () => unknown): InputError {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('envInputSource', () => {
  it('reads INPUT_<NAME> the way the runner sets it: upper-case, spaces to _, hyphens kept', () => {
    const read = envInputSource({ 'INPUT_STACK-NAME': ' app ', INPUT_MY_INPUT: 'x' });
    expect(read('stack-name')).toBe('app');
    expect(read('my input')).toBe('x');
    expect(read('absent')).toBe('');
  });
});

describe('Inputs', () => {
  it('required strings name the input when missing', () => {
    const error = inputError(() => inputs({}).string('stack-name', { required: true }));
    expect(error.input).toBe('stack-name');
    expect(error.message).toBe(
      "Input 'stack-name': got nothing; expected a value: this input is required.",
    );
  });

  it('booleans accept the usual words and reject others with what is accepted', () => {
    expect(inputs({ a: 'TRUE', b: 'no' }).boolean('a', false)).toBe(true);
    expect(inputs({ a: 'TRUE', b: 'no' }).boolean('b', true)).toBe(false);
    expect(inputs({}).boolean('c', true)).toBe(true);
    expect(inputError(() => inputs({ a: 'maybe' }).boolean('a', false)).message).toMatch(
      /'a': got "maybe"; expected true or false/,
    );
  });

  it('integers are whole and inside their range', () => {
    const read = inputs({ n: '42', bad: '4.5', big: '1001' });
    expect(read.integer('n', { min: 1, max: 100 })).toBe(42);
    expect(read.integer('missing', { default: 7 })).toBe(7);
    expect(inputError(() => read.integer('bad')).accepted).toBe('a whole number');
    expect(inputError(() => read.integer('big', { min: 1, max: 1000 })).accepted).toBe(
      'a whole number from 1 to 1000',
    );
  });

  it('durations read units, and bare numbers in the unit the input is named for', () => {
    const read = inputs({ a: '90s', b: '1h30m', c: '45', d: '10 minutes', e: '0' });
    const minutes = { default: 1, bareUnit: 'minutes' as const };
    expect(read.duration('a', minutes)).toBe(90_000);
    expect(read.duration('b', minutes)).toBe(5_400_000);
    expect(read.duration('c', minutes)).toBe(2_700_000);
    expect(read.duration('c', { default: 1, bareUnit: 'seconds' })).toBe(45_000);
    expect(read.duration('missing', minutes)).toBe(1);
    expect(inputError(() => read.duration('d', minutes)).given).toBe('10 minutes');
    expect(inputError(() => read.duration('e', minutes)).accepted).toMatch(/above zero/);
    expect(inputError(() => read.duration('b', { ...minutes, max: 3_600_000 })).accepted).toMatch(
      /to 1h$/,
    );
  });

  it('choices compare without case and list what is allowed', () => {
    const read = inputs({ mode: 'Preview', bad: 'apply' });
    expect(read.choice('mode', ['deploy', 'preview'] as const, 'deploy')).toBe('preview');
    expect(read.choice('none', ['deploy', 'preview'] as const, 'deploy')).toBe('deploy');
    expect(inputError(() => read.choice('bad', ['deploy', 'preview'], 'deploy')).accepted).toBe(
      'one of deploy, preview',
    );
  });

  it('lists split on commas and new lines and drop blanks', () => {
    expect(inputs({ l: 'a, b\nc,,\n d ' }).list('l')).toEqual(['a', 'b', 'c', 'd']);
    expect(inputs({}).list('l', ['x'])).toEqual(['x']);
  });

  it('matching checks a pattern and says in words what it allows', () => {
    const read = inputs({ name: '1-bad' });
    expect(
      inputError(() =>
        read.matching('name', /^[A-Za-z][A-Za-z0-9-]*$/, 'a letter, then letters, digits or -'),
      ).message,
    ).toBe(`Input 'name': got "1-bad"; expected a letter, then letters, digits or -.`);
  });

  describe('map', () => {
    it('keeps = and , inside Key=Value values', () => {
      const read = inputs({
        p: 'Url=https://x.test/?a=1&b=2\nSubnets=subnet-1,subnet-2\n# comment\n',
      });
      expect(read.map('p')).toEqual({
        Url: 'https://x.test/?a=1&b=2',
        Subnets: 'subnet-1,subnet-2',
      });
    });

    it('reads YAML and JSON mappings as strings; parameters join lists with commas', () => {
      expect(inputs({ p: 'Env: prod\nMin: 2' }).map('p')).toEqual({ Env: 'prod', Min: '2' });
      expect(inputs({ p: 'Env: prod\nSubnets: [a, b]' }).parameters('p')).toEqual({
        values: { Env: 'prod', Subnets: 'a,b' },
        kept: [],
      });
      expect(inputs({ p: '{"Env":"prod","Flag":true}' }).map('p')).toEqual({
        Env: 'prod',
        Flag: 'true',
      });
    });

    it("reads CloudFormation's own [{ParameterKey, ParameterValue}] files through file:", () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'inputs-'));
      writeFileSync(
        path.join(dir, 'params.json'),
        JSON.stringify([{ ParameterKey: 'Env', ParameterValue: 'prod' }]),
      );
      expect(inputs({ p: 'file: params.json' }, dir).parameters('p')).toEqual({
        values: { Env: 'prod' },
        kept: [],
      });
      expect(inputError(() => inputs({ p: 'file:nope.yaml' }, dir).map('p')).accepted).toContain(
        path.join(dir, 'nope.yaml'),
      );
    });

    it('rejects nested mappings and text that is no mapping', () => {
      expect(inputError(() => inputs({ p: 'A:\n  B: c' }).map('p')).accepted).toMatch(
        /the value of A \(line 1\) is a mapping/,
      );
      expect(inputError(() => inputs({ p: 'just words' }).map('p')).input).toBe('p');
      expect(inputError(() => inputs({ p: '{ unclosed' }).map('p')).input).toBe('p');
    });
  });

  it('keyValueLines names the line that is not Key=Value', () => {
    expect(
      inputError(() => inputs({ kv: 'A=1\nnot a pair' }).keyValueLines('kv')).accepted,
    ).toMatch(/line 2/);
  });

  it('paths resolve against the workspace and say where they looked', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inputs-'));
    mkdirSync(path.join(dir, 'site'));
    writeFileSync(path.join(dir, 'stack.yaml'), 'Resources: {}');
    const read = inputs({ t: 'stack.yaml', s: 'site', missing: 'gone.yaml' }, dir);
    expect(read.path('t', { required: true, kind: 'file' })).toBe(path.join(dir, 'stack.yaml'));
    expect(read.path('s', { required: true, kind: 'directory' })).toBe(path.join(dir, 'site'));
    expect(read.path('none', { kind: 'file' })).toBeUndefined();
    expect(inputError(() => read.path('missing', { required: true, kind: 'file' })).accepted).toBe(
      `a path to an existing file (${path.join(dir, 'gone.yaml')} does not exist)`,
    );
    expect(inputError(() => read.path('s', { required: true, kind: 'file' })).accepted).toMatch(
      /is not a file/,
    );
  });
});

describe('map inputs never repeat their value in errors', () => {
  it('hides the text of a malformed parameter map, which may hold a NoEcho value', () => {
    for (const given of [
      'DbPassword=s3cret\nhunter2-alone',
      '{ DbPassword: s3cret',
      'DbPassword:\n  nested: s3cret',
    ]) {
      const error = inputError(() => inputs({ parameters: given }).map('parameters'));
      expect(error.message).toMatch(
        /^Input 'parameters': got a value not repeated here \(it may hold secrets\)/,
      );
      expect(error.message).not.toMatch(/s3cret|hunter2/);
    }
  });
});
