/** The command line and TTL parsing: every bad value refused naming the flag, before any AWS call. */
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../../actions/common/src/errors.js';
import { parseCommandLine, parseTtl, UsageError, type TunnelArguments } from '../src/args.js';

function run(argv: string[]): TunnelArguments {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed.arguments;
}

describe('parseTtl', () => {
  it('reads hours, minutes, seconds and their combinations', () => {
    expect(parseTtl('1h')).toBe(3_600_000);
    expect(parseTtl('90m')).toBe(5_400_000);
    expect(parseTtl('1h30m')).toBe(5_400_000);
    expect(parseTtl('2h15m30s')).toBe((2 * 3600 + 15 * 60 + 30) * 1000);
    expect(parseTtl('600s')).toBe(600_000);
  });

  it('reads a bare number as minutes, like every duration in the toolkit', () => {
    expect(parseTtl('45')).toBe(45 * 60_000);
    // Fractions of a minute are rounded up to whole seconds: the task's clock is sleep <seconds>.
    expect(parseTtl('5.01')).toBe(301_000);
  });

  it('defaults to one hour', () => {
    expect(parseTtl('')).toBe(3_600_000);
  });

  it('refuses what is not a duration, naming --ttl', () => {
    for (const value of ['2d', 'one hour', '1 hour', '-5m', 'h']) {
      expect(() => parseTtl(value)).toThrow(InputError);
      expect(() => parseTtl(value)).toThrow(/--ttl/);
    }
  });

  it('refuses zero, less than 5 minutes and more than 12 hours', () => {
    expect(() => parseTtl('0')).toThrow(/above zero/);
    expect(() => parseTtl('4m')).toThrow(/from 5m to 12h/);
    expect(() => parseTtl('299s')).toThrow(/from 5m to 12h/);
    expect(() => parseTtl('12h1s')).toThrow(/from 5m to 12h/);
    expect(parseTtl('5m')).toBe(300_000);
    expect(parseTtl('12h')).toBe(43_200_000);
  });
});

describe('parseCommandLine', () => {
  it('reads every option', () => {
    expect(
      run([
        '--environment',
        'prod',
        '--region',
        'eu-west-1',
        '--profile',
        'prod-admin',
        '--local-port',
        '3307',
        '--ttl',
        '30m',
        '--start-timeout',
        '10m',
        '--container',
        'api',
        '--print',
      ]),
    ).toEqual({
      environment: 'prod',
      region: 'eu-west-1',
      profile: 'prod-admin',
      localPort: 3307,
      ttlMs: 1_800_000,
      startTimeoutMs: 600_000,
      container: 'api',
      user: 'master',
      print: true,
    });
  });

  it('has defaults for everything but the environment', () => {
    expect(run(['-e', 'staging'])).toEqual({
      environment: 'staging',
      localPort: 3306,
      ttlMs: 3_600_000,
      startTimeoutMs: 300_000,
      user: 'master',
      print: false,
    });
    expect(run(['-e', 'prod', '--user', 'app']).user).toBe('app');
    expect(() => run(['-e', 'prod', '--user', 'root'])).toThrow(
      /Input '--user'.*one of master, app/,
    );
    expect(run(['--environment=prod', '-p', '13306']).localPort).toBe(13306);
    expect(run(['-e', 'eu-prod-2']).environment).toBe('eu-prod-2');
  });

  it('requires --environment', () => {
    expect(() => run([])).toThrow(/--environment.*required/);
  });

  it('refuses an environment name the templates would not accept', () => {
    for (const name of ['Prod', 'p', '1prod', 'prod_eu', 'a--b', 'prod-', 'a'.repeat(21)]) {
      expect(() => run(['-e', name])).toThrow(/Input '--environment'/);
    }
  });

  it('refuses a port outside 1-65535 or not a number', () => {
    for (const port of ['0', '65536', 'abc', '33o6']) {
      expect(() => run(['-e', 'prod', '--local-port', port])).toThrow(/--local-port/);
    }
  });

  it('refuses a region that is not one', () => {
    expect(() => run(['-e', 'prod', '--region', 'Ireland'])).toThrow(/--region/);
  });

  it('refuses an unknown or misspelt option as a usage error', () => {
    expect(() => parseCommandLine(['-e', 'prod', '--tll', '1h'])).toThrow(UsageError);
    expect(() => parseCommandLine(['-e', 'prod', '--tll', '1h'])).toThrow(/Unknown option '--tll'/);
    expect(() => parseCommandLine(['prod'])).toThrow(UsageError);
    expect(() => parseCommandLine(['--environment'])).toThrow(UsageError);
  });

  it('answers --help and --version without needing anything else', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', '--ttl', 'nonsense'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });
});
