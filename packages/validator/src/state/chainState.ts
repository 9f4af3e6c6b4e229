/**
 * The finalized state the protocol rules need, read synchronously by the consensus core: the
 * head, and which transaction each (voter, election) has on chain. The latter lives in a
 * VoterStore: all of it in memory (VoterIndex, the default), or a prefetched, bounded view of
 * the index on disk (VoterCache, a validator's).
 */
import { type Block, type Genesis, type Hex, genesisHash, txHash, voterKey } from '@poa-vote/shared';
import { VoterIndex } from './voterIndex.js';
import type { VoterStore } from './voterStore.js';

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
}

/** Finalized chain state; only ever moves forward by `apply`. */
export class ChainState {
  #head: ChainHead;
  /** Every finalized vote (VoterIndex), or the loaded part of them (VoterCache). */
  readonly #voters: VoterStore;

  constructor(genesis: Genesis, snapshot?: ChainStateSnapshot, opts: ChainStateOptions = {}) {
    this.#head = snapshot ? { ...snapshot.head } : { height: 0, hash: genesisHash(genesis), slot: 0 };
    this.#voters = opts.voters ?? new VoterIndex();
    for (const [key, hash] of snapshot?.voters ?? []) this.#voters.set(key, hash, this.#head.height);
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

  /** Advance by one finalized block (already validated against this state). */
  apply(block: Block): void {
    const h = block.header.height;
    for (const tx of block.transactions) this.#voters.set(voterKey(tx), txHash(tx), h);
    this.#head = { height: block.header.height, hash: block.hash, slot: block.header.slot };
  }

  /**
   * Undo the head block. Only the deliberately broken "revert a final block" variant of the
   * simulator's checker tests calls this: a correct node never reverts finalized state.
   */
  revert(block: Block, parent: ChainHead): void {
    for (const tx of block.transactions) this.#voters.delete(voterKey(tx));
    this.#head = { ...parent };
  }
}
