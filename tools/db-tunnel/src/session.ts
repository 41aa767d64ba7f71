/**
 * The `aws ssm start-session` command line for port forwarding to a remote host through the
 * tunnel task. Pure: argv building and quoting only (the child process is session-process.ts).
 *
 * StartSession: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html
 * (Target, DocumentName, Parameters: a map of parameter name to a LIST of strings, Reason up to
 * 256 characters). The document AWS-StartPortForwardingSessionToRemoteHost takes `host`,
 * `portNumber` (the remote port) and `localPortNumber`:
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-sessions-start.html#sessions-remote-port-forwarding
 * The AWS CLI hands the session to the session-manager-plugin, which listens on the local port.
 */

export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

export interface PortForwarding {
  /** The database host as the task resolves it (the Aurora writer endpoint). */
  host: string;
  remotePort: number;
  localPort: number;
}

/** `--parameters` JSON: every value a one-element list of strings, as the document's schema has it. */
export function portForwardingParameters(forwarding: PortForwarding): string {
  return JSON.stringify({
    host: [forwarding.host],
    portNumber: [String(forwarding.remotePort)],
    localPortNumber: [String(forwarding.localPort)],
  });
}

export interface StartSessionOptions extends PortForwarding {
  target: string;
  region: string;
  profile?: string;
  /** Shown in Session Manager's history and CloudTrail: who opened it and why. */
  reason?: string;
}

/** The arguments after `aws`. Passed as an argv array (no shell), so the JSON needs no quoting. */
export function startSessionArgv(options: StartSessionOptions): string[] {
  return [
    'ssm',
    'start-session',
    '--target',
    options.target,
    '--document-name',
    PORT_FORWARDING_DOCUMENT,
    '--parameters',
    portForwardingParameters(options),
    ...(options.reason ? ['--reason', sessionReason(options.reason)] : []),
    '--region',
    options.region,
    ...(options.profile ? ['--profile', options.profile] : []),
  ];
}

/**
 * StartSession's Reason: at most 256 characters of `^.{1,256}$`; a line break would not match
 * (`.` stops at one), so whitespace runs become one space.
 */
export function sessionReason(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 256);
}

/**
 * One argv as a POSIX shell line (bash, zsh), for `--print` and for error messages: words that
 * need it go in single quotes, a single quote inside one as '\''.
 */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

export function shellWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
