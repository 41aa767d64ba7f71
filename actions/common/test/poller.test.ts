import { describe, expect, it } from '@jest/globals';
import { TimeoutError } from '../src/errors.js';
import { poll, untilDeadline } from '../src/poller.js';
import { testContext } from '../../../test-support/action-context.js';

/** A fake clock: sleeping advances time instantly, so the tests run in microseconds. */
function fakeClock() {
  let time = 0;
  return {
    now: () => time,
    sleep: async (ms: number) => void (time += ms),
    advance: (ms: number) => (time += ms),
  };
}

describe('poll', () => {
  it('returns the value once done and logs each change of state once', async () => {
    const clock = fakeClock();
    const states = ['CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE'];
    const lines: string[] = [];
    const value = await poll({
      what: 'stack demo',
      intervalMs: 5000,
      timeoutMs: 60_000,
      check: async () => {
        const state = states.shift() as string;
        return { done: state === 'CREATE_COMPLETE', state, value: state };
      },
      log: (line) => lines.push(line),
      ...clock,
    });
    expect(value).toBe('CREATE_COMPLETE');
    expect(lines).toEqual(['stack demo: CREATE_IN_PROGRESS']);
  });

  it('prints a progress line at least every 15 s while the state does not change', async () => {
    const clock = fakeClock();
    const lines: { at: number; line: string }[] = [];
    let checks = 0;
    await poll({
      what: 'service web',
      intervalMs: 4000,
      timeoutMs: 600_000,
      check: async () => ({ done: ++checks > 30, state: 'deployment IN_PROGRESS' }),
      log: (line) => lines.push({ at: clock.now(), line }),
      ...clock,
    });
    const gaps = lines.slice(1).map((entry, i) => entry.at - (lines[i] as { at: number }).at);
    expect(lines.length).toBeGreaterThan(5);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    expect(lines[1]?.line).toMatch(/deployment IN_PROGRESS for \d+s, .* left before the timeout/);
  });

  it('counts lines the check reports as progress, so news is not followed by filler', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    let checks = 0;
    await poll({
      what: 'stack demo',
      intervalMs: 5000,
      timeoutMs: 600_000,
      check: async (report) => {
        report(`event ${++checks}`);
        return { done: checks === 10, state: 'UPDATE_IN_PROGRESS' };
      },
      log: (line) => lines.push(line),
      ...clock,
    });
    expect(lines.filter((line) => line.includes('left before the timeout'))).toEqual([]);
    expect(lines).toContain('event 10');
  });

  it('fails with a TimeoutError naming what it waited for and the last state', async () => {
    const clock = fakeClock();
    const waiting = poll({
      what: 'invalidation I123',
      intervalMs: 5000,
      timeoutMs: 20_000,
      check: async () => ({ done: false, state: 'InProgress' }),
      log: () => undefined,
      ...clock,
    });
    await expect(waiting).rejects.toThrow(TimeoutError);
    await expect(waiting).rejects.toThrow(/invalidation I123 after 20s; last state: InProgress/);
    expect(clock.now()).toBe(20_000);
  });
});

describe('untilDeadline', () => {
  it('gives two successive waits one budget between them, on the context clock and log', async () => {
    const context = testContext({ timeoutMs: 60_000 });
    const busy = async () => ({ done: false, state: 'UPDATE_IN_PROGRESS' });
    // The first wait ends on its own part-way through the budget ...
    let looks = 0;
    await poll({
      ...untilDeadline(context),
      what: 'first wait',
      intervalMs: 10_000,
      check: async () => ({ done: ++looks === 5, state: 'waiting' }),
    });
    const firstTook = context.clock.now() - Date.UTC(2026, 0, 1);
    expect(firstTook).toBeGreaterThan(0);
    expect(context.deadline.remainingMs()).toBe(60_000 - firstTook);
    // ... so the second gives up when the step's minute is over, not a fresh minute later.
    const failure = await poll({
      ...untilDeadline(context),
      what: 'second wait',
      intervalMs: 10_000,
      check: busy,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(context.clock.now() - Date.UTC(2026, 0, 1)).toBe(60_000);
    expect(context.log.lines).toContain('second wait: UPDATE_IN_PROGRESS');
  });
});
