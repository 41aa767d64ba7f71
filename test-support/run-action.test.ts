import { describe, expect, it } from '@jest/globals';
import {
  inputsWithDefaults,
  inputVariable,
  parseAnnotation,
  parseFileCommand,
  runAction,
} from './run-action.js';

describe('the runner emulation', () => {
  it('names input variables like the runner', () => {
    expect(inputVariable('stack-name')).toBe('INPUT_STACK-NAME');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });

  it('reads GITHUB_OUTPUT lines and heredoc blocks as @actions/core writes them', () => {
    const text =
      'changed=false\noutputs-json<<ghadelimiter_1\n{"a":1}\nsecond line\nghadelimiter_1\nurl=https://x=y\n';
    expect(parseFileCommand(text)).toEqual({
      changed: 'false',
      'outputs-json': '{"a":1}\nsecond line',
      url: 'https://x=y',
    });
  });

  it('parses annotations with titles and escaped new lines', () => {
    expect(
      parseAnnotation('::error title=Invalid input%3A template::Input missing%0AFix: add it'),
    ).toEqual({
      level: 'error',
      title: 'Invalid input: template',
      message: 'Input missing\nFix: add it',
    });
    expect(parseAnnotation('::warning::careful')).toEqual({ level: 'warning', message: 'careful' });
    expect(parseAnnotation('plain log line')).toBeUndefined();
  });
});

describe('runAction applies action.yml defaults, as the runner does', () => {
  it('fills every input the test does not pass with its default, and leaves the others unset', () => {
    const values = inputsWithDefaults('provision-stack', { 'stack-name': 'app', mode: 'preview' });
    expect(values['stack-name']).toBe('app');
    // A given value wins over the default.
    expect(values.mode).toBe('preview');
    expect(values.capabilities).toBe('CAPABILITY_NAMED_IAM');
    expect(values['timeout-minutes']).toBe('60');
    expect(values.parameters).toBe('');
    // Required inputs have no default: not set unless given.
    expect(values).not.toHaveProperty('template');
  });

  it('hands the defaults to the bundle as INPUT_* variables', async () => {
    // A probe loaded before the bundle prints the INPUT_* variables the process was given.
    const probe = `data:text/javascript,${encodeURIComponent(
      "for (const [k, v] of Object.entries(process.env)) if (k.startsWith('INPUT_')) process.stderr.write(`${k}=${v}\\n`);",
    )}`;
    const result = await runAction(
      'provision-stack',
      { 'stack-name': 'app' },
      { env: { NODE_OPTIONS: `--import=${probe}` } },
    );
    const seen = result.stderr.split('\n');
    expect(seen).toContain('INPUT_CAPABILITIES=CAPABILITY_NAMED_IAM');
    expect(seen).toContain('INPUT_TIMEOUT-MINUTES=60');
    expect(seen).toContain('INPUT_ON-ROLLBACK-COMPLETE=fail');
    expect(seen).toContain('INPUT_STACK-NAME=app');
    expect(seen.some((line) => line.startsWith('INPUT_TEMPLATE='))).toBe(false);
    // The bundle then refuses the missing required input, before any AWS call.
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.title).toBe('Invalid input: template');
  });
});
