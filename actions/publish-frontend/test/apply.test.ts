import { describe, expect, it } from '@jest/globals';
import {
  AccessDenied,
  BatchTooLarge,
  InvalidArgument,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { ActionError, TimeoutError } from '../../common/src/errors.js';
import { type Applied, pendingInvalidation } from '../src/apply.js';
import type { Plan } from '../src/plan.js';

// CreateInvalidation's errors as the SDK builds them from CloudFront's answers (API reference,
// Errors: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html).
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const invalidPaths = () =>
  new InvalidArgument({
    message: 'Your request contains one or more invalid invalidation paths.',
    ...meta(400),
  });

const plan = (paths: string[]): Plan =>
  ({ invalidation: { paths, reason: `${paths.length} stale paths` } }) as unknown as Plan;
const uploads = { written: new Map(), bytes: 0, copied: 0 };
const failed = (error: unknown): Applied => ({
  outcome: 'partly-published',
  uploads,
  deleted: 0,
  error,
});

describe('pendingInvalidation: what the next run owes', () => {
  const paths = ['/', '/index.html', '/a b.html'];

  it('is nothing once the invalidation exists, and what was owed when none was due', () => {
    const published: Applied = { outcome: 'published', uploads, deleted: 0, invalidationId: 'I1' };
    expect(pendingInvalidation({ applied: published, plan: plan(paths), before: ['/x'] })).toEqual({
      paths: [],
    });
    const nothingDue: Applied = { outcome: 'published', uploads, deleted: 0 };
    expect(pendingInvalidation({ applied: nothingDue, plan: plan([]), before: ['/x'] })).toEqual({
      paths: ['/x'],
    });
  });

  it.each([
    ['TooManyInvalidationsInProgress past the deadline', new TimeoutError('kept refusing')],
    [
      'TooManyInvalidationsInProgress',
      new TooManyInvalidationsInProgress({ message: 'Too many', ...meta(400) }),
    ],
    [
      'AccessDenied (the paths are fine; the role is fixed later)',
      new AccessDenied({ message: 'no', ...meta(403) }),
    ],
    ['a failed deletion before the invalidation', new ActionError('Could not delete', 'x')],
  ])('keeps the paths as they are after %s', (_, error) => {
    expect(pendingInvalidation({ applied: failed(error), plan: plan(paths), before: [] })).toEqual({
      paths,
    });
  });

  it.each([
    ['InvalidArgument', invalidPaths()],
    [
      'BatchTooLarge',
      new BatchTooLarge({ message: 'Invalidation batch specified is too large.', ...meta(413) }),
    ],
  ])('owes one /* instead of paths CloudFront refused as such (%s), and says so', (code, error) => {
    const owed = pendingInvalidation({
      applied: failed(error),
      plan: plan(paths),
      before: ['/old'],
    });
    expect(owed.paths).toEqual(['/*']);
    expect(owed.note).toContain(`CloudFront refused the paths (${code}:`);
    expect(owed.note).toContain('the next run invalidates /* instead');
  });

  it('keeps nothing when CloudFront refused /* itself, so no later run fails on it', () => {
    const owed = pendingInvalidation({
      applied: failed(invalidPaths()),
      plan: plan(['/*']),
      before: [],
    });
    expect(owed.paths).toEqual([]);
    expect(owed.note).toContain('no invalidation is kept');
  });
});
