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
    const entry = { time, seq: this.#seq++, item };
    h.push(entry);
    // Sift up: parents later than the entry move down into the hole it leaves.
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (parent === undefined || !before(entry, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = entry;
  }

  /** Time of the next event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#heap[0]?.time;
  }

  /** Remove and return the earliest event. */
  pop(): Scheduled<T> | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined) return undefined;
    if (h.length > 0) {
      // Sift the last entry down from the root: the earlier child moves up into the hole.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const left = h[l];
        const right = h[l + 1];
        let next = last;
        let m = i;
        if (left !== undefined && before(left, next)) {
          next = left;
          m = l;
        }
        if (right !== undefined && before(right, next)) {
          next = right;
          m = l + 1;
        }
        if (m === i) break;
        h[i] = next;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before<T>(a: Scheduled<T>, b: Scheduled<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
