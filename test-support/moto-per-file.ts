/**
 * Runs before each integration test file: points the AWS SDK (and the bundles the tests spawn) at
 * this worker's moto, with dummy credentials, and resets moto so every file starts empty.
 */
import { beforeAll } from '@jest/globals';
import './slow-ring.js';
import { motoUrl, resetMoto } from './moto.js';

const url = motoUrl();
process.env.AWS_ENDPOINT_URL = url;
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

beforeAll(async () => {
  await resetMoto();
});
