/** Reading a validator's JSON log file (pino, one record per line) from outside the process. */
import { readFileSync } from 'node:fs';

/** The records with message `msg` in a log file, from byte `fromByte` on (a restart's own lines). */
export function logRecords(logFile: string, msg: string, fromByte = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(logFile).subarray(fromByte).toString('utf8').split('\n')) {
    if (!line.includes(msg)) continue;
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      if (rec.msg === msg) out.push(rec);
    } catch {
      // not a log record
    }
  }
  return out;
}
