/** The logger the API layer writes to (pino's level methods fit it); silent by default. */
export interface ApiLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

const noop = (): void => {};

/** A logger that drops everything. */
export const silentLogger: ApiLogger = { info: noop, warn: noop, error: noop, debug: noop };
