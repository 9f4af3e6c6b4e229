/**
 * The voter entries of candidate blocks, hashed into the state lattice ahead of finality.
 *
 * Finalizing a block adds one lattice element per vote to the state commitment (a 2,048-byte
 * SHAKE256 output each, ~10 µs): 100 ms of one synchronous step for a block of 10,000 votes, while
 * the node's event loop answers nobody. Those entries are a function of the block alone, so they
 * can be hashed while the block is being voted on: the core hands every block it stores to
 * `prepare`, the node runs `work` in short slices between its other tasks, and the finalizing step
 * `take`s the sum, finishing synchronously whatever is left. The ballots' candidates, which the
 * tally reads at finality, are read in the same slices (cached per transaction object). A pure cache: the state root is the
 * same whether a block was prepared, half prepared or not at all (the simulator runs without one).
 */
import { type Block, type Hex, LtHash, addVoterEntries, txCandidate, txHash } from '@poa-vote/shared';

interface Job {
  block: Block;
  hashes: Hex[];
  sum: LtHash;
  /** Transactions added to `sum` so far. */
  done: number;
}

export interface BlockLatticesOptions {
  /** Run a slice of work later (the node: setImmediate); without it nothing is hashed ahead. */
  schedule?: (run: () => void) => void;
  /** Longest slice of work, ms. */
  sliceMs?: number;
  /** Most blocks held (candidates of the current height; older ones are dropped first). */
  maxBlocks?: number;
  /** Clock for slices (ms). */
  now?: () => number;
}

/** Entries hashed between two looks at the clock. */
const STRIDE = 64;

export class BlockLattices {
  readonly #jobs = new Map<Hex, Job>();
  readonly #schedule: ((run: () => void) => void) | undefined;
  readonly #sliceMs: number;
  readonly #maxBlocks: number;
  readonly #now: () => number;
  #scheduled = false;
  /** Entries hashed ahead (in slices) and in the finalizing step (at `take`, or by the caller for a block never prepared). */
  readonly counts = { ahead: 0, atTake: 0 };

  constructor(opts: BlockLatticesOptions = {}) {
    this.#schedule = opts.schedule;
    this.#sliceMs = opts.sliceMs ?? 4;
    this.#maxBlocks = opts.maxBlocks ?? 8;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Blocks held. */
  get size(): number {
    return this.#jobs.size;
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

  /** Hash for at most `sliceMs`; true while work remains. */
  work(): boolean {
    const deadline = this.#now() + this.#sliceMs;
    for (const job of this.#jobs.values()) {
      const n = job.block.transactions.length;
      while (job.done < n) {
        const before = job.done;
        const txs = job.block.transactions;
        job.done = addVoterEntries(job.sum, txs, job.hashes, job.done, job.done + STRIDE);
        // The tally reads each ballot's candidate at finality too: read it now (cached per transaction).
        for (let i = before; i < job.done; i++) {
          const tx = txs[i];
          if (tx !== undefined) txCandidate(tx);
        }
        this.counts.ahead += job.done - before;
        if (this.#now() >= deadline) return this.#pending();
      }
    }
    return false;
  }

  /**
   * The lattice of the block's voter entries (what `StateCommitment.apply` needs), finishing
   * synchronously what is left; undefined for a block never prepared (the caller hashes them).
   * Other blocks of the same height or below are dropped: they can no longer be finalized.
   */
  take(block: Block): LtHash | undefined {
    const job = this.#jobs.get(block.hash);
    for (const [hash, other] of this.#jobs)
      if (other.block.header.height <= block.header.height) this.#jobs.delete(hash);
    if (job === undefined) {
      // The caller hashes them, in this step.
      this.counts.atTake += block.transactions.length;
      return undefined;
    }
    const before = job.done;
    job.done = addVoterEntries(job.sum, job.block.transactions, job.hashes, job.done);
    this.counts.atTake += job.done - before;
    return job.sum;
  }

  #pending(): boolean {
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
