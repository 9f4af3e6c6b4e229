/**
 * The finalized state the protocol rules need, held in memory for synchronous checks by the
 * consensus core: the head, and which transaction each (voter, election) has on chain.
 */
import { type Block, type Genesis, type Hex, genesisHash, txHash, voterKey } from '@poa-vote/shared';
import { VoterIndex } from './voterIndex.js';

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

/** Finalized chain state; only ever moves forward by `apply`. */
export class ChainState {
  #head: ChainHead;
  /** Every finalized vote: the memory that grows with the election, hence the compact table. */
  readonly #voters = new VoterIndex();

  constructor(genesis: Genesis, snapshot?: ChainStateSnapshot) {
    this.#head = snapshot ? { ...snapshot.head } : { height: 0, hash: genesisHash(genesis), slot: 0 };
    for (const [key, hash] of snapshot?.voters ?? []) this.#voters.set(key, hash);
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
    for (const tx of block.transactions) this.#voters.set(voterKey(tx), txHash(tx));
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
