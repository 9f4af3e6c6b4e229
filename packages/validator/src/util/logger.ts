/**
 * Logging: the one contract every layer writes to (node, network, API), and the pino logger that
 * fulfils it in a validator: structured JSON, one line per event, machine-readable, with level labels.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** What every part of the validator logs through (`log.warn({ peer: 2 }, 'text')`); pino loggers satisfy it. */
export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  /** A logger adding `bindings` to every line (pino's `child`). */
  child?(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => undefined;

/** A logger that drops everything (the default of the parts built without one). */
export const silentLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };

/** The logger of one module: `{module}` on every line when the logger supports children. */
export function moduleLogger(log: Logger, module: string): Logger {
  return log.child ? log.child({ module }) : log;
}

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
): PinoLogger {
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
