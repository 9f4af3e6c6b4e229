/**
 * The voter entries of pooled transactions and candidate blocks, hashed into the state lattice
 * ahead of finality.
 *
 * Finalizing a block adds one lattice element per vote to the state commitment (a 2,048-byte
 * SHAKE256 output each, ~13 µs with its encoding): 30-40 ms of one synchronous step for a block
 * of 2,500 votes, 130 ms for 10,000, while the node's event loop answers nobody. An entry is a
 * function of its transaction alone (voterKey, hash), so it is computed long before:
 *
 * - **At admission.** The node hands every transaction it pools to `admit`; its element hash is
 *   computed in a later slice and kept in a memo (by transaction hash, bounded in bytes, oldest
 *   admissions kept: they are the ones the next block takes). Hashing thus follows the arrival
 *   of votes, spread over the slot, instead of following the proposal.
 * - **While a block is voted on.** The core hands every block it stores to `prepare`; slices sum
 *   its entries (from the memo, or hashed then), and the finalizing step `take`s the sum,
 *   finishing synchronously whatever is left.
 *
 * The ballots' candidates, which the tally reads at finality, are read in the same slices (cached
 * per transaction object). A pure cache: the state root is the same whether an entry was
 * memoized, a block prepared, half prepared or not at all (the simulator runs without one).
 */
import {
  type Block,
  type Hex,
  LtHash,
  type Transaction,
  addVoterEntries,
  stateEntryBytes,
  txCandidate,
  txHash,
  voterEntry,
} from '@poa-vote/shared';

interface Job {
  block: Block;
  hashes: Hex[];
  sum: LtHash;
  /** Transactions added to `sum` so far. */
  done: number;
}

interface Memoized {
  /** Slot of its element hash in the memo's slab. */
  slot: number;
  /** Finalized blocks taken when it was admitted (its age). */
  takenAt: number;
}

export interface BlockLatticesOptions {
  /** Run a slice of work later (the node: setImmediate); without it nothing is hashed ahead. */
  schedule?: (run: () => void) => void;
  /** Longest slice of work, ms. */
  sliceMs?: number;
  /** Most blocks held (candidates of the current height; older ones are dropped first). */
  maxBlocks?: number;
  /**
   * Bytes of element hashes memoized for pooled transactions (2,048 each; admissions beyond it
   * are hashed when a block holds them). Default 8 MiB: 4,096 votes, more than a block at
   * 2,000 votes/s with 1 s slots (2,000-2,800), most of one at 5,000/s.
   */
  maxMemoBytes?: number;
  /** Finalized blocks after which a memoized entry is dropped (its vote left the pool unfinalized). */
  memoMaxAge?: number;
  /** Clock for slices (ms). */
  now?: () => number;
}

/** Entries hashed between two looks at the clock. */
const STRIDE = 64;
/** Bytes of one memoized element hash. */
const ELEMENT_BYTES = 2048;

export class BlockLattices {
  readonly #jobs = new Map<Hex, Job>();
  readonly #schedule: ((run: () => void) => void) | undefined;
  readonly #sliceMs: number;
  readonly #maxBlocks: number;
  readonly #maxMemo: number;
  readonly #memoMaxAge: number;
  readonly #now: () => number;
  #scheduled = false;
  /** Admitted transactions' voter entries hashed, by tx hash, oldest admission first. */
  readonly #memo = new Map<Hex, Memoized>();
  /**
   * The element hashes, 2,048 bytes per slot, allocated once: kept in short-lived buffers they
   * would outlive the young generation and leave the old one to the collector (measured: more
   * CPU per vote). The last freed slot is reused first, so no more pages are touched than the
   * most slots ever in use at once.
   */
  #slab: Uint8Array | undefined;
  /** Free slots, a stack (slot 0 on top at first). */
  #free: number[] = [];
  /** Admitted transactions not hashed yet (at most the memo's free room). */
  #admitted: Transaction[] = [];
  /** Blocks taken so far (the memo's clock). */
  #taken = 0;
  /**
   * Voter entries of finalized blocks by where they were hashed: ahead (at admission or while the
   * block was voted on; candidate blocks that lost count too), or in the finalizing step (at
   * `take`, or by the caller for a block never prepared).
   */
  readonly counts = { ahead: 0, atTake: 0 };

