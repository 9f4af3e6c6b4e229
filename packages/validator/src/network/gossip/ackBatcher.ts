/**
 * Coalesces the acknowledgements a validator sends within a short window into one gossip
 * message. Each gossip message costs a signature and a verification per peer; a validator that
 * receives many small batches would otherwise answer each with its own message.
 */
import type { TxAck } from '../../consensus/interface.js';
import { MAX_ACKS_PER_MESSAGE } from './validation.js';

export interface AckBatcherOptions {
  /** How long the first acknowledgement of a message may wait, ms. */
  windowMs: number;
  /** Receives each coalesced list (at most MAX_ACKS_PER_MESSAGE acknowledgements). */
  flush: (acks: TxAck[]) => void;
}

/** Time-windowed accumulator of acknowledgements. */
export class AckBatcher {
  #pending: TxAck[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AckBatcherOptions) {}

  /** Queue acknowledgements; a full message leaves at once, the rest when the window closes. */
  add(acks: readonly TxAck[]): void {
    for (const a of acks) {
      this.#pending.push(a);
      if (this.#pending.length >= MAX_ACKS_PER_MESSAGE) this.#emit();
    }
    if (this.#pending.length > 0 && this.#timer === undefined)
      this.#timer = setTimeout(() => this.#emit(), this.opts.windowMs);
  }

  /** Hand over what waits (to ride along another message), cancelling its own message. */
  take(): TxAck[] {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const acks = this.#pending;
    this.#pending = [];
    return acks;
  }

  /** Drop what waits (the network is stopping). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }

  #emit(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const acks = this.#pending;
    this.#pending = [];
    if (acks.length > 0) this.opts.flush(acks);
  }
}
