/**
 * KvStore in memory, for tests, tools and the simulator. Values are kept as their JSON text, as
 * LevelDB keeps them: a read returns a fresh copy and JSON's rules (no undefined, no functions)
 * apply alike. Keys are held as latin1 strings, whose order is the keys' byte order.
 */
import type { KvOp, KvRange, KvStore } from './interface.js';

const keyOf = (key: Buffer): string => key.toString('latin1');

export class MemoryKv implements KvStore {
  readonly #data: Map<string, string>;
  /** Keys in order; rebuilt on the first range read after a key is added or removed. */
  #sorted: string[] | undefined;
  #closed = false;

  constructor(data: Map<string, string> = new Map()) {
    this.#data = data;
  }

  /** A new handle on the same data, as after a restart (this one may be closed). */
  reopen(): MemoryKv {
    return new MemoryKv(this.#data);
  }

  /** A copy of the data as it is now (memory: a copy is the snapshot). */
  snapshot(): KvStore {
    this.#assertOpen();
    return new MemoryKv(new Map(this.#data));
  }

  /** Number of keys held. */
  get size(): number {
    return this.#data.size;
  }

  /** The value under `key`, read synchronously (memory only: for the simulator and tests). */
  getSync(key: Buffer): unknown {
    this.#assertOpen();
    const text = this.#data.get(keyOf(key));
    return text === undefined ? undefined : JSON.parse(text);
  }

  async get(key: Buffer): Promise<unknown> {
    return this.getSync(key);
  }

  async getMany(keys: readonly Buffer[]): Promise<unknown[]> {
    return this.getManySync(keys);
  }

  getManySync(keys: readonly Buffer[]): unknown[] {
    return keys.map((k) => this.getSync(k));
  }

  async *entries(range: KvRange): AsyncGenerator<[Buffer, unknown]> {
    for await (const [k, text] of this.rawEntries(range)) yield [k, JSON.parse(text)];
  }

  async *rawEntries(range: KvRange): AsyncGenerator<[Buffer, string]> {
    this.#assertOpen();
    const sorted = this.#keys();
    const gte = range.gte === undefined ? undefined : keyOf(range.gte);
    const lt = range.lt === undefined ? undefined : keyOf(range.lt);
    let i = gte === undefined ? 0 : lowerBound(sorted, gte);
    // A snapshot of the range, as a LevelDB iterator reads one: later writes do not show.
    const out: [Buffer, string][] = [];
    for (; i < sorted.length && (range.limit === undefined || out.length < range.limit); i++) {
      const k = sorted[i] as string;
      if (lt !== undefined && k >= lt) break;
      const text = this.#data.get(k);
      if (text !== undefined) out.push([Buffer.from(k, 'latin1'), text]);
    }
    yield* out;
  }

  async write(ops: Iterable<KvOp>): Promise<void> {
    this.writeSync(ops);
  }

  /** Apply a batch synchronously (memory only). */
  writeSync(ops: Iterable<KvOp>): void {
    this.#assertOpen();
    // Encode everything first: a value JSON cannot hold fails the batch before any op applies.
    const staged: [string, string | undefined][] = [];
    for (const op of ops) {
      // As LevelDB: a put of nothing is refused (a read could not tell it from a missing key).
      if (op.type === 'put' && (op.value === null || op.value === undefined))
        throw new TypeError('Value cannot be null or undefined');
      const text = op.type === 'put' ? JSON.stringify(op.value) : undefined;
      if (op.type === 'put' && text === undefined) throw new TypeError('value cannot be stored as JSON');
      staged.push([keyOf(op.key), text]);
    }
    for (const [k, text] of staged) {
      if (text === undefined) {
        if (this.#data.delete(k)) this.#sorted = undefined;
        continue;
      }
      if (!this.#data.has(k)) this.#sorted = undefined;
      this.#data.set(k, text);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('memory store is closed');
  }

  #keys(): string[] {
    this.#sorted ??= [...this.#data.keys()].sort();
    return this.#sorted;
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
