/**
 * The commit pipeline: persist, then send, then notify, the order that keeps a crash from
 * causing a double sign. Core steps run one at a time (they are synchronous); each step's write
 * is issued at once, and its messages, events and acknowledgements are released only once its
 * own write and every earlier one are on disk. CPU work on the next step thus overlaps the disk
 * work of the last, and outputs leave in step order.
 */
import type { Hex } from '@poa-vote/shared';
import type { Output } from '../consensus/index.js';
import type { ChainDb } from '../db/index.js';
import type { Logger } from './logger.js';

export interface CommitPipelineInit {
  db: Pick<ChainDb, 'apply'>;
  /** Release a durable step's output: sends, events. Called in step order. */
  deliver: (out: Output) => void;
  /** Around a step's write (e.g. to serve the finalized transactions it carries until readable). */
  onWriteStart?: (out: Output) => void;
  onWriteEnd?: (out: Output) => void;
  /** A write failed: durability can no longer be promised. Called once. */
  onFatal: (err: unknown) => void;
  logger: Logger;
}

export class CommitPipeline {
  readonly #init: CommitPipelineInit;
  /** Settles once every output produced so far is durable and delivered (sends, events, acks). */
  #delivered: Promise<void> = Promise.resolve();
  #stopped = false;
  #failed = false;

  constructor(init: CommitPipelineInit) {
    this.#init = init;
  }

  /** Whether a write has failed (nothing is delivered after that). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Run a core step now and commit its output (no-op once stopped). */
  run(step: () => Output): void {
    if (this.#stopped) return;
    this.commit(step()).catch(() => undefined);
  }

  /**
   * Write `out` (and the submission ids bound by it), then deliver it after every earlier
   * output. Resolves once delivered; rejects (after reporting the failure) if a write failed.
   */
  commit(out: Output, submissions?: { id: string; hash: Hex }[]): Promise<void> {
    const { db, deliver, onWriteStart, onWriteEnd } = this.#init;
    const writes = out.persist.length > 0 || (submissions !== undefined && submissions.length > 0);
    let written: Promise<void> | undefined;
    if (writes) {
      onWriteStart?.(out);
      written = db.apply(out.persist, submissions).finally(() => onWriteEnd?.(out));
    }
    const delivered = Promise.all([written, this.#delivered]).then(() => {
      if (!this.#failed) deliver(out);
    });
    this.#delivered = delivered.catch((e: unknown) => this.#fail(e));
    return delivered;
  }

  #fail(e: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#init.logger.error({ err: e }, 'storage failure: stopping the node');
    this.#init.onFatal(e);
  }

  /** Take no more steps; resolves once everything committed so far is delivered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#delivered;
  }
}
