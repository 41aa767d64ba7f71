/**
 * Preflight on this machine: the AWS CLI and the Session Manager plugin on PATH (the CLI runs the
 * plugin by that name and fails late with "SessionManagerPlugin is not found" otherwise), and the
 * local port free on 127.0.0.1 (the plugin would fail only after the task was started).
 *
 * Plugin install: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html
 * CLI install: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { CheckResult } from './checks.js';

export const CLI_INSTALL_URL =
  'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html';
export const PLUGIN_INSTALL_URL =
  'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';

export interface PathLookup {
  /** PATH as the child process will see it. */
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** True for an executable file (tests pass a fake file system). */
  isExecutable?: (file: string) => boolean;
}

/** The first `name` on PATH that is an executable file, as the shell would find it; undefined when none. */
export function findOnPath(name: string, lookup: PathLookup): string | undefined {
  const platform = lookup.platform ?? process.platform;
  const isExecutable = lookup.isExecutable ?? executableFile;
  const separator = platform === 'win32' ? ';' : ':';
  const pathValue = lookup.env.PATH ?? lookup.env.Path ?? '';
  // Windows finds `aws` as aws.exe or aws.cmd through PATHEXT; elsewhere the name is exact.
  const extensions =
    platform === 'win32'
      ? (lookup.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)
      : [''];
  for (const dir of pathValue.split(separator)) {
    if (dir === '') continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension.toLowerCase());
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function executableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function checkLocalTools(lookup: PathLookup): CheckResult[] {
  const aws = findOnPath('aws', lookup);
  const plugin = findOnPath('session-manager-plugin', lookup);
  return [
    aws
      ? { name: 'AWS CLI', status: 'ok', detail: aws }
      : {
          name: 'AWS CLI',
          status: 'failed',
          detail: 'no `aws` on PATH',
          fix: `install the AWS CLI v2 (${CLI_INSTALL_URL}) and open a new terminal.`,
        },
    plugin
      ? { name: 'Session Manager plugin', status: 'ok', detail: plugin }
      : {
          name: 'Session Manager plugin',
          status: 'failed',
          detail: 'no `session-manager-plugin` on PATH (the AWS CLI needs it for start-session)',
          fix: `install it (macOS: brew install --cask session-manager-plugin; others: ${PLUGIN_INSTALL_URL}), then check with session-manager-plugin --version.`,
        },
  ];
}

/**
 * Whether something already listens on 127.0.0.1:port, found by listening there ourselves for a
 * moment. A local MySQL on 3306 is the usual one.
 */
export async function checkLocalPort(port: number): Promise<CheckResult> {
  const name = `local port ${port}`;
  const problem = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(undefined));
    });
  });
  if (!problem) return { name, status: 'ok', detail: `free on 127.0.0.1` };
  const next = port < 65535 ? port + 1 : port - 1;
  if (problem.code === 'EADDRINUSE') {
    return {
      name,
      status: 'failed',
      detail: `something on this machine already listens on 127.0.0.1:${port} (a local MySQL?)`,
      fix: `pass --local-port ${port === 3306 ? 3307 : next} (and use that port in Workbench), or stop what uses ${port}.`,
    };
  }
  if (problem.code === 'EACCES') {
    return {
      name,
      status: 'failed',
      detail: `this user may not listen on port ${port} (ports below 1024 need privileges)`,
      fix: 'pass --local-port 3306 or any port from 1024 up.',
    };
  }
  return {
    name,
    status: 'failed',
    detail: `cannot listen on 127.0.0.1:${port}: ${problem.code ?? problem.message}`,
    fix: 'pass another --local-port.',
  };
}
