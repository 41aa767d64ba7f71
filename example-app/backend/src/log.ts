/**
 * One JSON line per event on stdout (CloudWatch Logs keeps each line as one event). The logger is
 * pino, the one Fastify uses, so request lines and application events share a shape.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout unless a test collects them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'notes-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: nothing logs these on purpose, and a stray object must not leak them.
      redact: {
        // An AWS SDK error's $response is the raw HTTP answer (from GetSecretValue: the secret).
        paths: [
          'password',
          '*.password',
          'req.headers',
          'headers',
          'secretString',
          'SecretString',
          '*.SecretString',
          'err.$response',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
