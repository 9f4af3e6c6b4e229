/** Structured JSON logs (pino): one line per event, machine-readable, with level labels. */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Levels accepted by `createLogger`, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A pino logger writing JSON lines to stdout (or `destination`), with `bindings` on every line.
 * Keys named privateKey are redacted wherever they appear, so logging options cannot leak a key.
 */
export function createLogger(
  level: string = 'info',
  bindings: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Labels ("info") rather than numbers (30): the logs are read by people as often as by tools.
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: ['privateKey', '*.privateKey', '*.*.privateKey'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
