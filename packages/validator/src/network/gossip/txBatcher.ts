/**
 * Coalesces transactions handed to the network within a short window into one gossip message,
 * so a burst of votes costs one signature, one message id and one RPC per peer instead of one each.
 */
import type { Transaction } from '@poa-vote/shared';

/** Bytes of the envelope {"type":"txs","txs":[]} around the transactions. */
const ENVELOPE_BYTES = 24;

export interface TxBatcherOptions {
  /** How long the first transaction of a batch may wait, ms. */
  windowMs: number;
  /** Largest encoded batch, bytes; a bigger single transaction is sent alone. */
  maxBytes: number;
  /** Most transactions in one batch. */
  maxTxs: number;
  /** Receives each batch. */
  flush: (txs: Transaction[]) => void;
}

/** Size-capped, time-windowed accumulator of transactions. */
export class TxBatcher {
  #pending: Transaction[] = [];
  #bytes = ENVELOPE_BYTES;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TxBatcherOptions) {}

  /** Queue transactions; full batches leave at once, the rest when the window closes. */
  add(txs: readonly Transaction[]): void {
    for (const tx of txs) {
      // Exactly what the batch's JSON will hold for this transaction, plus its comma.
      const size = Buffer.byteLength(JSON.stringify(tx)) + 1;
      if (this.#pending.length > 0 && (this.#bytes + size > this.opts.maxBytes || this.#pending.length >= this.opts.maxTxs)) this.flush();
      this.#pending.push(tx);
      this.#bytes += size;
    }
    if (this.#pending.length > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.opts.windowMs);
    }
  }

  /** Send what is pending now. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#bytes = ENVELOPE_BYTES;
    this.opts.flush(batch);
  }

  /** Drop what is pending (shutdown). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.#bytes = ENVELOPE_BYTES;
  }
}
