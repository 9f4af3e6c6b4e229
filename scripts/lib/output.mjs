// Child output for humans: each line prefixed with the process name, pino JSON made readable.
import { createInterface } from 'node:readline';

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93];
const LEVEL_COLORS = { fatal: 41, error: 31, warn: 33, info: 32, debug: 90, trace: 90 };
const HIDDEN = new Set(['level', 'time', 'pid', 'nodeId', 'msg', 'hostname']);

/** A short readable form of a pino JSON line (other lines are returned unchanged). */
export function formatLogLine(line, { color = false } = {}) {
  if (!line.startsWith('{')) return line;
  let o;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof o !== 'object' || o === null || typeof o.msg !== 'string') return line;
  const time =
    typeof o.time === 'string'
      ? o.time.slice(11, 23)
      : typeof o.time === 'number'
        ? new Date(o.time).toISOString().slice(11, 23)
        : '';
  const level = String(o.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const lvl = color && LEVEL_COLORS[o.level] ? `\x1b[${LEVEL_COLORS[o.level]}m${level}\x1b[0m` : level;
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object') return `err=${JSON.stringify(v.message ?? v)}`;
      return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    });
  return [time, lvl, o.msg, ...fields].filter((s) => s !== '').join(' ');
}

/** The prefix of the i-th process: its name padded, colored on a terminal. */
export function processPrefix(name, index, { width = name.length, color = false } = {}) {
  const label = `${name.padEnd(width)} |`;
  return color ? `\x1b[${COLORS[index % COLORS.length]}m${label}\x1b[0m` : label;
}

/** Write every line of `stream` as `prefix line` through `write` (pretty: pino lines made readable). */
export function pipeLines(stream, prefix, write, { pretty = true, color = false } = {}) {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => write(`${prefix} ${pretty ? formatLogLine(line, { color }) : line}\n`));
  return rl;
}
