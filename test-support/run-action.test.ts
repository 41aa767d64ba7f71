import { describe, expect, it } from '@jest/globals';
import { inputVariable, parseAnnotation, parseFileCommand } from './run-action.js';

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
