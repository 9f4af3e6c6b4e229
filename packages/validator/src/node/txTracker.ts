/**
 * What the node knows about a transaction between submission and its receipt: rejected votes
 * (with the reason), the candidate block's transactions, and finalized transactions whose block
 * is still being written. `state(hash)` answers poa_getTransactionStatus.
 */
import { type Hex, type Transaction, txHash } from '@poa-vote/shared';
import type { ConsensusCore, CoreEvent, Output } from '../consensus/index.js';
import type { ChainDb } from '../db/index.js';
import type { TxState } from '../api/interface.js';

/** Rejected transactions remembered for status queries. */
const MAX_REJECTED = 100_000;

type Where = { blockHash: Hex; blockNumber: number; transactionIndex: number };

export class TxTracker {
  readonly #db: Pick<ChainDb, 'getTransaction'>;
  readonly #core: ConsensusCore;
  readonly #rejected = new Map<Hex, { reason: string; conflictsWith?: Hex }>();
  #candidateTxs = new Set<Hex>();
  /** Transactions of blocks finalized by the core whose batch is being written (not yet readable from the db). */
  readonly #writing = new Map<Hex, Where & { tx: Transaction }>();

  constructor(db: Pick<ChainDb, 'getTransaction'>, core: ConsensusCore) {
    this.#db = db;
    this.#core = core;
  }

  /** A step's write starts: its finalized transactions are served from memory until readable. */
  writeStarted(out: Output): void {
    for (const [hash, where] of finalizing(out)) this.#writing.set(hash, where);
  }

  writeEnded(out: Output): void {
    for (const [hash] of finalizing(out)) this.#writing.delete(hash);
  }

  /** A finalized transaction whose block is being written (not yet readable from the db). */
  writing(hash: Hex): (Where & { tx: Transaction; hash: Hex }) | undefined {
    const w = this.#writing.get(hash);
    return w && { ...w, hash };
  }

  /** Follow a delivered core event. */
  onEvent(e: CoreEvent): void {
    switch (e.type) {
      case 'finalized':
        for (const tx of e.block.transactions) this.#candidateTxs.delete(txHash(tx));
        break;
      case 'polka':
        this.#candidateTxs = new Set(e.block.transactions.map((t) => txHash(t)));
        break;
      case 'tx-rejected': {
        if (this.#rejected.size >= MAX_REJECTED) {
          const oldest = this.#rejected.keys().next();
          if (oldest.done !== true) this.#rejected.delete(oldest.value);
        }
        this.#rejected.set(e.hash, {
          reason: e.reason,
          ...(e.conflictsWith ? { conflictsWith: e.conflictsWith } : {}),
        });
        break;
      }
      default:
        break;
    }
  }

  /** Where a transaction stands, from the most to the least settled source. */
  async state(hash: Hex): Promise<TxState> {
    const r = await this.#db.getTransaction(hash);
    if (r) return finalizedState(hash, r);
    const writing = this.#writing.get(hash);
    if (writing) return { state: 'included', hash, blockHash: writing.blockHash, blockNumber: writing.blockNumber };
    const candidate = this.#core.candidate;
    if (candidate && this.#candidateTxs.has(hash))
      return { state: 'included', hash, blockHash: candidate.block.hash, blockNumber: candidate.block.header.height };
    if (this.#core.pool.has(hash)) return { state: this.#core.isReplicated(hash) ? 'replicated' : 'accepted', hash };
    const rej = this.#rejected.get(hash);
    if (rej) return { state: 'rejected', hash, ...rej };
    // Its block's write may have ended (and left memory) while the db was read: read once more.
    const late = await this.#db.getTransaction(hash);
    if (late) return finalizedState(hash, late);
    return { state: 'unknown', hash };
  }
}

function finalizedState(hash: Hex, at: Where): TxState {
  return {
    state: 'finalized',
    hash,
    blockHash: at.blockHash,
    blockNumber: at.blockNumber,
    transactionIndex: at.transactionIndex,
  };
}

function finalizing(out: Output): (readonly [Hex, Where & { tx: Transaction }])[] {
  return out.persist.flatMap((op) =>
    op.kind === 'finalize'
      ? op.block.transactions.map(
          (tx, transactionIndex) =>
            [
              txHash(tx),
              { tx, blockHash: op.block.hash, blockNumber: op.block.header.height, transactionIndex },
            ] as const,
        )
      : [],
  );
}
