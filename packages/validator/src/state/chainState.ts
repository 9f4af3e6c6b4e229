/**
 * The finalized state the protocol rules need, read synchronously by the consensus core: the
 * head, and which transaction each (voter, election) has on chain. The latter lives in a
 * VoterStore: all of it in memory (VoterIndex, the default), or a prefetched, bounded view of
 * the index on disk (VoterCache, a validator's).
 */
import { type Block, type Genesis, type Hex, StateCommitment, genesisHash, txHash, voterKey } from '@poa-vote/shared';
import { VoterIndex } from './voterIndex.js';
import type { VoterStore } from './voterStore.js';
import type { BlockLattices } from './blockLattices.js';

export interface ChainHead {
  height: number;
  hash: Hex;
  /** Creation slot of the head block (0 for genesis). */
  slot: number;
}

export interface ChainStateSnapshot {
  head: ChainHead;
  /** (voterKey, tx hash) of every finalized transaction. */
  voters: Iterable<readonly [string, Hex]>;
}

export interface ChainStateOptions {
  /** Where the finalized votes are read from (default: a VoterIndex in memory, filled from the snapshot). */
  voters?: VoterStore;
  /**
   * The commitment of the state at the snapshot's head (default: computed from the snapshot's
   * voters, which is right only for a state without tallies, as the genesis).
   */
  commitment?: StateCommitment;
  /** Candidate blocks' voter entries hashed ahead of finality (a node's; default: none). */
  lattices?: BlockLattices;
}

/** Finalized chain state; only ever moves forward by `apply`. */
export class ChainState {
  #head: ChainHead;
  /** Every finalized vote (VoterIndex), or the loaded part of them (VoterCache). */
  readonly #voters: VoterStore;
  /** Commitment of the finalized state (its root is the next block's stateRoot). */
  #commitment: StateCommitment;
  readonly #lattices: BlockLattices | undefined;

  constructor(genesis: Genesis, snapshot?: ChainStateSnapshot, opts: ChainStateOptions = {}) {
    this.#head = snapshot ? { ...snapshot.head } : { height: 0, hash: genesisHash(genesis), slot: 0 };
    this.#voters = opts.voters ?? new VoterIndex();
    this.#commitment = opts.commitment ?? new StateCommitment();
    this.#lattices = opts.lattices;
    for (const [key, hash] of snapshot?.voters ?? []) {
      this.#voters.set(key, hash, this.#head.height);
      if (opts.commitment === undefined)
        this.#commitment.lattice.addEntry({ kind: 'voter', voterKey: key, txHash: hash });
    }
  }

  /** Commitment of the finalized state. */
  get commitment(): StateCommitment {
    return this.#commitment;
  }

  /** The stateRoot a block on top of the head carries. */
  get stateRoot(): Hex {
    return this.#commitment.root();
  }

  /** The store the finalized votes are read from. */
  get voters(): VoterStore {
    return this.#voters;
  }

  get head(): ChainHead {
    return this.#head;
  }

  /** Number of finalized transactions. */
  get txCount(): number {
    return this.#voters.size;
  }

  /** The finalized transaction of a (voter, election) pair, by voterKey. */
  voterTx(key: string): Hex | undefined {
    return this.#voters.get(key);
  }

  /** Whether a transaction is finalized. */
  hasTx(tx: { from: string; to: string }, hash: Hex): boolean {
    return this.#voters.get(voterKey(tx)) === hash;
  }

  /** A candidate block was stored: its voter entries may be hashed before it is final. */
  prepare(block: Block): void {
    this.#lattices?.prepare(block);
  }

  /** Advance by one finalized block (already validated against this state). */
  apply(block: Block): void {
    const h = block.header.height;
    const hashes = block.transactions.map(txHash);
    for (let i = 0; i < block.transactions.length; i++) {
      const tx = block.transactions[i];
      const hash = hashes[i];
      if (tx !== undefined && hash !== undefined) this.#voters.set(voterKey(tx), hash, h);
    }
    this.#commitment.apply(block.transactions, hashes, this.#lattices?.take(block));
    this.#head = { height: block.header.height, hash: block.hash, slot: block.header.slot };
  }

  /**
   * Undo the head block. Only the deliberately broken "revert a final block" variant of the
   * simulator's checker tests calls this: a correct node never reverts finalized state.
   */
  revert(block: Block, parent: ChainHead, commitment: StateCommitment): void {
    for (const tx of block.transactions) this.#voters.delete(voterKey(tx));
    this.#commitment = commitment;
    this.#head = { ...parent };
  }
}
