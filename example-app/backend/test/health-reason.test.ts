/** What /api/health/ready says about a failure: the kind of failure, never the server's message. */
import { describe, expect, it } from '@jest/globals';
import { reasonFor } from '../src/http/health-routes.js';

function failure(
  fields: Record<string, unknown>,
  message = 'SECRET-DETAIL 10.0.1.23 admin',
): Error {
  return Object.assign(new Error(message), fields);
}

describe('reasonFor', () => {
  it.each<[string, unknown, string]>([
    [
      'a refused password',
      failure({ code: 'ER_ACCESS_DENIED_ERROR' }),
      'the credentials were refused (ER_ACCESS_DENIED_ERROR)',
    ],
    ['an unreachable host', failure({ code: 'ETIMEDOUT' }), 'cannot connect (ETIMEDOUT)'],
    ['an unknown host name', failure({ code: 'ENOTFOUND' }), 'cannot connect (ENOTFOUND)'],
    [
      'Secrets Manager refusing the task role',
      failure({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
      'cannot read the credentials (Secrets Manager: AccessDeniedException)',
    ],
    ['another MySQL error', failure({ code: 'ER_BAD_DB_ERROR' }), 'error ER_BAD_DB_ERROR'],
    [
      'a code that is not a code',
      failure({ code: 'drop table; 10.0.1.23' }),
      'error (see the log)',
    ],
    ['an error without a code', failure({}), 'unexpected error (see the log)'],
    ['something thrown that is not an error', 'SECRET-DETAIL', 'unexpected error (see the log)'],
  ])('names %s without its details', (_case, error, reason) => {
    expect(reasonFor(error)).toBe(reason);
  });
});
