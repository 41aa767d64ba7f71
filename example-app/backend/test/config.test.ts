/** Reading the configuration: defaults, and an error naming the variable for each bad value. */
import { describe, expect, it } from '@jest/globals';
import { readDatabaseConfig, readServerConfig } from '../src/config.js';
import { Database } from '../src/db/database.js';
import { fixedCredentials } from '../src/db/credentials.js';
import { collectLog } from './support/log-lines.js';
import { MARIADB } from './support/mariadb.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1a2b-AbCdEf';
const base = { DB_HOST: 'db.example', DB_NAME: 'notes', DB_USER: 'app', DB_PASSWORD: 'pw' };

describe('readDatabaseConfig', () => {
  it('fills the defaults', () => {
    expect(readDatabaseConfig(base)).toEqual({
      host: 'db.example',
      port: 3306,
      name: 'notes',
      user: 'app',
      password: { kind: 'password', password: 'pw' },
      poolSize: 10,
      tls: 'off',
    });
  });

  it('takes the secret instead of a password, with DB_USER optional', () => {
    const { DB_PASSWORD: _password, DB_USER: _user, ...env } = base;
    const config = readDatabaseConfig({ ...env, DB_SECRET_ARN: ARN, DB_TLS: 'rds' });
    expect(config.password).toEqual({ kind: 'secret', secretArn: ARN });
    expect(config.user).toBeUndefined();
    expect(config.tls).toBe('rds');
  });

  it('accepts an empty DB_PASSWORD (a local root user)', () => {
    expect(readDatabaseConfig({ ...base, DB_PASSWORD: '' }).password).toEqual({
      kind: 'password',
      password: '',
    });
  });

  it.each([
    ['DB_HOST', { DB_HOST: undefined }],
    ['DB_NAME', { DB_NAME: ' ' }],
    ['DB_PORT', { DB_PORT: '70000' }],
    ['DB_PORT', { DB_PORT: '33o6' }],
    ['DB_POOL_SIZE', { DB_POOL_SIZE: '0' }],
    ['DB_SECRET_ARN', { DB_SECRET_ARN: ARN }], // together with DB_PASSWORD
    ['DB_SECRET_ARN', { DB_PASSWORD: undefined, DB_SECRET_ARN: 'my-secret' }],
    ['DB_PASSWORD', { DB_PASSWORD: undefined }],
    ['DB_USER', { DB_USER: undefined }],
    ['DB_TLS', { DB_TLS: 'true' }],
  ])('names %s when it is wrong', (variable, change) => {
    const env = { ...base, ...change } as Record<string, string | undefined>;
    expect(() => readDatabaseConfig(env)).toThrow(`Environment variable ${variable}:`);
  });

  it('never puts the password into its error messages', () => {
    expect(() =>
      readDatabaseConfig({ ...base, DB_PASSWORD: 'hunter2', DB_SECRET_ARN: ARN }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});

describe('readServerConfig', () => {
  it('fills the defaults: port 8080, all interfaces, 25 s to shut down', () => {
    expect(readServerConfig({})).toEqual({
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'info',
      shutdownTimeoutMs: 25_000,
    });
  });

  it.each([
    ['PORT', { PORT: '-1' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: '1e4' }],
  ])('names %s when it is wrong', (variable, env) => {
    expect(() => readServerConfig(env)).toThrow(`Environment variable ${variable}:`);
  });
});

describe('DB_TLS=rds', () => {
  it('insists on TLS: a server without a certificate from the RDS CAs is refused', async () => {
    // The local MariaDB has no TLS (or a self-signed certificate); with DB_TLS=rds the driver
    // must not fall back to plain text.
    const database = new Database({
      host: MARIADB.host,
      port: MARIADB.port,
      database: 'mysql',
      credentials: fixedCredentials({ user: MARIADB.user, password: MARIADB.password }),
      tls: 'rds',
      log: collectLog().log,
    });
    try {
      await expect(database.ping()).rejects.toThrow(/secure connection|certificate|SSL|TLS/i);
    } finally {
      await database.close().catch(() => undefined);
    }
  });
});
