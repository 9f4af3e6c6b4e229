/**
 * What the node knows about a transaction between submission and its receipt: rejected votes
 * (with the reason), the candidate block's transactions, and finalized transactions whose block
 * is still being written. `state(hash)` answers poa_getTransactionStatus.
 */
import { type Hex, type Transaction, txHash } from '@poa-vote/shared';
import type { ConsensusCore, CoreEvent, Output } from '../consensus/index.js';
import type { ChainDb } from '../db/index.js';
import type { TxState } from '../api/interface.js';

/**
 * Bytes of rejected transactions remembered for status queries (estimated: the reason's and the
 * hashes' characters plus an entry's overhead), oldest forgotten first. A reason names the voter
 * and the election, so a count bound alone let its size follow what clients sent: 100,000 entries
 * of up to ~600 bytes (docs/SECURITY.md).
 */
export const DEFAULT_MAX_REJECTED_BYTES = 4 * 1024 * 1024;
/** Estimated bytes of one remembered rejection beyond its strings (Map entry, object, hash key). */
const REJECTED_ENTRY_OVERHEAD = 160;

interface Rejection {
  reason: string;
  conflictsWith?: Hex;
}

function rejectionBytes(hash: Hex, r: Rejection): number {
  return REJECTED_ENTRY_OVERHEAD + hash.length + r.reason.length + (r.conflictsWith?.length ?? 0);
}

type Where = { blockHash: Hex; blockNumber: number; transactionIndex: number };

export class TxTracker {
  readonly #db: Pick<ChainDb, 'getTransaction'>;
  readonly #core: ConsensusCore;
  readonly #rejected = new Map<Hex, Rejection>();
  #rejectedBytes = 0;
  readonly #maxRejectedBytes: number;
  #candidateTxs = new Set<Hex>();
  /** Transactions of blocks finalized by the core whose batch is being written (not yet readable from the db). */
  readonly #writing = new Map<Hex, Where & { tx: Transaction }>();

  constructor(db: Pick<ChainDb, 'getTransaction'>, core: ConsensusCore, opts: { maxRejectedBytes?: number } = {}) {
    this.#db = db;
    this.#core = core;
    this.#maxRejectedBytes = opts.maxRejectedBytes ?? DEFAULT_MAX_REJECTED_BYTES;
  }

  /** Estimated bytes of the rejections remembered (at most the bound). */
  get rejectedBytes(): number {
    return this.#rejectedBytes;
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
      case 'tx-rejected':
        this.#remember(e.hash, { reason: e.reason, ...(e.conflictsWith ? { conflictsWith: e.conflictsWith } : {}) });
        break;
      default:
        break;
    }
  }

  #remember(hash: Hex, r: Rejection): void {
    const known = this.#rejected.get(hash);
    if (known !== undefined) {
      this.#rejected.delete(hash);
      this.#rejectedBytes -= rejectionBytes(hash, known);
    }
    const bytes = rejectionBytes(hash, r);
    if (bytes > this.#maxRejectedBytes) return;
    for (const [old, o] of this.#rejected) {
      if (this.#rejectedBytes + bytes <= this.#maxRejectedBytes) break;
      this.#rejected.delete(old);
      this.#rejectedBytes -= rejectionBytes(old, o);
    }
    this.#rejected.set(hash, r);
    this.#rejectedBytes += bytes;
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
