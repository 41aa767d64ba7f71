/**
 * Reading an event list AWS returns newest first and in full each time (CloudFormation
 * DescribeStackEvents, the `events` of an ECS DescribeServices service): each look hands back
 * what was there before plus what is new, so the reader remembers what it has shown and returns
 * only the new events, oldest first, the order a person reads a log in.
 */

export interface NewestFirstReaderOptions<T> {
  /** What makes an event itself: its EventId, or an ECS service event's `id`. */
  id: (event: T) => string;
  /**
   * Events from before the wait began (history), skipped even when not seen: for a list read
   * from a moment on (a nested stack's events since the parent's execution started).
   */
  isBefore?: (event: T) => boolean;
}

export interface NewestFirstReader<T> {
  /**
   * The events of one page (newest first) not seen before, oldest first; they count as seen
   * from now on. Feed a paginated list page by page while `reachedSeen` stays false.
   */
  fresh(pageNewestFirst: readonly T[]): T[];
  /** Counts events as seen without returning them: what had happened before this step. */
  skip(events: readonly T[]): void;
  /**
   * Whether the last page given to `fresh` reached an event seen before (or one from before the
   * wait): the older pages hold nothing new, so there is no need to read them.
   */
  readonly reachedSeen: boolean;
}

export function newestFirstReader<T>(options: NewestFirstReaderOptions<T>): NewestFirstReader<T> {
  const seen = new Set<string>();
  let reachedSeen = false;
  return {
    fresh(page) {
      reachedSeen = false;
      const fresh: T[] = [];
      for (const event of page) {
        const id = options.id(event);
        if (seen.has(id) || options.isBefore?.(event)) {
          reachedSeen = true;
          continue;
        }
        seen.add(id);
        fresh.push(event);
      }
      return fresh.reverse();
    },
    skip(events) {
      for (const event of events) seen.add(options.id(event));
    },
    get reachedSeen() {
      return reachedSeen;
    },
  };
}

/**
 * Every unseen event of a paginated newest-first list, oldest first: reads pages until one
 * reaches an event seen before, or the list ends.
 */
export async function readFresh<T>(options: {
  reader: NewestFirstReader<T>;
  /** One page: its events, newest first, and the token of the next (older) page. */
  page: (token: string | undefined) => Promise<{ events: readonly T[]; next?: string }>;
}): Promise<T[]> {
  const pages: T[][] = [];
  let token: string | undefined;
  do {
    const { events, next } = await options.page(token);
    pages.push(options.reader.fresh(events));
    token = options.reader.reachedSeen ? undefined : next;
  } while (token);
  // Each page's events are oldest first; the older pages came later.
  return pages.reverse().flat();
}
