import { describe, expect, it } from '@jest/globals';
import { createDeadline, DeadlineExceeded } from '../src/context.js';
import { describeError } from '../src/errors.js';
import { fakeClock, testContext } from '../../../test-support/action-context.js';

describe('createDeadline', () => {
  it('counts down on the clock it was given and aborts its signal once past', async () => {
    const clock = fakeClock();
    const deadline = createDeadline({ clock, budgetMs: 60_000 });
    expect(deadline.remainingMs()).toBe(60_000);
    await clock.sleep(59_000);
    expect(deadline.expired()).toBe(false);
    expect(deadline.signal.aborted).toBe(false);
    await clock.sleep(1_000);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.expired()).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceeded);
  });

  it('is reported as a timeout that names the budget', () => {
    const report = describeError(new DeadlineExceeded(90_000));
    expect(report.title).toBe('Timed out');
    expect(report.message).toContain('1m30s');
  });
});

describe('testContext', () => {
  it('draws the deadline from the inputs and the fake clock', async () => {
    const context = testContext({ timeoutMs: 5_000 });
    await context.clock.sleep(4_000);
    expect(context.deadline.remainingMs()).toBe(1_000);
    expect(context.clock.sleeps).toEqual([4_000]);
  });
});
