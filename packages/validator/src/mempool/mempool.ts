/**
 * The transaction pool: deduplicated by hash, one pending vote per (voter, election), bounded in
 * count and in bytes, and explicit when full. Iteration is in arrival order, so block contents
 * are deterministic. Each entry records which authorities are known to hold it durably (see
 * docs/DURABILITY.md): a transaction is proposed only once a quorum holds it.
 */
import { type Hex, type Transaction, txSize, voterKey } from '@poa-vote/shared';

export interface MempoolOptions {
  /** Most transactions held; beyond it submissions are refused with POOL_FULL. */
  maxSize: number;
  /** Most bytes of transactions (canonical sizes) held; beyond it submissions are refused too. */
  maxBytes: number;
}

export const defaultMempoolOptions: MempoolOptions = { maxSize: 200_000, maxBytes: 256 * 1024 * 1024 };

export interface PoolEntry {
  tx: Transaction;
  hash: Hex;
  size: number;
  /** Slot in which this node last gossiped the transaction (re-gossiped while it waits). */
  gossipSlot: number;
  /** Arrival number in this pool (pages of a pool snapshot are cut by it). */
  seq: number;
  /** Authorities known to hold the transaction durably (self included once it vouches). */
  holders: number[];
  /** Authorities that refused it because they hold another vote of the same voter. */
  refusers: number[];
  /** Known to be held by a quorum (set when `holders` reaches one, or restored from disk). */
  replicated: boolean;
}

export type AddResult =
  | { status: 'added' }
  | { status: 'known' }
  | { status: 'conflict'; conflictsWith: Hex }
  | { status: 'full' };

export class Mempool {
  readonly #byHash = new Map<Hex, PoolEntry>();
  readonly #byVoter = new Map<string, Hex>();
  readonly #opts: MempoolOptions;
  #bytes = 0;
  #seq = 0;

  constructor(opts: Partial<MempoolOptions> = {}) {
    this.#opts = { ...defaultMempoolOptions, ...opts };
  }

  get size(): number {
    return this.#byHash.size;
  }

  get maxSize(): number {
    return this.#opts.maxSize;
  }

  /** Bytes of transactions held (sum of canonical sizes). */
  get bytes(): number {
    return this.#bytes;
  }

  get maxBytes(): number {
    return this.#opts.maxBytes;
  }

  has(hash: Hex): boolean {
    return this.#byHash.has(hash);
  }

  get(hash: Hex): PoolEntry | undefined {
    return this.#byHash.get(hash);
  }

  /** Pending transaction of a (voter, election) pair. */
  voterTx(key: string): Hex | undefined {
    return this.#byVoter.get(key);
  }

  add(tx: Transaction, hash: Hex, slot = -1): AddResult {
    if (this.#byHash.has(hash)) return { status: 'known' };
    const key = voterKey(tx);
    const other = this.#byVoter.get(key);
    if (other !== undefined) return { status: 'conflict', conflictsWith: other };
    const size = txSize(tx);
    if (this.#byHash.size >= this.#opts.maxSize || this.#bytes + size > this.#opts.maxBytes) return { status: 'full' };
    this.#byHash.set(hash, {
      tx,
      hash,
      size,
      gossipSlot: slot,
      seq: this.#seq++,
      holders: [],
      refusers: [],
      replicated: false,
    });
    this.#byVoter.set(key, hash);
    this.#bytes += size;
    return { status: 'added' };
  }

  /** Remove a transaction; returns whether it was there. */
  remove(hash: Hex): boolean {
    const e = this.#byHash.get(hash);
    if (!e) return false;
    this.#byHash.delete(hash);
    this.#bytes -= e.size;
    const key = voterKey(e.tx);
    if (this.#byVoter.get(key) === hash) this.#byVoter.delete(key);
    return true;
  }

  /** Oldest transactions first, up to count and byte limits, skipping those `skip` rejects. */
  take(maxCount: number, maxBytes: number, skip?: (e: PoolEntry) => boolean): PoolEntry[] {
    const out: PoolEntry[] = [];
    let bytes = 0;
    for (const e of this.#byHash.values()) {
      if (out.length >= maxCount) break;
      if (skip?.(e)) continue;
      if (bytes + e.size > maxBytes) break;
      bytes += e.size;
      out.push(e);
    }
    return out;
  }

  entries(): IterableIterator<PoolEntry> {
    return this.#byHash.values();
  }

  /** Entries that arrived after `seq` (arrival order), up to a byte budget (at least one entry). */
  page(afterSeq: number, maxBytes: number): { entries: PoolEntry[]; done: boolean } {
    const entries: PoolEntry[] = [];
    let bytes = 0;
    for (const e of this.#byHash.values()) {
      if (e.seq <= afterSeq) continue;
      if (entries.length > 0 && bytes + e.size > maxBytes) return { entries, done: false };
      bytes += e.size;
      entries.push(e);
    }
    return { entries, done: true };
  }
}
