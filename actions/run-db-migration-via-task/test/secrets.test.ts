/** Which words of a command and which environment values are secrets, and how they are shown. */
import { describe, expect, it } from '@jest/globals';
import { displayCommand, hide, secretsInCommand, secretsInEnvironment } from '../src/secrets.js';

describe('secrets', () => {
  it('finds option values, assignments and URL passwords in a command', () => {
    expect(
      secretsInCommand([
        'migrate',
        '--password',
        'p1',
        '--db-token=p2',
        'DB_SECRET=p3',
        'mysql://app:p4@db/app',
        '--url=postgres://u:p5@h/db',
        '--verbose',
      ]),
    ).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('does not take the next option as the value of a secret option, nor flag harmless words', () => {
    expect(
      secretsInCommand(['migrate', '--password', '--dry-run', '--to', 'v2', 'mysql://app@db/app']),
    ).toEqual([]);
  });

  it('finds secret environment values by name and URL passwords in any value', () => {
    expect(
      secretsInEnvironment({
        DB_PASSWORD: 'a',
        API_KEY: 'b',
        DATABASE_URL: 'mysql://app:c@db/app',
        LOG_LEVEL: 'debug',
        EMPTY_TOKEN: '',
      }),
    ).toEqual(['a', 'b', 'c']);
  });

  it('shows the command quoted as a shell would take it, secrets as ***', () => {
    expect(
      displayCommand(
        ['npm', 'run', 'migrate', '--', '--to', 'v 2', '--password=hunter2'],
        ['hunter2'],
      ),
    ).toBe("npm run migrate -- --to 'v 2' --password=***");
    expect(displayCommand(['echo', "it's"], [])).toBe(`echo 'it'\\''s'`);
    expect(hide('ab abc', ['ab', 'abc'])).toBe('*** ***');
  });
});
