import { describe, expect, it } from '@jest/globals';
import { newestFirstReader, readFresh } from '../src/event-reader.js';

interface Event {
  id: string;
  at: number;
}
const event = (id: string, at: number): Event => ({ id, at });
/** A list as AWS returns it: newest first. */
const newestFirst = (...events: Event[]) => [...events].sort((a, b) => b.at - a.at);

describe('newestFirstReader', () => {
  it('returns only what is new on each look, oldest first, like a log', () => {
    const reader = newestFirstReader<Event>({ id: (e) => e.id });
    const a = event('a', 1);
    const b = event('b', 2);
    const c = event('c', 3);
    expect(reader.fresh(newestFirst(a, b))).toEqual([a, b]);
    expect(reader.reachedSeen).toBe(false);
    expect(reader.fresh(newestFirst(a, b, c))).toEqual([c]);
    expect(reader.reachedSeen).toBe(true);
    expect(reader.fresh(newestFirst(a, b, c))).toEqual([]);
  });

  it('skips the history that was there before the step started', () => {
    const reader = newestFirstReader<Event>({ id: (e) => e.id });
    const old = [event('old-1', 1), event('old-2', 2)];
    reader.skip(old);
    const next = event('new', 3);
    expect(reader.fresh(newestFirst(...old, next))).toEqual([next]);
  });

  it('treats events from before the wait as seen, and says the older pages need no reading', () => {
    let since = 10;
    const reader = newestFirstReader<Event>({ id: (e) => e.id, isBefore: (e) => e.at < since });
    const fresh = reader.fresh(newestFirst(event('x', 5), event('y', 12)));
    expect(fresh.map((e) => e.id)).toEqual(['y']);
    expect(reader.reachedSeen).toBe(true);
    since = 0;
    // x was never seen, only held back: once the boundary moves it counts as new.
    expect(reader.fresh([event('x', 5)]).map((e) => e.id)).toEqual(['x']);
  });

  it('keeps one of two copies of the same event within one page', () => {
    const reader = newestFirstReader<Event>({ id: (e) => e.id });
    expect(reader.fresh([event('a', 1), event('a', 1)])).toEqual([event('a', 1)]);
  });
});

describe('readFresh', () => {
  const pages: Record<string, { events: Event[]; next?: string }> = {
    first: { events: [event('e5', 5), event('e4', 4)], next: 'p2' },
    p2: { events: [event('e3', 3), event('e2', 2)], next: 'p3' },
    p3: { events: [event('e1', 1)] },
  };

  it('reads every page of a first look and returns the events oldest first', async () => {
    const reader = newestFirstReader<Event>({ id: (e) => e.id });
    const asked: (string | undefined)[] = [];
    const events = await readFresh({
      reader,
      page: async (token) => {
        asked.push(token);
        return pages[token ?? 'first'] as { events: Event[]; next?: string };
      },
    });
    expect(events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(asked).toEqual([undefined, 'p2', 'p3']);
  });

  it('stops paging at the first page that reaches an event seen before', async () => {
    const reader = newestFirstReader<Event>({ id: (e) => e.id });
    reader.skip([event('e3', 3)]);
    const asked: (string | undefined)[] = [];
    const events = await readFresh({
      reader,
      page: async (token) => {
        asked.push(token);
        return pages[token ?? 'first'] as { events: Event[]; next?: string };
      },
    });
    expect(events.map((e) => e.id)).toEqual(['e2', 'e4', 'e5']);
    expect(asked).toEqual([undefined, 'p2']);
  });
});