  constructor(opts: BlockLatticesOptions = {}) {
    this.#schedule = opts.schedule;
    this.#sliceMs = opts.sliceMs ?? 4;
    this.#maxBlocks = opts.maxBlocks ?? 8;
    this.#maxMemo = Math.floor((opts.maxMemoBytes ?? 8 * 1024 * 1024) / ELEMENT_BYTES);
    this.#memoMaxAge = opts.memoMaxAge ?? 16;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Blocks held. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Element hashes memoized, and admissions waiting to be hashed. */
  get memo(): { entries: number; bytes: number; queued: number } {
    return { entries: this.#memo.size, bytes: this.#memo.size * ELEMENT_BYTES, queued: this.#admitted.length };
  }

  /** Transactions entered the pool: hash their voter entries before a block holds them (as room allows). */
  admit(txs: readonly Transaction[]): void {
    if (this.#schedule === undefined) return;
    for (const tx of txs) {
      if (this.#memo.size + this.#admitted.length >= this.#maxMemo) break;
      this.#admitted.push(tx);
    }
    this.#kick();
  }

  /** Start hashing a candidate block's voter entries. */
  prepare(block: Block): void {
    if (this.#schedule === undefined || this.#jobs.has(block.hash) || block.transactions.length === 0) return;
    this.#jobs.set(block.hash, { block, hashes: block.transactions.map(txHash), sum: new LtHash(), done: 0 });
    for (const hash of this.#jobs.keys()) {
      if (this.#jobs.size <= this.#maxBlocks) break;
      this.#jobs.delete(hash);
    }
    this.#kick();
  }

  /** Hash for at most `sliceMs`, candidate blocks first, then admissions; true while work remains. */
  work(): boolean {
    const deadline = this.#now() + this.#sliceMs;
    for (const job of this.#jobs.values()) {
      const n = job.block.transactions.length;
      while (job.done < n) {
        const before = job.done;
        this.#sum(job, job.done + STRIDE);
        // The tally reads each ballot's candidate at finality too: read it now (cached per transaction).
        for (let i = before; i < job.done; i++) {
          const tx = job.block.transactions[i];
          if (tx !== undefined) txCandidate(tx);
        }
        this.counts.ahead += job.done - before;
        if (this.#now() >= deadline) return this.#pending();
      }
    }
    const admitted = this.#admitted;
    let k = 0;
    while (k < admitted.length) {
      const end = Math.min(admitted.length, k + STRIDE);
      for (; k < end; k++) {
        const tx = admitted[k];
        if (tx === undefined) continue;
        const hash = txHash(tx);
        if (!this.#memo.has(hash)) {
          const slot = this.#allocate();
          this.#slabOf().set(LtHash.elementHash(stateEntryBytes(voterEntry(tx, hash))), slot * ELEMENT_BYTES);
          this.#memo.set(hash, { slot, takenAt: this.#taken });
        }
        txCandidate(tx);
      }
      if (this.#now() >= deadline) break;
    }
    this.#admitted = k < admitted.length ? admitted.slice(k) : [];
    return this.#pending();
  }

  /**
   * The lattice of the block's voter entries (what `StateCommitment.apply` needs), finishing
   * synchronously what is left; undefined for a block never prepared (the caller hashes them).
   * Other blocks of the same height or below are dropped: they can no longer be finalized.
   */
  take(block: Block): LtHash | undefined {
    this.#taken++;
    const job = this.#jobs.get(block.hash);
    for (const [hash, other] of this.#jobs)
      if (other.block.header.height <= block.header.height) this.#jobs.delete(hash);
    let sum: LtHash | undefined;
    if (job === undefined) {
      // The caller hashes them, in this step.
      this.counts.atTake += block.transactions.length;
    } else {
      const before = job.done;
      const hashed = this.#sum(job, job.block.transactions.length);
      this.counts.ahead += job.done - before - hashed;
      this.counts.atTake += hashed;
      for (const hash of job.hashes) this.#forget(hash);
      sum = job.sum;
    }
    // Entries of votes that left the pool without being finalized (memo kept in admission order).
    for (const [hash, m] of this.#memo) {
      if (this.#taken - m.takenAt <= this.#memoMaxAge) break;
      this.#forget(hash);
    }
    return sum;
  }

  #slabOf(): Uint8Array {
    if (this.#slab === undefined) {
      this.#slab = new Uint8Array(this.#maxMemo * ELEMENT_BYTES);
      for (let i = this.#maxMemo - 1; i >= 0; i--) this.#free.push(i);
    }
    return this.#slab;
  }

  #allocate(): number {
    this.#slabOf();
    const slot = this.#free.pop();
    if (slot === undefined) throw new Error('BlockLattices: memo slab full (admit bounds it)');
    return slot;
  }

  #forget(hash: Hex): void {
    const m = this.#memo.get(hash);
    if (m === undefined) return;
    this.#memo.delete(hash);
    this.#free.push(m.slot);
  }

  /** Add the job's entries up to `to`, from the memo where it has them; returns how many were hashed here. */
  #sum(job: Job, to: number): number {
    const txs = job.block.transactions;
    const end = Math.min(to, txs.length);
    let hashed = 0;
    for (let i = job.done; i < end; i++) {
      const hash = job.hashes[i];
      const memoized = hash === undefined ? undefined : this.#memo.get(hash);
      if (memoized !== undefined && this.#slab !== undefined)
        job.sum.addElementHash(this.#slab.subarray(memoized.slot * ELEMENT_BYTES, (memoized.slot + 1) * ELEMENT_BYTES));
      else {
        addVoterEntries(job.sum, txs, job.hashes, i, i + 1);
        hashed++;
      }
    }
    job.done = end;
    return hashed;
  }

  #pending(): boolean {
    if (this.#admitted.length > 0) return true;
    for (const job of this.#jobs.values()) if (job.done < job.block.transactions.length) return true;
    return false;
  }

  #kick(): void {
    const schedule = this.#schedule;
    if (this.#scheduled || schedule === undefined) return;
    this.#scheduled = true;
    const run = (): void => {
      if (this.work()) schedule(run);
      else this.#scheduled = false;
    };
    schedule(run);
  }
}
