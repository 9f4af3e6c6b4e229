/**
 * Loggers for tests. They fit the validator's logging contract (`Logger` in its util/logger.ts,
 * which every layer writes to): level methods taking an object and a message.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One recorded line. */
export interface LogLine {
  level: LogLevel;
  obj: Record<string, unknown>;
  msg: string;
}

type LevelMethod = (obj: Record<string, unknown>, msg?: string) => void;

export interface RecordingLogger {
  /** Every line so far, in order. */
  lines: LogLine[];
  debug: LevelMethod;
  info: LevelMethod;
  warn: LevelMethod;
  error: LevelMethod;
}

/** A logger that records every line. */
export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const level =
    (l: LogLevel): LevelMethod =>
    (obj, msg) => {
      lines.push({ level: l, obj, msg: msg ?? '' });
    };
  return { lines, debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}

const drop = (): void => undefined;

/** A logger that drops everything. */
export const quietLogger: Omit<RecordingLogger, 'lines'> = { debug: drop, info: drop, warn: drop, error: drop };
