/**
 * How a failure reads on a person's terminal: a title, the message, and `Fix:` with one thing to
 * do. The toolkit's describeError knows the AWS error families; its hints speak of workflows and
 * deploy roles, so the credential ones are reworded here for someone at a laptop.
 */
import { awsErrorCode, describeError } from '../../../actions/common/src/errors.js';

export interface Report {
  title: string;
  message: string;
  hint?: string;
}

const CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);

export function reportOf(error: unknown, options: { profile?: string } = {}): Report {
  const described = describeError(error);
  const code = awsErrorCode(error);
  const login = options.profile
    ? `aws sso login --profile ${options.profile} (or refresh that profile's keys)`
    : 'aws sso login --profile <profile> and pass --profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID';
  if (code !== undefined && CREDENTIALS.has(code)) {
    return {
      title: 'No valid AWS credentials',
      message: described.message,
      hint: `Log in: ${login}. Check with: aws sts get-caller-identity${options.profile ? ` --profile ${options.profile}` : ''}`,
    };
  }
  if (code !== undefined && EXPIRED.has(code)) {
    return {
      title: 'AWS credentials expired',
      message: described.message,
      hint: `Log in again: ${login}.`,
    };
  }
  if (described.title.startsWith('Access denied')) {
    return {
      title: described.title,
      message: described.message,
      hint: 'Your credentials lack the permission named above; ask for it (tools/db-tunnel/README.md lists what db-tunnel calls), or use a profile that has it.',
    };
  }
  return {
    title: described.title,
    message: described.message,
    ...(described.hint ? { hint: described.hint } : {}),
  };
}

export function formatReport(report: Report): string[] {
  return [
    `Error: ${report.title}`,
    ...report.message.split('\n').map((line) => `  ${line}`),
    ...(report.hint ? [`  Fix: ${report.hint}`] : []),
  ];
}
