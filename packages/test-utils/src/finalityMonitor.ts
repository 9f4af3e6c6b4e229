/**
 * Samples every validator's finalized height a few times per slot, so a test can say afterwards
 * how long the network went without finality and when a validator caught up. A validator that
 * does not answer (killed, paused) is sampled as null.
 */
import { finalizedHeight } from './http.js';
import { sleep } from './waitFor.js';

export interface HeightSample {
  t: number;
  heights: (number | null)[];
}

export class FinalityMonitor {
  readonly samples: HeightSample[] = [];
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(
    readonly urls: string[],
    readonly intervalMs = 100,
  ) {}

  start(): this {
    if (this.#running) return this;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const started = Date.now();
        const heights = await Promise.all(this.urls.map((u) => finalizedHeight(u, 400).catch(() => null)));
        // Stamped when the answers are in: a catch-up is not seen before it is known.
        this.samples.push({ t: Date.now(), heights });
        await sleep(Math.max(0, this.intervalMs - (Date.now() - started)));
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** The latest height sampled for validator i (null if it never answered). */
  last(i: number): number | null {
    for (let k = this.samples.length - 1; k >= 0; k--) {
      const h = this.samples[k]!.heights[i];
      if (h !== null && h !== undefined) return h;
    }
    return null;
  }

  /** Highest height among `of` in one sample. */
  static maxOf(s: HeightSample, of: number[]): number | null {
    let m: number | null = null;
    for (const i of of) {
      const h = s.heights[i];
      if (h !== null && h !== undefined && (m === null || h > m)) m = h;
    }
    return m;
  }

  /**
   * Longest time in [from, to] during which the highest finalized height among `of` did not
   * rise: the network's longest time without finality, as these validators saw it.
   */
  longestStall(from: number, to: number, of: number[]): number {
    let lastRise = from;
    let best: number | null = null;
    let worst = 0;
    for (const s of this.samples) {
      if (s.t < from || s.t > to) continue;
      const m = FinalityMonitor.maxOf(s, of);
      if (m === null) continue;
      if (best === null) best = m;
      if (m > best) {
        worst = Math.max(worst, s.t - lastRise);
        lastRise = s.t;
        best = m;
      }
    }
    return Math.max(worst, to - lastRise);
  }

  /** Blocks the highest of `of` finalized in [from, to]. */
  progress(from: number, to: number, of: number[]): number {
    const inWindow = this.samples
      .filter((s) => s.t >= from && s.t <= to)
      .map((s) => FinalityMonitor.maxOf(s, of))
      .filter((h): h is number => h !== null);
    return inWindow.length === 0 ? 0 : Math.max(...inWindow) - Math.min(...inWindow);
  }

  /** First sample time at or after `from` where validator i is at most `lag` blocks behind the highest of `others`. */
  caughtUpAt(i: number, others: number[], from: number, lag = 1): number | undefined {
    for (const s of this.samples) {
      if (s.t < from) continue;
      const h = s.heights[i];
      const top = FinalityMonitor.maxOf(s, others);
      if (h !== null && h !== undefined && top !== null && h >= top - lag) return s.t;
    }
    return undefined;
  }

  /** First sample time at or after `from` where the highest of `of` exceeds `height`. */
  firstAbove(height: number, of: number[], from: number): number | undefined {
    for (const s of this.samples) {
      if (s.t < from) continue;
      const m = FinalityMonitor.maxOf(s, of);
      if (m !== null && m > height) return s.t;
    }
    return undefined;
  }
}
