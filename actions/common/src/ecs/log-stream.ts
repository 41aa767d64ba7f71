/**
 * A container's CloudWatch log stream: where the awslogs driver writes it, following it while the
 * task runs (every line once, in order), draining it after the task stopped so the last lines are
 * not lost, the last lines on their own, and the console link.
 *
 * Stream naming (awslogs-stream-prefix): `<prefix>/<container name>/<task id>`, see
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
 * GetLogEvents: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 * — with a nextToken, startFromHead must be true; nextForwardToken at the end of the stream is
 * the same token that was passed in; a page may be empty while the token still moves, so only an
 * unchanged token means "nothing more now".
 */
import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { isAwsError } from '../errors.js';
import { consoleUrl } from '../summary.js';

export interface LogStreamLocation {
  group: string;
  stream: string;
  region: string;
}

/** The task id of a task ARN (`…:task/<cluster>/<id>`, or the older `…:task/<id>`). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/**
 * The log stream one container of one task writes to, from the revision's awslogs options;
 * undefined when the container does not log to CloudWatch in a way we can name (see
 * `logConfigurationProblem` for the words).
 */
export function logStreamOf(options: {
  taskDefinition: TaskDefinition;
  container: string;
  taskId: string;
  /** The region of the action's clients: awslogs-region's fallback. */
  region: string;
}): LogStreamLocation | undefined {
  const definition = containerNamed(options.taskDefinition, options.container);
  if (!definition || logConfigurationProblem(definition) !== undefined) return undefined;
  const settings = definition.logConfiguration?.options ?? {};
  return {
    group: settings['awslogs-group'] as string,
    stream: `${settings['awslogs-stream-prefix']}/${options.container}/${options.taskId}`,
    region: settings['awslogs-region'] || options.region,
  };
}

/** Why a container's output cannot be followed, in words for a warning; undefined when it can. */
export function logConfigurationProblem(container: ContainerDefinition): string | undefined {
  const config = container.logConfiguration;
  const name = container.name ?? 'the container';
  if (!config)
    return `container ${name} has no logConfiguration, so its output goes nowhere AWS keeps`;
  if (config.logDriver !== 'awslogs') {
    return `container ${name} logs with the ${config.logDriver} driver; only awslogs (CloudWatch Logs) can be followed`;
  }
  if (!config.options?.['awslogs-group'])
    return `container ${name}'s awslogs options name no awslogs-group`;
  // Without a prefix the stream is named after the Docker container id, which the API never tells.
  if (!config.options['awslogs-stream-prefix']) {
    return `container ${name}'s awslogs options have no awslogs-stream-prefix, so its stream name cannot be known`;
  }
  return undefined;
}

function containerNamed(
  taskDefinition: TaskDefinition,
  name: string,
): ContainerDefinition | undefined {
  return (taskDefinition.containerDefinitions ?? []).find((container) => container.name === name);
}

/** The CloudWatch console page of one stream (the console double-encodes, with `$` for `%`). */
export function logConsoleUrl(location: LogStreamLocation): string {
  const encode = (text: string) => encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
  return consoleUrl(
    location.region,
    `cloudwatch/home?region=${location.region}#logsV2:log-groups/log-group/${encode(location.group)}/log-events/${encode(location.stream)}`,
  );
}

export interface FollowOptions {
  logs: CloudWatchLogsClient;
  location: LogStreamLocation;
  /** New events, oldest first, one page at a time (so a printer can fence a batch). */
  onEvents: (events: OutputLogEvent[]) => void;
  /** How many of the last messages to keep for the summary. */
  tailSize?: number;
  /** GetLogEvents' `limit` (events per page); the API's own maximum by default. */
  pageLimit?: number;
  /** Aborts a call in flight (the step's deadline); a read or drain may give its own. */
  signal?: AbortSignal;
}

export interface ReadOptions {
  /** Aborts this read's calls (instead of the follower's own signal). */
  signal?: AbortSignal;
}

export interface ReadResult {
  /** False while the stream has not been created yet (the container has not written). */
  exists: boolean;
  /** True when this read got new events or the token moved. */
  moved: boolean;
}

export interface DrainOptions {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The token must stay put this long before the stream counts as drained. */
  settleMs?: number;
  intervalMs?: number;
  /** Clock time to give up at (the step's deadline). */
  until?: number;
  signal?: AbortSignal;
}

