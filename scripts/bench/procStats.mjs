// CPU time and memory of a process from /proc (Linux): utime+stime, VmRSS, VmHWM.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks;
function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU seconds (user + system) a process has used so far, or undefined when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** {rssMb, hwmMb} of a process (current and peak resident set), or undefined when it is gone. */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, /proc/stat), or undefined. */
export function machineBusySeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Bytes a process has read from and written to storage so far (/proc/<pid>/io), or undefined. */
export function io(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
  } catch {
    return undefined;
  }
}

/** Samples the RSS of processes every `intervalMs` until stopped: shows whether memory stays flat. */
export class RssSampler {
  #timer;
  /** pid -> [{t, rssMb}] */
  samples = new Map();

  constructor(pids, intervalMs = 1000) {
    for (const pid of pids) this.samples.set(pid, []);
    const t0 = Date.now();
    const take = () => {
      for (const pid of this.samples.keys()) {
        const m = memory(pid);
        if (m) this.samples.get(pid).push({ t: (Date.now() - t0) / 1000, rssMb: m.rssMb });
      }
    };
    take();
    this.#timer = setInterval(take, intervalMs);
    this.#timer.unref();
  }

  stop() {
    clearInterval(this.#timer);
  }
}
