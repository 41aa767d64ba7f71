/**
 * The real Secrets Manager client against the local AWS (moto): the client finds the endpoint
 * through AWS_ENDPOINT_URL alone (the way the container would reach LocalStack or moto), and the
 * Aurora-managed secret's JSON becomes the database credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readDatabaseConfig } from '../src/config.js';
import { credentialSourceFor, secretsManagerReader } from '../src/db/credentials.js';
import { startMoto } from '../../../test-support/moto-server.mjs';

const saved = { ...process.env };
let moto: Awaited<ReturnType<typeof startMoto>>;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

async function createSecret(
  name: string,
  value: { SecretString?: string; SecretBinary?: Uint8Array },
) {
  const client = new SecretsManagerClient({});
  const created = await client.send(new CreateSecretCommand({ Name: name, ...value }));
  return created.ARN!;
}

describe('secretsManagerReader', () => {
  it('reads the Aurora-managed secret through AWS_ENDPOINT_URL and yields the credentials', async () => {
    const arn = await createSecret('rds!cluster-notes', {
      SecretString: JSON.stringify({ username: 'notes_admin', password: 'rotated-1' }),
    });
    const config = readDatabaseConfig({
      DB_HOST: 'cluster.example',
      DB_NAME: 'notes',
      DB_SECRET_ARN: arn,
    });
    const source = credentialSourceFor(config);
    expect(await source.current()).toEqual({ user: 'notes_admin', password: 'rotated-1' });
    expect(source.description).toBe(`secret ${arn}`);
  });

  it('fails clearly for a binary secret', async () => {
    const arn = await createSecret('binary-secret', { SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(secretsManagerReader()(arn)).rejects.toThrow(/has no SecretString/);
  });

  it('passes on the service error for a secret that does not exist', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing-AbCdEf';
    await expect(secretsManagerReader()(arn)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
