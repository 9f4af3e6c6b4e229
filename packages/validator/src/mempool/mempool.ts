/**
 * The transaction pool: deduplicated by hash, one pending vote per (voter, election), bounded,
 * and explicit when full. Iteration is in arrival order, so block contents are deterministic.
 */
import { type Hex, type Transaction, txSize, voterKey } from '@poa-vote/shared';

export interface MempoolOptions {
  /** Most transactions held; beyond it submissions are refused with POOL_FULL. */
  maxSize: number;
}

export const defaultMempoolOptions: MempoolOptions = { maxSize: 200_000 };

export interface PoolEntry {
  tx: Transaction;
  hash: Hex;
  size: number;
  /** Slot in which this node last gossiped the transaction (re-gossiped while it waits). */
  gossipSlot: number;
}

export type AddResult = { status: 'added' } | { status: 'known' } | { status: 'conflict'; conflictsWith: Hex } | { status: 'full' };

export class Mempool {
  readonly #byHash = new Map<Hex, PoolEntry>();
  readonly #byVoter = new Map<string, Hex>();
  readonly #opts: MempoolOptions;

  constructor(opts: Partial<MempoolOptions> = {}) {
    this.#opts = { ...defaultMempoolOptions, ...opts };
  }

  get size(): number {
    return this.#byHash.size;
  }

  get maxSize(): number {
    return this.#opts.maxSize;
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
    if (this.#byHash.size >= this.#opts.maxSize) return { status: 'full' };
    this.#byHash.set(hash, { tx, hash, size: txSize(tx), gossipSlot: slot });
    this.#byVoter.set(key, hash);
    return { status: 'added' };
  }

  /** Remove a transaction; returns whether it was there. */
  remove(hash: Hex): boolean {
    const e = this.#byHash.get(hash);
    if (!e) return false;
    this.#byHash.delete(hash);
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
}
