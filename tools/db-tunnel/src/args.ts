/**
 * The command line: `db-tunnel --environment prod [--region] [--profile] [--local-port 3306]
 * [--ttl 1h] [--print]`. Parsed with node:util parseArgs (strict: an unknown or misspelt flag is
 * refused, never ignored), then every value is checked by the toolkit's own input readers, so
 * `--ttl 2d` fails the way a bad `timeout-minutes` input does: naming the flag, what was given and
 * what is accepted, before any AWS call.
 */
import { parseArgs } from 'node:util';
import { Inputs } from '../../../actions/common/src/inputs.js';
import type { DatabaseUser } from './environment.js';

export const TOOL_NAME = 'db-tunnel';

/** ECS Exec's agent and the session need a few minutes at most; a day-long tunnel is a forgotten one. */
export const TTL = { defaultMs: 60 * 60_000, minMs: 5 * 60_000, maxMs: 12 * 60 * 60_000 };
/** How long the task may take to be RUNNING with its agent up (image pull, ENI, agent start). */
export const START_TIMEOUT = { defaultMs: 5 * 60_000, minMs: 30_000, maxMs: 30 * 60_000 };

export interface TunnelArguments {
  /** The environment's name: stacks `<env>-app` and `<env>-data`. */
  environment: string;
  region?: string;
  profile?: string;
  /** The port on 127.0.0.1 that MySQL Workbench connects to. */
  localPort: number;
  /** How long the tunnel task lives at most, even when this laptop goes away. */
  ttlMs: number;
  startTimeoutMs: number;
  /** The container of the service's task definition to start the tunnel in (default: the app stack's ContainerName). */
  container?: string;
  /** Which MySQL user the Workbench settings are for: the master user (default) or the app's. */
  user: DatabaseUser;
  /** Print the task and the start-session command instead of starting anything. */
  print: boolean;
}

export type ParsedCommandLine =
  { kind: 'run'; arguments: TunnelArguments } | { kind: 'help' } | { kind: 'version' };

/** A command line that cannot be read at all (unknown flag, missing value): exit code 2 with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const OPTIONS = {
  environment: { type: 'string', short: 'e' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'local-port': { type: 'string', short: 'p' },
  ttl: { type: 'string' },
  'start-timeout': { type: 'string' },
  container: { type: 'string' },
  user: { type: 'string' },
  print: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export const USAGE = `Usage: ${TOOL_NAME} --environment <name> [options]

Opens a tunnel from 127.0.0.1 on this machine to the environment's Aurora writer, through a
short-lived ECS task started from the API service's current revision (ECS Exec + Session Manager
port forwarding). Uses your own AWS credentials (profile, SSO or environment variables).

Options:
  -e, --environment <name>   environment name: the stacks <name>-app and <name>-data (required)
      --region <region>      AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)
      --profile <name>       AWS profile from ~/.aws/config (default: AWS_PROFILE, then the default chain)
  -p, --local-port <port>    port on 127.0.0.1 for MySQL Workbench (default: 3306)
      --ttl <duration>       the tunnel task ends itself after this long: 30m, 1h, 1h30m; a bare
                             number is minutes (default: 1h, from 5m to 12h)
      --start-timeout <d>    how long to wait for the task and its ECS Exec agent (default: 5m)
      --container <name>     container to start the tunnel in (default: the app stack's ContainerName)
      --user master|app      whose Workbench settings and secret to print: the master user (default)
                             or the application's own user (its schema only)
      --print                print the task it would start and the aws ssm start-session command; start nothing
  -h, --help                 this text
      --version              the toolkit version

Needs the AWS CLI and the Session Manager plugin on PATH. Ctrl-C ends the session and stops the task.`;

/** Reads argv (without `node` and the script). */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    // parseArgs' own messages are clear ("Unknown option '--tll'"); keep them, drop its advice
    // about `--` which means nothing to a person here.
    const message = (error as Error).message.split('. To specify')[0] ?? String(error);
    throw new UsageError(message);
  }
  const values = parsed.values;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') given[`--${name}`] = value.trim();
  }
  const inputs = new Inputs((name) => given[name] ?? '');
  // The templates' EnvironmentName: a letter, then letters and digits with single hyphens, 2-20.
  const environment = inputs.matching(
    '--environment',
    /^(?=.{2,20}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
    'the environment name the stacks were deployed with: 2-20 lower-case letters and digits, starting with a letter, single hyphens between (prod, staging, eu-1)',
    { required: true },
  ) as string;
  const region = inputs.matching(
    '--region',
    /^[a-z]{2}(-[a-z]+)+-\d$/,
    'a region name such as eu-west-1 or us-east-1',
  );
  const profile = inputs.matching(
    '--profile',
    /^[A-Za-z0-9_.@+=,/-]+$/,
    'a profile name from ~/.aws/config',
  );
  const localPort = inputs.integer('--local-port', { default: 3306, min: 1, max: 65535 }) as number;
  const ttlMs = parseTtl(given['--ttl'] ?? '');
  const startTimeoutMs = inputs.duration('--start-timeout', {
    default: START_TIMEOUT.defaultMs,
    bareUnit: 'minutes',
    min: START_TIMEOUT.minMs,
    max: START_TIMEOUT.maxMs,
  });
  const container = inputs.matching(
    '--container',
    /^[A-Za-z0-9_-]{1,255}$/,
    "a container name of the service's task definition (letters, digits, hyphens, underscores)",
  );
  const user = inputs.choice('--user', ['master', 'app'] as const, 'master');
  return {
    kind: 'run',
    arguments: {
      environment,
      ...(region ? { region } : {}),
      ...(profile ? { profile } : {}),
      localPort,
      ttlMs,
      startTimeoutMs,
      ...(container ? { container } : {}),
      user,
      print: values.print === true,
    },
  };
}

/**
 * `--ttl`: `45m`, `1h`, `1h30m`, `90s`, or a bare number of minutes; 5 minutes to 12 hours.
 * Rounded up to whole seconds, since the task's own clock is `sleep <seconds>`.
 */
export function parseTtl(value: string): number {
  const inputs = new Inputs((name) => (name === '--ttl' ? value.trim() : ''));
  const ms = inputs.duration('--ttl', {
    default: TTL.defaultMs,
    bareUnit: 'minutes',
    min: TTL.minMs,
    max: TTL.maxMs,
  });
  return Math.ceil(ms / 1000) * 1000;
}
