/**
 * Where the database user and password come from: a fixed password (local runs, tests) or a
 * secret in Secrets Manager holding {"username", "password"}: on AWS the application user's
 * secret (cloudformation/data.yaml, AppUserSecretArn), whose password changes when the data stack
 * gives the user a new one; the master user's RDS-managed secret (rotated every 7 days) has the
 * same shape. The database asks for fresh credentials when the server refuses the ones it has.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatabaseConfig } from '../config.js';

export interface DbCredentials {
  user: string;
  password: string;
}

export interface CredentialSource {
  /** What the credentials come from, for logs (never the password). */
  readonly description: string;
  /** The credentials to connect with now (cached after the first call). */
  current(): Promise<DbCredentials>;
  /** Asks the source again, after the database refused `current()`. */
  refresh(): Promise<DbCredentials>;
}

/** A password that never changes: refreshing returns the same pair, so the caller stops retrying. */
export function fixedCredentials(credentials: DbCredentials): CredentialSource {
  return {
    description: `the password for user ${credentials.user}`,
    current: async () => credentials,
    refresh: async () => credentials,
  };
}

/** The part of the Secrets Manager client this module uses, so tests can hand in a fake. */
export type SecretReader = (secretArn: string) => Promise<string>;

export function secretsManagerReader(client = new SecretsManagerClient({})): SecretReader {
  // The SDK picks the region from AWS_REGION and honours AWS_ENDPOINT_URL(_SECRETS_MANAGER),
  // and the task role's credentials come from the ECS container credential provider.
  return async (secretArn) => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (result.SecretString === undefined) {
      throw new Error(`Secret ${secretArn} has no SecretString; expected JSON with a password.`);
    }
    return result.SecretString;
  };
}

/** Parses the JSON an Aurora-managed (or RDS rotation template) secret holds. */
export function parseDatabaseSecret(
  secretArn: string,
  secretString: string,
  fallbackUser: string | undefined,
): DbCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`Secret ${secretArn} is not JSON; expected {"username": …, "password": …}.`);
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  const user =
    typeof fields.username === 'string' && fields.username ? fields.username : fallbackUser;
  if (typeof fields.password !== 'string') {
    throw new Error(`Secret ${secretArn} has no string "password" field.`);
  }
  if (!user) {
    throw new Error(`Secret ${secretArn} has no "username" field and DB_USER is not set.`);
  }
  return { user, password: fields.password };
}

export interface SecretCredentialsOptions {
  secretArn: string;
  /** Used when the secret has no username. */
  fallbackUser?: string;
  read: SecretReader;
  /**
   * Refreshes closer together than this reuse the last answer: while a wrong password keeps
   * failing, every request would otherwise call Secrets Manager.
   */
  minRefreshIntervalMs?: number;
  now?: () => number;
}

export class SecretCredentials implements CredentialSource {
  readonly description: string;
  private cached: Promise<DbCredentials> | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SecretCredentialsOptions) {
    this.description = `secret ${options.secretArn}`;
  }

  current(): Promise<DbCredentials> {
    return this.cached ?? this.fetch();
  }

  refresh(): Promise<DbCredentials> {
    const now = this.options.now ?? Date.now;
    const minInterval = this.options.minRefreshIntervalMs ?? 5_000;
    if (this.cached && now() - this.fetchedAt < minInterval) return this.cached;
    return this.fetch();
  }

  private fetch(): Promise<DbCredentials> {
    const now = this.options.now ?? Date.now;
    this.fetchedAt = now();
    const { secretArn, fallbackUser, read } = this.options;
    const pending = read(secretArn).then((text) =>
      parseDatabaseSecret(secretArn, text, fallbackUser),
    );
    // A failed fetch must not stick: the next call tries Secrets Manager again.
    pending.catch(() => {
      if (this.cached === pending) this.cached = undefined;
    });
    this.cached = pending;
    return pending;
  }
}

/** How the app reaches Secrets Manager; tests replace it with a fake. */
export interface SecretAccess {
  read?: SecretReader;
  minRefreshIntervalMs?: number;
}

export function credentialSourceFor(
  config: DatabaseConfig,
  secrets: SecretAccess = {},
): CredentialSource {
  if (config.password.kind === 'password') {
    return fixedCredentials({ user: config.user ?? '', password: config.password.password });
  }
  return new SecretCredentials({
    secretArn: config.password.secretArn,
    fallbackUser: config.user,
    read: secrets.read ?? secretsManagerReader(),
    minRefreshIntervalMs: secrets.minRefreshIntervalMs,
  });
}
