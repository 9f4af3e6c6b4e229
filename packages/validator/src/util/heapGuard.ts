/**
 * A process-level memory guard: when the V8 heap in use passes a share of the heap limit, new
 * expensive work is refused (the caller answers 503 / -32005) instead of the process dying with
 * "JavaScript heap out of memory" and taking consensus down with it.
 */
import { getHeapStatistics } from 'node:v8';

/** Reads of the heap statistics are reused for this long (a read costs a few microseconds, not nothing). */
const SAMPLE_MS = 20;

/** Tells whether the heap is too full to take on more work. */
export class HeapGuard {
  readonly #limitBytes: number;
  readonly #percent: number;
  #sampledAt = 0;
  #used = 0;

  /** `percent` of the V8 heap limit (`--max-old-space-size` or V8's default) beyond which work is refused. */
  constructor(percent: number, heapLimitBytes: number = getHeapStatistics().heap_size_limit) {
    if (!(percent > 0 && percent <= 100))
      throw new RangeError(`heap limit percent must be in (0, 100], got ${percent}`);
    this.#percent = percent;
    this.#limitBytes = heapLimitBytes;
  }

  /** The heap bytes from which work is refused. */
  get thresholdBytes(): number {
    return Math.floor((this.#limitBytes * this.#percent) / 100);
  }

  /** Heap bytes in use, as last sampled. */
  get usedBytes(): number {
    this.#sample();
    return this.#used;
  }

  /** Whether new work should be refused now. */
  overloaded(): boolean {
    return this.usedBytes >= this.thresholdBytes;
  }

  #sample(): void {
    const now = performance.now();
    if (now - this.#sampledAt < SAMPLE_MS) return;
    this.#sampledAt = now;
    this.#used = getHeapStatistics().used_heap_size;
  }
}
