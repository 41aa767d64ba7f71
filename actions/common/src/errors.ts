/**
 * Error types every action shares, and the one place that turns any thrown value into the
 * titled, actionable message the user reads in the run's annotations and summary.
 */

/**
 * A bad action input. Raised while reading inputs, so always before any AWS call. `given` is
 * undefined for inputs that may carry secrets (parameter maps): the message then does not repeat
 * the value, since it cannot be masked before it has been parsed.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly given: string | undefined,
    readonly accepted: string,
  ) {
    const got =
      given === undefined ? 'a value not repeated here (it may hold secrets)' : quote(given);
    super(`Input '${input}': got ${got}; expected ${accepted}.`);
    this.name = 'InputError';
  }
}

/** A failure the action understood: it carries a title for the annotation and a fix. */
export class ActionError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/** A wait that ran out of time. A timeout is always a failure, never a success. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export interface ErrorReport {
  title: string;
  message: string;
  hint?: string;
  /** The AWS error code (the exception's name), when the error came from AWS. */
  code?: string;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/**
 * Describes any thrown value for a human. `resource` names what the action was working on
 * (a stack, a bucket) so that an AWS error that does not say it still points somewhere.
 */
export function describeError(error: unknown, resource?: string): ErrorReport {
  if (error instanceof InputError) {
    return { title: `Invalid input: ${error.input}`, message: error.message };
  }
  if (error instanceof ActionError) {
    return { title: error.title, message: error.message, hint: error.hint };
  }
  if (error instanceof TimeoutError) {
    return {
      title: 'Timed out',
      message: error.message,
      hint: 'Raise the timeout input if the operation is known to be slow, or look at the events above for what is stuck.',
    };
  }
  if (!(error instanceof Error)) {
    return { title: 'Unexpected failure', message: String(error) };
  }
  const code = awsErrorCode(error);
  if (code === undefined) {
    return { title: 'Unexpected failure', message: error.message };
  }
  const where = resource ? ` (${resource})` : '';
  if (ACCESS_DENIED.has(code)) {
    const denied = /not authorized to perform:?\s*([\w-]+:[\w*-]+)/i.exec(error.message)?.[1];
    const on = /on resource:?\s*(\S+)/i.exec(error.message)?.[1];
    return {
      code,
      title: `Access denied${denied ? `: ${denied}` : ''}`,
      message: `${code}${where}: ${error.message}`,
      hint: denied
        ? `Allow ${denied}${on ? ` on ${on}` : ''} in the policy of the role this workflow assumes (cloudformation/github-oidc.yaml grants what the pipeline needs).`
        : 'The role this workflow assumes lacks a permission; its policy must allow the call named above.',
    };
  }
  if (EXPIRED.has(code)) {
    return {
      code,
      title: 'AWS credentials expired',
      message: `${code}${where}: ${error.message}`,
      hint: 'The credentials ran out before the step finished. Raise role-duration-seconds in aws-actions/configure-aws-credentials, or configure credentials closer to this step.',
    };
  }
  if (BAD_CREDENTIALS.has(code)) {
    return {
      code,
      title: 'No valid AWS credentials',
      message: `${code}${where}: ${error.message}`,
      hint: 'Add aws-actions/configure-aws-credentials (OIDC role) before this step, and check that the role and region are right.',
    };
  }
  if (THROTTLED.has(code)) {
    return {
      code,
      title: 'AWS throttled the requests',
      message: `${code}${where}: ${error.message}`,
      hint: 'AWS kept throttling after the SDK retried. Lower the concurrency input or run the step again later.',
    };
  }
  return { code, title: `AWS error: ${code}`, message: `${code}${where}: ${error.message}` };
}

/** The AWS error code of an SDK v3 exception (its `name`), or undefined for other errors. */
export function awsErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const meta = (error as { $metadata?: unknown }).$metadata;
  if (meta !== undefined || error.name === 'CredentialsProviderError') return error.name;
  return undefined;
}

/**
 * The message of any thrown value, for a log line or a wrapping error: an Error's message, a
 * string as it is, anything else as JSON (or its String form when JSON cannot show it).
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** True for an AWS exception with one of the given codes. */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && codes.includes(code);
}

function quote(value: string): string {
  if (value === '') return 'nothing';
  const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value;
  return JSON.stringify(shown);
}
