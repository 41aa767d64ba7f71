import { describe, expect, it } from '@jest/globals';
import { parseCommand } from '../src/command.js';
import { InputError } from '../src/errors.js';

const words = (value: string) => parseCommand('command', value);
const refusal = (value: string): InputError => {
  try {
    words(value);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${value} was accepted`);
};

describe('parseCommand', () => {
  it('splits words the way a POSIX shell does, quotes and backslashes respected', () => {
    expect(words('npm run migrate -- --to "v 2"')).toEqual([
      'npm',
      'run',
      'migrate',
      '--',
      '--to',
      'v 2',
    ]);
    expect(words(`sh -c 'echo $HOME && ls *.sql'`)).toEqual(['sh', '-c', 'echo $HOME && ls *.sql']);
    expect(words('node a\\ b.js "say \\"hi\\""')).toEqual(['node', 'a b.js', 'say "hi"']);
    expect(words('KEY=a=b node x.js')).toEqual(['KEY=a=b', 'node', 'x.js']);
    expect(words('echo ""')).toEqual(['echo', '']);
    // A YAML block scalar's new lines separate words like spaces.
    expect(words('npm run\n  migrate\n')).toEqual(['npm', 'run', 'migrate']);
  });

  it('passes an escaped dollar and a quoted pattern literally', () => {
    expect(words('echo \\$HOME "*.sql"')).toEqual(['echo', '$HOME', '*.sql']);
  });

  it('takes a JSON array of strings as the words, unchanged', () => {
    expect(words('["node", "migrate.js", "--to", "v 2", "$HOME"]')).toEqual([
      'node',
      'migrate.js',
      '--to',
      'v 2',
      '$HOME',
    ]);
  });

  it('refuses an unbalanced quote, naming the input', () => {
    const error = refusal('npm run migrate -- --to "v 2');
    expect(error.input).toBe('command');
    expect(error.message).toMatch(/Input 'command'.*a " quote is not closed/);
    expect(refusal("echo 'it").message).toContain("a ' quote is not closed");
    expect(refusal('echo x\\').message).toContain('lone backslash');
  });

  it('refuses what only a shell would do, and says how to ask for a shell', () => {
    expect(refusal('npm run migrate && npm start').message).toMatch(
      /&& is a shell operator.*\["sh", "-c", "…"\]/,
    );
    expect(refusal('migrate > out.log').message).toContain('> is a shell operator');
    expect(refusal('cat *.sql').message).toContain('*.sql is a file pattern');
    expect(refusal('echo $DATABASE_URL').message).toContain('$DATABASE_URL would not be expanded');
    expect(refusal('echo "${HOME}"').message).toContain('$HOME would not be expanded');
    expect(refusal('echo `id`').message).toContain('backquotes');
    expect(refusal('migrate # run it').message).toContain('# starts a comment');
  });

  it('refuses an empty command and a JSON value that is not an array of strings', () => {
    expect(refusal('   ').message).toContain('the command is empty');
    expect(refusal('[]').message).toContain('the command is empty');
    expect(refusal('["npm", 1]').message).toContain('only strings');
    expect(refusal('[npm run]').message).toContain('not valid JSON');
  });
});
