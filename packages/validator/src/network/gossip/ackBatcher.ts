/**
 * Coalesces the acknowledgements a validator sends within a short window into one message. A
 * validator that receives many small batches would otherwise answer each with its own message
 * (a frame, an encryption and a core step at every peer).
 */
import type { TxAck } from '../../consensus/interface.js';
import { Coalescer } from '../../util/coalescer.js';
import { MAX_ACKS_PER_MESSAGE } from './validation.js';

export interface AckBatcherOptions {
  /** Least time between two acknowledgement messages, ms (the first after a quiet spell leaves at once). */
  windowMs: number;
  /** Receives each coalesced list (at most MAX_ACKS_PER_MESSAGE acknowledgements). */
  flush: (acks: TxAck[]) => void;
}

/** Time-windowed accumulator of acknowledgements. */
export class AckBatcher {
  #pending: TxAck[] = [];
  readonly #when: Coalescer;

  constructor(private readonly opts: AckBatcherOptions) {
    this.#when = new Coalescer(opts.windowMs, () => this.#emit());
  }

  /**
   * Queue acknowledgements; a full message leaves at once, the rest on the next turn of the event
   * loop if none left within the window, else when the window closes (util/coalescer.ts).
   */
  add(acks: readonly TxAck[]): void {
    for (const a of acks) {
      this.#pending.push(a);
      if (this.#pending.length >= MAX_ACKS_PER_MESSAGE) this.#emit();
    }
    if (this.#pending.length > 0) this.#when.schedule();
  }

  /** Hand over what waits (to ride along another message), cancelling its own message. */
  take(): TxAck[] {
    const acks = this.#pending;
    this.#pending = [];
    if (acks.length > 0) this.#when.flushed();
    return acks;
  }

  /** Drop what waits (the network is stopping). */
  clear(): void {
    this.#when.cancel();
    this.#pending = [];
  }

  #emit(): void {
    this.#when.cancel();
    const acks = this.#pending;
    this.#pending = [];
    if (acks.length > 0) this.opts.flush(acks);
  }
}
