/**
 * Ctrl-C, a closed terminal (SIGHUP) and `kill` (SIGTERM) end the tunnel the same way: the
 * session first, then the task. The first signal aborts whatever is waiting (the wait for the
 * task, the session) so that the `finally` that stops the task runs; a second one while that
 * cleanup runs exits at once, after saying how the task ends without us.
 */

export type SignalSource = {
  on(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
};

export const TUNNEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface Interrupt {
  /** Aborts on the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Called on every signal (forwarding it to the session's process). */
  onSignal(handler: (signal: NodeJS.Signals) => void): void;
  /** What to say and do on a second signal: the cleanup is abandoned. */
  onSecondSignal(handler: () => void): void;
  dispose(): void;
}

export function listenForInterrupt(source: SignalSource): Interrupt {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handlers: ((signal: NodeJS.Signals) => void)[] = [];
  let second: (() => void) | undefined;
  const listener = (signal: NodeJS.Signals): void => {
    if (first === undefined) {
      first = signal;
      controller.abort(new InterruptedError(signal));
    } else {
      second?.();
    }
    for (const handler of handlers) handler(signal);
  };
  for (const signal of TUNNEL_SIGNALS) source.on(signal, listener);
  return {
    signal: controller.signal,
    received: () => first,
    onSignal: (handler) => handlers.push(handler),
    onSecondSignal: (handler) => {
      second = handler;
    },
    dispose: () => {
      for (const signal of TUNNEL_SIGNALS) source.off(signal, listener);
    },
  };
}

export class InterruptedError extends Error {
  constructor(readonly received: NodeJS.Signals) {
    super(`Interrupted (${received}).`);
    this.name = 'InterruptedError';
  }
}

/** The exit code a shell expects after a signal: 128 + its number (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  return 128 + (numbers[signal] ?? 2);
}

/** A sleep that ends early (rejecting) when the signal aborts. */
export function abortableSleep(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
}
