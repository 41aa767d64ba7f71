/**
 * Runs `aws ssm start-session ...` as a child process the person watches: stdin and stdout are the
 * terminal's own (the plugin prints "Port 3306 opened for sessionId ..." and "Waiting for
 * connections..."), stderr goes to the terminal too but is also kept, so that a failure
 * (TargetNotConnectedException, "SessionManagerPlugin is not found") can be recognised afterwards
 * (session-failures.ts). No shell: the argv goes to the CLI as it is.
 */
import { spawn } from 'node:child_process';

export interface SessionOutcome {
  /** The CLI's exit code; null when it ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it wrote to stderr (the last 64 KiB). */
  stderr: string;
}

export interface RunningSession {
  /** Forwards a signal to the CLI (which hands it to the plugin, which ends the session). */
  kill(signal: NodeJS.Signals): void;
  done: Promise<SessionOutcome>;
}

const KEEP = 64 * 1024;

export function startSessionProcess(options: {
  command: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Where the child's stderr is echoed (the terminal's stderr). */
  echo: (chunk: Buffer) => void;
}): RunningSession {
  const child = spawn(options.command, [...options.argv], {
    env: options.env,
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    options.echo(chunk);
    stderr = (stderr + chunk.toString('utf8')).slice(-KEEP);
  });
  const done = new Promise<SessionOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // spawn itself failed: the CLI vanished from PATH after the preflight, or is not executable.
      resolve({ code: 127, signal: null, stderr: `${stderr}${error.code ?? ''} ${error.message}` });
    });
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return {
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    done,
  };
}
