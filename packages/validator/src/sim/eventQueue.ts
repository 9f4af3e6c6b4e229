/**
 * The simulator's agenda: a binary min-heap ordered by (time, sequence number). The sequence
 * number breaks ties in scheduling order, so equal-time events run in a reproducible order.
 */
export interface Scheduled<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventQueue<T> {
  readonly #heap: Scheduled<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Schedule an item at a (simulated) time in ms. */
  push(time: number, item: T): void {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    const h = this.#heap;
    h.push({ time, seq: this.#seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Time of the next event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#heap[0]?.time;
  }

  /** Remove and return the earliest event. */
  pop(): Scheduled<T> | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Scheduled<T>, b: Scheduled<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
