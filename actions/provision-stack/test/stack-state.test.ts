import { describe, expect, it } from '@jest/globals';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { decide, isBusy } from '../src/stack-state.js';

const stack = (status: string): Stack =>
  ({
    StackName: 'app',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
    StackStatus: status,
    CreationTime: new Date(),
  }) as Stack;
const fail = { stackName: 'app', onRollbackComplete: 'fail' as const };

describe('decide', () => {
  it.each([
    [undefined, 'create'],
    ['DELETE_COMPLETE', 'create'],
    ['REVIEW_IN_PROGRESS', 'create-on-review'],
    ['CREATE_COMPLETE', 'update'],
    ['UPDATE_COMPLETE', 'update'],
    ['UPDATE_ROLLBACK_COMPLETE', 'update'],
    ['IMPORT_COMPLETE', 'update'],
    ['CREATE_FAILED', 'update'],
    ['UPDATE_FAILED', 'update'],
    ['CREATE_IN_PROGRESS', 'wait'],
    ['UPDATE_IN_PROGRESS', 'wait'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'wait'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'wait'],
    ['DELETE_IN_PROGRESS', 'wait'],
    ['ROLLBACK_COMPLETE', 'fail'],
    ['UPDATE_ROLLBACK_FAILED', 'fail'],
    ['ROLLBACK_FAILED', 'fail'],
    ['DELETE_FAILED', 'fail'],
  ])('%s → %s', (status, kind) => {
    expect(decide(status ? stack(status) : undefined, fail).kind).toBe(kind);
  });

  it('recreates a ROLLBACK_COMPLETE stack only when asked to', () => {
    expect(
      decide(stack('ROLLBACK_COMPLETE'), { stackName: 'app', onRollbackComplete: 'recreate' }),
    ).toEqual({
      kind: 'recreate',
      status: 'ROLLBACK_COMPLETE',
    });
    const failed = decide(stack('ROLLBACK_COMPLETE'), fail);
    expect(failed).toMatchObject({
      kind: 'fail',
      hint: expect.stringContaining('on-rollback-complete: recreate'),
    });
  });

  it('gives continue-update-rollback guidance for UPDATE_ROLLBACK_FAILED', () => {
    expect(decide(stack('UPDATE_ROLLBACK_FAILED'), fail)).toMatchObject({
      kind: 'fail',
      title: 'Stack app is in UPDATE_ROLLBACK_FAILED',
      hint: expect.stringContaining('aws cloudformation continue-update-rollback --stack-name app'),
    });
  });

  it('never treats REVIEW_IN_PROGRESS as busy', () => {
    expect(isBusy('REVIEW_IN_PROGRESS')).toBe(false);
    expect(isBusy('IMPORT_IN_PROGRESS')).toBe(true);
  });
});
