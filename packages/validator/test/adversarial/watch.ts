/**
 * What every adversarial test measures on real validators while an attack runs: each watched
 * validator's /health latency and status (probed back to back) and its RSS (from
 * /proc/<pid>/status), so a test can assert that /health stayed fast and memory stayed bounded.
 */
import { readFileSync } from 'node:fs';
import type { TestNetwork } from '@poa-vote/test-utils';
import { sleep } from '@poa-vote/test-utils';

/** Resident set size of a process, MB (0 once it is gone). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface WatchFigures {
  id: string;
  baseRssMb: number;
  maxRssMb: number;
  maxHealthMs: number;
  p95HealthMs: number;
  probes: number;
  /** Probes that got no answer within 5 s. */
  healthFailures: number;
  /** Probes answered with a status other than 200. */
  non200: number;
}

const live = new Set<AttackWatch>();

/** Stop every watch still probing (a test that failed midway leaves its watch running). */
export async function stopAllWatches(): Promise<void> {
  await Promise.all([...live].map((w) => w.stop()));
}

/** Samples /health and RSS of the given validators until stop(). */
export class AttackWatch {
  readonly #net: TestNetwork;
  readonly #figures: (WatchFigures & { healthMs: number[] })[];
  #running = true;
  readonly #done: Promise<void>[];

  constructor(net: TestNetwork, indexes: number[]) {
    this.#net = net;
    live.add(this);
    this.#figures = indexes.map((i) => {
      const r = rssMb(net.validators[i]!.proc?.pid);
      return {
        id: net.validators[i]!.id,
        baseRssMb: r,
        maxRssMb: r,
        maxHealthMs: 0,
        p95HealthMs: 0,
        probes: 0,
        healthFailures: 0,
        non200: 0,
        healthMs: [],
      };
    });
    const rss = setInterval(() => {
      indexes.forEach((i, k) => {
        const f = this.#figures[k]!;
        f.maxRssMb = Math.max(f.maxRssMb, rssMb(net.validators[i]!.proc?.pid));
      });
    }, 50);
    this.#done = indexes.map(async (i, k) => {
      const f = this.#figures[k]!;
      const url = this.#net.validators[i]!.url;
      while (this.#running) {
        const t = performance.now();
        try {
          const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
          await r.arrayBuffer();
          if (r.status !== 200) f.non200++;
        } catch {
          f.healthFailures++;
        }
        const ms = performance.now() - t;
        f.probes++;
        f.healthMs.push(ms);
        f.maxHealthMs = Math.max(f.maxHealthMs, ms);
        await sleep(50);
      }
    });
    void Promise.all(this.#done).then(() => clearInterval(rss));
  }

  /** Stop probing; the figures per watched validator (latencies rounded to ms, RSS to MB). */
  async stop(): Promise<WatchFigures[]> {
    this.#running = false;
    live.delete(this);
    await Promise.all(this.#done);
    return this.#figures.map(({ healthMs, ...f }) => {
      const sorted = [...healthMs].sort((a, b) => a - b);
      const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
      return {
        ...f,
        baseRssMb: Math.round(f.baseRssMb),
        maxRssMb: Math.round(f.maxRssMb),
        maxHealthMs: Math.round(f.maxHealthMs),
        p95HealthMs: Math.round(p95),
      };
    });
  }
}
