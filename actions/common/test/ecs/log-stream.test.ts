/**
 * Following a log stream through GetLogEvents, against a fake stream that keeps the documented
 * token rules (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html):
 * forward tokens from the head, the same token back at the end of the stream, pages that may be
 * empty while the token still moves, ResourceNotFoundException before the stream exists.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  followLogStream,
  logConfigurationProblem,
  logConsoleUrl,
  logStreamOf,
  tailLogStream,
  taskIdOf,
} from '../../src/ecs/log-stream.js';
import { fakeClock } from '../../../../test-support/action-context.js';

const logs = mockClient(CloudWatchLogsClient);
const location = { group: '/ecs/app', stream: 'migrate/migrate/0a1b2c3d', region: 'eu-west-1' };

/** A stream as CloudWatch keeps it; tokens are opaque strings holding a position. */
class FakeStream {
  events: OutputLogEvent[] = [];
  created = false;
  /** The service's own cap on a page, whatever the limit asked. */
  pageSize = 3;
  /** Positions at which the service answers an empty page with a moved token (as it may). */
  emptyPagesAt = new Set<number>();
  requests: GetLogEventsCommandInput[] = [];

  write(...messages: string[]): void {
    this.created = true;
    for (const message of messages)
      this.events.push({
        timestamp: this.events.length,
        message,
        ingestionTime: this.events.length,
      });
  }

  answer(input: GetLogEventsCommandInput) {
    this.requests.push(input);
    if (!this.created) {
      throw new CloudWatchLogsServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: {},
        message: 'The specified log stream does not exist.',
      });
    }
    if (input.nextToken !== undefined && input.startFromHead !== true)
      throw new Error('startFromHead must be true with a nextToken');
    if (input.startFromHead === false) {
      const limit = input.limit ?? 10_000;
      return {
        events: this.events.slice(-limit),
        nextForwardToken: `f/${this.events.length}`,
        nextBackwardToken: 'b/0',
      };
    }
    const at = input.nextToken ? Number(input.nextToken.slice(2).split(':')[0]) : 0;
    if (this.emptyPagesAt.has(at)) {
      this.emptyPagesAt.delete(at);
      return { events: [], nextForwardToken: `f/${at}:gap`, nextBackwardToken: `b/${at}` };
    }
    const page = this.events.slice(at, at + Math.min(this.pageSize, input.limit ?? 10_000));
    const end = at + page.length;
    // At the end of the stream: the same token that was passed in.
    const nextForwardToken = page.length === 0 && input.nextToken ? input.nextToken : `f/${end}`;
    return { events: page, nextForwardToken, nextBackwardToken: `b/${at}` };
  }
}

let stream: FakeStream;
beforeEach(() => {
  logs.reset();
  stream = new FakeStream();
  logs.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => stream.answer(input));
});

function follow(tailSize?: number) {
  const printed: string[] = [];
  const follower = followLogStream({
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    location,
    pageLimit: 3,
    onEvents: (events) => printed.push(...events.map((event) => event.message ?? '')),
    ...(tailSize ? { tailSize } : {}),
  });
  return { follower, printed };
}

