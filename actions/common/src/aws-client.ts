/**
 * One factory for every AWS client the actions create, so that region, retries, user agent and
 * local endpoints (moto, LocalStack) behave the same in all of them.
 */
import type { Deadline } from './context.js';
import { InputError, TimeoutError } from './errors.js';
import { regionPartition } from './partitions.js';
import { TOOLKIT_NAME, TOOLKIT_VERSION } from './version.js';

/**
 * The service part of `AWS_ENDPOINT_URL_<SERVICE>`, as the AWS SDKs spell it (the service id,
 * upper-case, spaces to underscores).
 */
export type ServiceEnvId =
  | 'CLOUDFORMATION'
  | 'S3'
  | 'CLOUDFRONT'
  | 'ECS'
  | 'ECR'
  | 'CLOUDWATCH_LOGS'
  | 'STS'
  | 'SECRETS_MANAGER'
  | 'ELASTIC_LOAD_BALANCING_V2'
  | 'EC2'
  | 'SSM';

export interface ClientContext {
  /** The action's name, sent in the user agent so CloudTrail shows which step made a call. */
  action: string;
  /** The `aws-region` input; falls back to AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The step's deadline (`context.deadline`). Given, every request the client sends is bound to
   * it, with no `abortSignal` to pass at each call: a request still waiting when the deadline
   * passes is aborted and fails as a `RequestTimedOut` naming the call; one started after it (the
   * clean-up a failed step does: saving what was done, stopping what it started) gets
   * `AFTER_DEADLINE_MS` more, then is stopped the same way. A signal the caller passes (a cancel)
   * still aborts the request too, with its own error.
   */
  deadline?: Pick<Deadline, 'signal' | 'budgetMs'>;
  /** The window for requests started after the deadline; tests shorten it. */
  afterDeadlineMs?: number;
}

/**
 * How long requests started after the deadline may take, all together: inside run-main's hard
 * stop (DEADLINE_GRACE_MS, 30 s after the deadline), so a clean-up call to a frozen endpoint ends
 * as a named timeout before the step is stopped without one.
 */
export const AFTER_DEADLINE_MS = 20_000;

/** A request the step's deadline stopped: a timeout (so reported as one) that names the call. */
export class RequestTimedOut extends TimeoutError {
  constructor(
    /** The client's service, e.g. `S3`, `CloudFront`. */
    readonly service: string,
    /** The API operation, e.g. `HeadBucket`. */
    readonly operation: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestTimedOut';
  }
}

/** The shape of config every v3 client accepts that this factory sets. */
export interface FactoryClientConfig {
  region: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: [string, string][];
  endpoint?: string;
  forcePathStyle?: boolean;
}

export function resolveRegion(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const region = input || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError(
      'aws-region',
      '',
      'a region such as eu-west-1: set the aws-region input, or AWS_REGION (aws-actions/configure-aws-credentials sets it)',
    );
  }
  // Every region of the SDK's partition table, or of a partition's region pattern, and no other:
  // a typo would otherwise reach the SDK, which assumes the commercial partition for any name.
  if (!regionPartition(region)) {
    throw new InputError(
      'aws-region',
      region,
      'a region name such as eu-west-1, us-gov-west-1, cn-north-1 or eusc-de-east-1',
    );
  }
  return region;
}

/** The endpoint for one service: its own variable first, then the global one; undefined for AWS itself. */
export function endpointFor(
  service: ServiceEnvId,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

export function clientConfig(service: ServiceEnvId, context: ClientContext): FactoryClientConfig {
  const env = context.env ?? process.env;
  const endpoint = endpointFor(service, env);
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    region: resolveRegion(context.region, env),
    // Adaptive retries also slow the client down when AWS throttles, which matters for
    // actions that fan out (uploads, event polling) rather than only backing off.
    retryMode: 'adaptive',
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 8,
    customUserAgent: [
      [TOOLKIT_NAME, TOOLKIT_VERSION],
      ['action', context.action],
    ],
    ...(endpoint ? { endpoint } : {}),
    // A local endpoint such as http://127.0.0.1:5000 has no DNS for <bucket>.127.0.0.1, so S3
    // must address buckets by path whenever an endpoint is set.
    ...(endpoint && service === 'S3' ? { forcePathStyle: true } : {}),
  };
}

