/** Collects what the logger writes, one parsed JSON object per line, as stdout would get it. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

export interface CollectedLog {
  log: Logger;
  /** Every line as written (to look for leaked secrets). */
  text(): string;
  lines(): Record<string, unknown>[];
}

export function collectLog(): CollectedLog {
  let buffer = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      buffer += String(chunk);
      done();
    },
  });
  return {
    log: createLogger({ level: 'info', destination }),
    text: () => buffer,
    lines: () =>
      buffer
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
