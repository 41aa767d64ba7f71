/**
 * The backend's configuration, read once from the environment. Every problem names the variable,
 * what it held and what would be accepted, so a task that fails to start says why in its log.
 */

export class ConfigError extends Error {
  constructor(variable: string, given: string | undefined, accepted: string) {
    super(
      `Environment variable ${variable}: got ${given === undefined ? 'nothing' : JSON.stringify(given)}; expected ${accepted}.`,
    );
    this.name = 'ConfigError';
  }
}

/** Where the database password comes from. */
export type PasswordSource =
  { kind: 'password'; password: string } | { kind: 'secret'; secretArn: string };

export interface DatabaseConfig {
  host: string;
  port: number;
  name: string;
  /** Optional with a secret: the Aurora-managed secret carries its own username. */
  user: string | undefined;
  password: PasswordSource;
  poolSize: number;
  /** 'rds': TLS, verifying the server against the Amazon RDS certificate authorities. */
  tls: DatabaseTls;
}

export type DatabaseTls = 'off' | 'rds';

export interface ServerConfig {
  host: string;
  port: number;
  logLevel: string;
  /**
   * How long SIGTERM waits for in-flight requests. ECS only sends SIGTERM after the ALB drained
   * the target (deregistration delay, 30 s) and kills the container stopTimeout (30 s) later, so
   * anything still running after 25 s is cut before SIGKILL would cut it less cleanly.
   */
  shutdownTimeoutMs: number;
}

type Env = NodeJS.ProcessEnv;

function required(env: Env, name: string, accepted: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(name, value, accepted);
  return value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, value, `a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

export function readDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const hasPassword = env.DB_PASSWORD !== undefined;
  const secretArn = env.DB_SECRET_ARN?.trim() || undefined;
  if (hasPassword && secretArn) {
    throw new ConfigError(
      'DB_SECRET_ARN',
      secretArn,
      'either DB_PASSWORD or DB_SECRET_ARN, not both (unset DB_PASSWORD to use the secret)',
    );
  }
  if (secretArn && !SECRET_ARN.test(secretArn)) {
    throw new ConfigError(
      'DB_SECRET_ARN',
      secretArn,
      'a Secrets Manager ARN such as arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc',
    );
  }
  if (!hasPassword && !secretArn) {
    throw new ConfigError(
      'DB_PASSWORD',
      undefined,
      'DB_PASSWORD (may be empty) or DB_SECRET_ARN naming the database secret',
    );
  }
  const user = env.DB_USER?.trim() || undefined;
  if (!user && !secretArn) throw new ConfigError('DB_USER', env.DB_USER, 'the database user name');
  return {
    host: required(env, 'DB_HOST', 'the database host name, e.g. the Aurora cluster endpoint'),
    port: integer(env, 'DB_PORT', 3306, 1, 65535),
    name: required(env, 'DB_NAME', 'the database (schema) name'),
    user,
    password: secretArn
      ? { kind: 'secret', secretArn }
      : { kind: 'password', password: env.DB_PASSWORD ?? '' },
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 100),
    tls: databaseTls(env.DB_TLS),
  };
}

function databaseTls(value: string | undefined): DatabaseTls {
  const tls = value?.trim() || 'off';
  if (tls !== 'off' && tls !== 'rds') {
    throw new ConfigError(
      'DB_TLS',
      value,
      "'rds' (TLS verified against the Amazon RDS CAs) or 'off' (a local database)",
    );
  }
  return tls;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readServerConfig(env: Env = process.env): ServerConfig {
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', logLevel, `one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    host: env.HOST?.trim() || '0.0.0.0',
    port: integer(env, 'PORT', 8080, 0, 65535),
    logLevel,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 120_000),
  };
}