/** Creates a client of any v3 service with the toolkit's configuration. */
export function createClient<Client, Config>(
  ClientClass: new (...config: [] | [Config]) => Client,
  service: ServiceEnvId,
  context: ClientContext,
  extra: Partial<Config> = {},
): Client {
  const client = new ClientClass({
    ...(clientConfig(service, context) as unknown as Config),
    ...extra,
  });
  if (context.deadline) {
    bindToDeadline(client as unknown as BindableClient, {
      service,
      deadline: context.deadline,
      afterDeadlineMs: context.afterDeadlineMs ?? AFTER_DEADLINE_MS,
      endpoint: endpointFor(service, context.env ?? process.env),
    });
  }
  return client;
}

/** The part of every v3 client the deadline binding uses. */
interface BindableClient {
  send(command: unknown, options?: unknown, callback?: unknown): Promise<unknown>;
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Why a per-call abort signal and not the request handler's timeouts: `requestTimeout` alone only
 * logs a warning and the request keeps hanging; with `throwOnRequestTimeout` it is a TimeoutError
 * the SDK retries (up to maxAttempts, 8 here), so a stuck call would take eight timeouts. An
 * aborted request is not retried, and the SDK also ends its retry back-off on the same signal
 * (smithy's retry middleware races its delays against the call's abortSignal). Measured against a
 * server that never answers (actions/common/test/aws-client.test.ts). `send(command, { abortSignal })`
 * is the v3 SDK's documented way to abort a request: "AbortController in modular AWS SDK for
 * JavaScript", https://aws.amazon.com/blogs/developer/abortcontroller-in-modular-aws-sdk-for-javascript/
 */
function bindToDeadline(
  client: BindableClient,
  options: {
    service: ServiceEnvId;
    deadline: Pick<Deadline, 'signal' | 'budgetMs'>;
    afterDeadlineMs: number;
    endpoint?: string;
  },
): void {
  const { deadline, service } = options;
  // The call's name is only known inside the middleware stack (bundles are minified, so a
  // command's class name is not it): the outermost step notes it on whatever error passes.
  const calls = new WeakMap<object, { service: string; operation: string }>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && context.commandName) {
          calls.set(error, {
            service: context.clientName?.replace(/Client$/, '') || service,
            operation: context.commandName.replace(/Command$/, ''),
          });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'threeTierDeployNamedTimeouts', override: true },
  );
  // One window for every request started after the deadline, from the moment it passed.
  const afterDeadline = new AbortController();
  const startWindow = (): void => {
    const timer = setTimeout(
      () => afterDeadline.abort(deadline.signal.reason),
      options.afterDeadlineMs,
    );
    timer.unref?.();
  };
  if (deadline.signal.aborted) startWindow();
  else deadline.signal.addEventListener('abort', startWindow, { once: true });

  const budget = formatBudget(deadline.budgetMs);
  const from = options.endpoint ?? 'AWS';
  const send = (command: unknown, given?: unknown, callback?: unknown): Promise<unknown> => {
    // Looked up at each call, so a test double installed on the class later is still used.
    const original = (Object.getPrototypeOf(client) as BindableClient).send;
    if (typeof given === 'function' || typeof callback === 'function') {
      return original.call(client, command, given, callback);
    }
    const late = deadline.signal.aborted;
    const bound = late ? afterDeadline.signal : deadline.signal;
    const own = (given as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    const signal = own && own !== deadline.signal ? AbortSignal.any([own, bound]) : bound;
    return original
      .call(client, command, { ...(given as object), abortSignal: signal })
      .catch((error: unknown) => {
        if (!bound.aborted || (error as { name?: string } | null)?.name !== 'AbortError') {
          throw error;
        }
        const named = calls.get(error as object) ?? { service, operation: 'request' };
        const call = `${named.service} ${named.operation}`;
        throw new RequestTimedOut(
          named.service,
          named.operation,
          late
            ? `${call}, sent after the step's timeout-minutes (${budget}) ran out, got no answer from ${from} within ${formatBudget(options.afterDeadlineMs)}; the request was stopped.`
            : `${call} got no answer from ${from} before the step's timeout-minutes (${budget}) ran out; the request was stopped.`,
        );
      });
  };
  client.send = send;
}

function formatBudget(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}` : `${s}s`;
}
