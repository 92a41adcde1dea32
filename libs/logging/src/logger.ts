import pino, { type Logger } from 'pino';
import { secretScrubber } from './secret-scrubber';

/** Field paths whose values are secrets wherever they appear. */
export const REDACTED_PATHS = [
  'key',
  'apiKey',
  'api_key',
  'secret',
  'token',
  'adminToken',
  'authorization',
  'password',
  '*.key',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.password',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-goog-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'target.apiKey',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** A file to append JSON lines to instead of stdout (tests scan it for leaks). */
  file?: string;
}

/** The one logger of a service: JSON lines, secrets redacted by path and scrubbed by value, written asynchronously. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = pino.destination({ dest: options.file ?? 1, sync: false, mkdir: true, minLength: 0 });
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => secretScrubber.scrubValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => secretScrubber.scrubValue(arg)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
      serializers: { err: (err: unknown) => secretScrubber.scrubValue(err) },
    },
    destination,
  );
}

export type { Logger } from 'pino';