export interface LogFollower {
  /** Reads everything the stream holds now, handing each new event on once. */
  read(options?: ReadOptions): Promise<ReadResult>;
  /**
   * After the task stopped: reads until the forward token has not moved for `settleMs`. The
   * awslogs driver flushes when the container exits, and ingestion takes a moment, so a single
   * read right after STOPPED can miss the last lines.
   */
  drain(options: DrainOptions): Promise<void>;
  /** The last `tailSize` messages handed on. */
  tail(): string[];
  /** How many events have been handed on. */
  readonly count: number;
  /** Whether the stream was ever seen. */
  readonly exists: boolean;
  /** GetLogEvents calls made so far (the benchmark's calls per minute). */
  readonly calls: number;
}

/** A stream can answer a page of up to 10,000 events; this many pages per read keeps a read bounded. */
const MAX_PAGES_PER_READ = 50;
export const DEFAULT_SETTLE_MS = 5_000;
/** GetLogEvents answers at most 10,000 events (its `limit`) or 1 MB per page. */
const PAGE_EVENTS = 10_000;
const PAGE_BYTES = 1_048_576;

function isFullPage(events: OutputLogEvent[], limit: number): boolean {
  if (events.length >= limit) return true;
  // Each event counts its message's UTF-8 bytes plus 26 bytes (the PutLogEvents size rule);
  // within a tenth of the limit, another event would not have fitted.
  const bytes = events.reduce((sum, event) => sum + Buffer.byteLength(event.message ?? '') + 26, 0);
  return bytes >= PAGE_BYTES * 0.9;
}

export function followLogStream(options: FollowOptions): LogFollower {
  const { logs, location } = options;
  const tailSize = options.tailSize ?? 50;
  const pageLimit = options.pageLimit ?? PAGE_EVENTS;
  const last: string[] = [];
  let token: string | undefined;
  let count = 0;
  let calls = 0;
  let exists = false;

  const read = async (readOptions: ReadOptions = {}): Promise<ReadResult> => {
    const signal = readOptions.signal ?? options.signal;
    let moved = false;
    for (let page = 0; page < MAX_PAGES_PER_READ; page++) {
      let answer;
      try {
        calls++;
        answer = await logs.send(
          new GetLogEventsCommand({
            logGroupName: location.group,
            logStreamName: location.stream,
            startFromHead: true,
            limit: pageLimit,
            ...(token ? { nextToken: token } : {}),
          }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (error) {
        // The driver creates the stream when the container first starts: until then, "not yet".
        if (isAwsError(error, 'ResourceNotFoundException')) return { exists, moved };
        throw error;
      }
      exists = true;
      const events = answer.events ?? [];
      if (events.length > 0) {
        moved = true;
        count += events.length;
        for (const event of events) {
          last.push(event.message ?? '');
          if (last.length > tailSize) last.shift();
        }
        options.onEvents(events);
      }
      const next = answer.nextForwardToken;
      if (!next || next === token) break;
      if (token !== undefined) moved = true;
      token = next;
      // A page that is neither empty nor full was the end of what the stream held a moment ago:
      // the next read (one poll later) goes on from its token, which saves the call that would
      // only get the same token back. An empty page with a new token, or a full one, reads on.
      if (events.length > 0 && !isFullPage(events, pageLimit)) break;
    }
    return { exists, moved };
  };

  return {
    read,
    async drain(drain) {
      const settleMs = drain.settleMs ?? DEFAULT_SETTLE_MS;
      const intervalMs = drain.intervalMs ?? 1_000;
      let quietSince = drain.now();
      for (;;) {
        const { moved } = await read(drain.signal ? { signal: drain.signal } : {});
        const now = drain.now();
        if (moved) quietSince = now;
        if (now - quietSince >= settleMs) return;
        if (drain.until !== undefined && now >= drain.until) return;
        const wait = Math.min(intervalMs, settleMs - (now - quietSince));
        await drain.sleep(
          drain.until !== undefined ? Math.min(wait, Math.max(0, drain.until - now)) : wait,
        );
      }
    },
    tail: () => [...last],
    get count() {
      return count;
    },
    get exists() {
      return exists;
    },
    get calls() {
      return calls;
    },
  };
}

/**
 * The last `lines` messages of a stream, oldest first, without following it (a stopped task's
 * log tail for a summary). A stream that does not exist has no lines.
 */
export async function tailLogStream(options: {
  logs: CloudWatchLogsClient;
  location: LogStreamLocation;
  lines: number;
  signal?: AbortSignal;
}): Promise<string[]> {
  try {
    // startFromHead false: the page holds the newest events, still oldest first within it.
    const answer = await options.logs.send(
      new GetLogEventsCommand({
        logGroupName: options.location.group,
        logStreamName: options.location.stream,
        startFromHead: false,
        limit: options.lines,
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    return (answer.events ?? []).slice(-options.lines).map((event) => event.message ?? '');
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return [];
    throw error;
  }
}
