/**
 * Which pending transactions are known to be held by a quorum (the *replicated* flag of
 * docs/DURABILITY.md), as stored: one record per write that learns of some, listing their hashes
 * (Bucket.poolReplicatedRecord), rather than one key per transaction. A key per transaction was a
 * put when the quorum was reached and a delete when the transaction left the pool, on every
 * validator: two of the six LevelDB operations a vote cost. A record is deleted by the write that
 * removes the last of its transactions from the pool.
 *
 * Databases written before the records hold one key per transaction (Bucket.poolReplicated):
 * opening one turns those keys into a record (db/schema.ts), so nothing here knows of them.
 *
 * `ReplicationRecords` is the committed view, changed only once a write is on disk (`commit`);
 * the batch builder plans a write's changes on top of it (`plan`), without I/O.
 */
import type { Hex } from '@poa-vote/shared';

/** What one write changes in the records, applied to the committed view once it is on disk. */
export interface ReplicationDelta {
  /** The write's new record, if it learned of transactions not yet recorded. */
  record: { id: number; hashes: Hex[] } | undefined;
  /** Recorded transactions (in a committed record or a per-transaction key) that left the pool. */
  removed: Hex[];
  /** Committed records left without a pending transaction: deleted by the write. */
  deadRecords: number[];
}

export class ReplicationRecords {
  /** Record of each recorded pending transaction. */
  readonly #recordOf = new Map<Hex, number>();
  /** Pending transactions left in each record. */
  readonly #live = new Map<number, number>();
  #nextId = 0;

  /**
   * `records`: the stored records with only their hashes still in the pool (a record with none is
   * not passed: the caller deletes it).
   */
  constructor(records: Iterable<readonly [number, readonly Hex[]]> = []) {
    for (const [id, hashes] of records) {
      if (id >= this.#nextId) this.#nextId = id + 1;
      let live = 0;
      for (const h of hashes) {
        if (this.#recordOf.has(h)) continue;
        this.#recordOf.set(h, id);
        live++;
      }
      if (live > 0) this.#live.set(id, live);
    }
  }

  /** Every pending transaction recorded as replicated. */
  hashes(): Set<Hex> {
    return new Set(this.#recordOf.keys());
  }

  /** A write's changes, planned on the committed view. */
  plan(): ReplicationPlan {
    return new ReplicationPlan(this);
  }

  /** The record a pending transaction is in (for the plan). */
  recordOf(hash: Hex): number | undefined {
    return this.#recordOf.get(hash);
  }

  /** Pending transactions left in a committed record (for the plan). */
  liveIn(id: number): number {
    return this.#live.get(id) ?? 0;
  }

  /** The number the next record gets (for the plan). */
  get nextId(): number {
    return this.#nextId;
  }

  /** Apply a write's changes once it is on disk. */
  commit(delta: ReplicationDelta): void {
    for (const h of delta.removed) {
      const id = this.#recordOf.get(h);
      if (id === undefined) continue;
      this.#recordOf.delete(h);
      const left = (this.#live.get(id) ?? 1) - 1;
      if (left > 0) this.#live.set(id, left);
      else this.#live.delete(id);
    }
    for (const id of delta.deadRecords) this.#live.delete(id);
    const r = delta.record;
    if (r !== undefined) {
      for (const h of r.hashes) this.#recordOf.set(h, r.id);
      this.#live.set(r.id, r.hashes.length);
      this.#nextId = r.id + 1;
    }
  }
}

/**
 * The changes of one write, in the order of its operations: transactions recorded as replicated
 * (`add`) and transactions leaving the pool (`remove`).
 */
export class ReplicationPlan {
  readonly #base: ReplicationRecords;
  /** Hashes of the write's new record (insertion order), removed ones deleted from the set. */
  readonly #added: Hex[] = [];
  readonly #addedSet = new Set<Hex>();
  /** Committed-recorded hashes that left the pool in this write. */
  readonly #removed = new Set<Hex>();
  /** Committed record -> its transactions that left the pool in this write. */
  readonly #drops = new Map<number, number>();

  constructor(base: ReplicationRecords) {
    this.#base = base;
  }

  /** Transactions (in the pool) now known to be held by a quorum. */
  add(hashes: readonly Hex[]): void {
    for (const h of hashes) {
      if (this.#addedSet.has(h)) continue;
      if (!this.#removed.has(h) && this.#base.recordOf(h) !== undefined) continue;
      this.#addedSet.add(h);
      this.#added.push(h);
    }
  }

  /** A transaction leaves the pool. */
  remove(hash: Hex): void {
    if (this.#addedSet.delete(hash) || this.#removed.has(hash)) return;
    const id = this.#base.recordOf(hash);
    if (id === undefined) return;
    this.#removed.add(hash);
    this.#drops.set(id, (this.#drops.get(id) ?? 0) + 1);
  }

  /** The write's changes: a new record (if any), and the committed records it empties. */
  finish(): ReplicationDelta {
    const hashes = this.#added.filter((h) => this.#addedSet.has(h));
    const deadRecords: number[] = [];
    for (const [id, n] of this.#drops) if (this.#base.liveIn(id) - n <= 0) deadRecords.push(id);
    return {
      record: hashes.length > 0 ? { id: this.#base.nextId, hashes } : undefined,
      removed: [...this.#removed],
      deadRecords,
    };
  }
}
