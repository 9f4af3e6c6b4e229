/** The logging contract the node's parts use; pino loggers satisfy it. */
export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  /** A logger adding `bindings` to every line (pino's `child`). */
  child?(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => undefined;
export const silentLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };

/** The logger of one node module: `{module}` on every line when the logger supports children. */
export function moduleLogger(log: Logger, module: string): Logger {
  return log.child ? log.child({ module }) : log;
}
