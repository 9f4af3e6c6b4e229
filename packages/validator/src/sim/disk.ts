/**
 * A simulated validator's durable storage: what survives a crash. The simulator applies every
 * persist op here before it lets the messages of the same output leave the node. The one-vote
 * index is kept as a validator keeps it: in a key-value store (memory), read by the core through
 * a small VoterCache that the driver fills before each step (sim/prefetch.ts), so every seed
 * also checks that the core reads nothing its driver did not load.
 */
import {
  type ChainCursor,
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  StateCommitment,
  type Transaction,
  genesisCursor,
  txHash,
  voterKey,
} from '@poa-vote/shared';
import type { PersistOp, SafetyState } from '../consensus/index.js';
import { MemoryKv } from '../db/kv/index.js';
import { VoterIndexRepository } from '../db/repositories/index.js';
import { ChainState } from '../state/chainState.js';
import { VoterCache } from '../state/voterCache.js';

/**
 * Bytes of the simulated nodes' voter caches: a few dozen entries, so that eviction happens in
 * every run (a validator's default is 32 MiB).
 */
export const SIM_VOTER_CACHE_BYTES = 4096;

export class SimDisk {
  safety: SafetyState | undefined;
  /** The pool is trustworthy (see PersistOp 'vouching'); false for a new or wiped disk. */
  vouching = false;
  /** Finalized blocks with their certificates; index = height - 1. */
  blocks: FinalizedBlock[] = [];
  /** Pending transactions in arrival order. */
  pool = new Map<Hex, Transaction>();
  /** Pooled transactions known to be held by a quorum. */
  replicated = new Set<Hex>();
  evidence: Evidence[] = [];
  /** The one-vote index (voterKey -> tx hash), as a validator stores it. */
  #kv = new MemoryKv();
  #voters = new VoterIndexRepository(this.#kv);
  /** The running node's view of the index: told when a block's votes are durable. */
  #cache: VoterCache | undefined;
  /**
   * The state commitment after the durable head, advanced from the stored blocks (a validator
   * stores the lattice and reads its tallies back; the simulator recomputes both).
   */
  #commitment = new StateCommitment();

  /** Lose everything, as a disk that burned down and was replaced by an empty one. */
  wipe(): void {
    this.#kv = new MemoryKv();
    this.#voters = new VoterIndexRepository(this.#kv);
    this.#cache = undefined;
    this.#commitment = new StateCommitment();
    this.safety = undefined;
    this.vouching = false;
    this.blocks = [];
    this.pool = new Map();
    this.replicated = new Set();
    this.evidence = [];
  }

  /** Height of the last durable finalized block (0 = genesis only). */
  get height(): number {
    return this.blocks.length;
  }

  /** Cursor of the last durable finalized block. */
  head(genesis: Genesis): ChainCursor {
    const top = this.blocks[this.blocks.length - 1];
    return top
      ? { height: top.block.header.height, hash: top.block.hash, slot: top.block.header.slot }
      : genesisCursor(genesis);
  }

  /** Make one persist op durable (validity is the checker's business, not the disk's). */
  apply(op: PersistOp): void {
    switch (op.kind) {
      case 'safety':
        this.safety = op.state;
        return;
      case 'finalize':
        this.blocks.push({ block: op.block, certificate: op.certificate });
        this.#commitment.apply(op.block.transactions, op.block.transactions.map(txHash));
        // The registry's records come with the op (the checker recomputes them from the chain).
        if (op.registryEntries !== undefined) this.#commitment.replace(op.registryEntries);
        this.#kv.writeSync(op.block.transactions.map((tx) => this.#voters.put(voterKey(tx), txHash(tx))));
        for (const tx of op.block.transactions) {
          this.pool.delete(txHash(tx));
          this.replicated.delete(txHash(tx));
        }
        this.#cache?.settle(op.block.header.height);
        return;
      case 'pool-add':
        for (const tx of op.txs) {
          const h = txHash(tx);
          if (!this.pool.has(h)) this.pool.set(h, tx);
        }
        return;
      case 'pool-remove':
        for (const h of op.hashes) {
          this.pool.delete(h);
          this.replicated.delete(h);
        }
        return;
      case 'pool-replicated':
        for (const h of op.hashes) if (this.pool.has(h)) this.replicated.add(h);
        return;
      case 'evidence':
        this.evidence.push(op.evidence);
        return;
      case 'vouching':
        this.vouching = true;
        return;
    }
  }

  /** Finalized blocks fromHeight.. (ascending, contiguous), at most max. */
  blocksFrom(fromHeight: number, max: number): FinalizedBlock[] {
    if (!Number.isSafeInteger(fromHeight) || !Number.isSafeInteger(max) || fromHeight < 1 || max < 1) return [];
    return this.blocks.slice(fromHeight - 1, fromHeight - 1 + Math.min(max, 512));
  }

  /** The finalized state a restarting node resumes from: the durable head, and the index read on demand. */
  restoreChain(genesis: Genesis): ChainState {
    const kv = this.#kv;
    const voters = this.#voters;
    this.#cache = new VoterCache(
      { getMany: (keys) => keys.map((k) => kv.getSync(voters.key(k)) as Hex | undefined) },
      { maxBytes: SIM_VOTER_CACHE_BYTES },
    );
    const head = this.head(genesis);
    return new ChainState(genesis, { head, voters: [] }, { voters: this.#cache, commitment: this.#commitment.clone() });
  }
}
