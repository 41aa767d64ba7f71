/** The logger keeps credentials out of the log, also inside error objects. */
import { expect, it } from '@jest/globals';
import { collectLog } from './support/log-lines.js';

it('redacts passwords, secret strings and an AWS SDK error’s raw HTTP response', () => {
  const logs = collectLog();
  const sdkError = Object.assign(new Error('could not parse the answer'), {
    name: 'SerializationException',
    $metadata: { httpStatusCode: 200 },
    $response: { statusCode: 200, body: '{"SecretString":"{\\"password\\":\\"SENTINEL-1\\"}"}' },
  });
  logs.log.error({ event: 'error', err: sdkError }, 'request failed');
  logs.log.info({ password: 'SENTINEL-2', db: { password: 'SENTINEL-3' } }, 'config');
  logs.log.info({ SecretString: 'SENTINEL-4' }, 'secret');
  expect(logs.text()).not.toContain('SENTINEL');
  const [error] = logs.lines();
  // The rest of the error stays, so the log still says what failed.
  expect(error).toMatchObject({
    err: { message: 'could not parse the answer', $metadata: { httpStatusCode: 200 } },
  });
});