describe('followLogStream', () => {
  it('treats a stream not created yet as "not yet", then reads it from the head', async () => {
    const { follower, printed } = follow();
    expect(await follower.read()).toEqual({ exists: false, moved: false });
    stream.write('one', 'two');
    expect(await follower.read()).toEqual({ exists: true, moved: true });
    expect(printed).toEqual(['one', 'two']);
    expect(stream.requests[1]).toMatchObject({
      logGroupName: '/ecs/app',
      logStreamName: 'migrate/migrate/0a1b2c3d',
      startFromHead: true,
    });
    expect(stream.requests[1]).not.toHaveProperty('nextToken');
  });

  it('follows pages and forward tokens, printing every line once, in order', async () => {
    const { follower, printed } = follow();
    stream.write(...Array.from({ length: 8 }, (_, i) => `line ${i}`));
    await follower.read();
    expect(printed).toEqual(Array.from({ length: 8 }, (_, i) => `line ${i}`));
    // Two full pages of 3 and a partial one of 2: the partial page ends the read (the next read
    // goes on from its token, and gets that token back while nothing new arrived).
    expect(stream.requests.map((request) => request.nextToken)).toEqual([undefined, 'f/3', 'f/6']);
    expect(stream.requests.every((request) => request.limit === 3)).toBe(true);
    expect(await follower.read()).toEqual({ exists: true, moved: false });
    expect(stream.requests.at(-1)?.nextToken).toBe('f/8');
    stream.write('line 8', 'line 9');
    await follower.read();
    expect(printed.slice(8)).toEqual(['line 8', 'line 9']);
    expect(new Set(printed).size).toBe(printed.length);
    expect(follower.count).toBe(10);
  });

  it('reads on past an empty page whose token moved', async () => {
    const { follower, printed } = follow();
    stream.write('a', 'b', 'c', 'd');
    stream.emptyPagesAt.add(3);
    await follower.read();
    expect(printed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the last lines for the summary', async () => {
    const { follower } = follow(2);
    stream.write('x', 'y', 'z');
    await follower.read();
    expect(follower.tail()).toEqual(['y', 'z']);
  });

  it('drains lines that arrive after the task stopped, until the token stays put', async () => {
    const { follower, printed } = follow();
    stream.write('migrating');
    await follower.read();
    const clock = fakeClock();
    let late = ['applied 0042_notes', 'done'];
    const sleep = async (ms: number) => {
      await clock.sleep(ms);
      // The awslogs driver flushes its last lines a moment after the container exited.
      if (late.length > 0) stream.write(late.shift() as string);
    };
    await follower.drain({ sleep, now: clock.now, settleMs: 3_000, intervalMs: 1_000 });
    expect(printed).toEqual(['migrating', 'applied 0042_notes', 'done']);
    // It stopped only after 3 s in which the token did not move.
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(3_000 + 2_000);
    late = [];
  });

  it('gives up draining at the deadline', async () => {
    const { follower } = follow();
    stream.write('x');
    const clock = fakeClock();
    const until = clock.now() + 2_500;
    let n = 0;
    await follower.drain({
      sleep: async (ms) => {
        await clock.sleep(ms);
        stream.write(`chatty ${n++}`);
      },
      now: clock.now,
      settleMs: 60_000,
      until,
    });
    expect(clock.now()).toBeLessThanOrEqual(until + 1);
  });

  it('passes other errors on', async () => {
    logs.on(GetLogEventsCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform: logs:GetLogEvents',
      }),
    );
    const { follower } = follow();
    await expect(follower.read()).rejects.toThrow(/logs:GetLogEvents/);
  });
});

describe('tailLogStream', () => {
  it('returns the newest lines, oldest first, and nothing for a missing stream', async () => {
    const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
    expect(await tailLogStream({ logs: client, location, lines: 2 })).toEqual([]);
    stream.write('1', '2', '3');
    expect(await tailLogStream({ logs: client, location, lines: 2 })).toEqual(['2', '3']);
    expect(stream.requests.at(-1)).toMatchObject({ startFromHead: false, limit: 2 });
  });
});

const taskDefinition: TaskDefinition = {
  family: 'app',
  revision: 7,
  containerDefinitions: [
    {
      name: 'migrate',
      image: 'app:v2',
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/app',
          'awslogs-region': 'eu-west-1',
          'awslogs-stream-prefix': 'migrate',
        },
      },
    },
    {
      name: 'no-prefix',
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } },
    },
    { name: 'splunk', logConfiguration: { logDriver: 'splunk', options: {} } },
    { name: 'silent' },
  ],
};

describe('logStreamOf', () => {
  it('names the stream <prefix>/<container>/<task id> in the awslogs group and region', () => {
    const taskId = taskIdOf('arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d');
    expect(taskId).toBe('0a1b2c3d');
    expect(taskIdOf('arn:aws:ecs:eu-west-1:123456789012:task/0a1b2c3d')).toBe('0a1b2c3d');
    expect(
      logStreamOf({ taskDefinition, container: 'migrate', taskId, region: 'us-east-1' }),
    ).toEqual(location);
  });

  it('says why a container cannot be followed', () => {
    const [, noPrefix, splunk, silent] = taskDefinition.containerDefinitions ?? [];
    expect(
      logStreamOf({ taskDefinition, container: 'no-prefix', taskId: 'x', region: 'eu-west-1' }),
    ).toBeUndefined();
    expect(logConfigurationProblem(noPrefix!)).toMatch(/no awslogs-stream-prefix/);
    expect(logConfigurationProblem(splunk!)).toMatch(/splunk driver/);
    expect(logConfigurationProblem(silent!)).toMatch(/no logConfiguration/);
  });

  it('links to the stream in the CloudWatch console', () => {
    expect(logConsoleUrl(location)).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fapp/log-events/migrate$252Fmigrate$252F0a1b2c3d',
    );
  });
});
