/**
 * The commit pipeline: persist, then send, then notify, the order that keeps a crash from
 * causing a double sign. Core steps run one at a time (they are synchronous); each step's write
 * is issued at once, and its messages, events and acknowledgements are released only once its
 * own write and every earlier one are on disk. CPU work on the next step thus overlaps the disk
 * work of the last, and outputs leave in step order.
 *
 * A step may first need state loaded from disk (the voters of the transactions it brings, see
 * consensus/reads.ts): it then runs once that is in memory, and steps keep their call order.
 * A step that throws stops the node like a failed write: the core's state can no longer be trusted.
 */
import type { Hex } from '@poa-vote/shared';
import type { Output } from '../consensus/index.js';
import type { ChainDb } from '../db/index.js';
import type { VoterLease } from '../state/voterCache.js';
import type { Logger } from '../util/logger.js';

export interface CommitPipelineInit {
  db: Pick<ChainDb, 'apply'>;
  /** Release a durable step's output: sends, events. Called in step order. */
  deliver: (out: Output) => void;
  /** Around a step's write (e.g. to serve the finalized transactions it carries until readable). */
  onWriteStart?: (out: Output) => void;
  onWriteEnd?: (out: Output) => void;
  /** After each step run through `run`/`step` (e.g. to let go of state the core no longer holds). */
  afterStep?: () => void;
  /** A write failed or a step threw: durability can no longer be promised. Called once. */
  onFatal: (err: unknown) => void;
  logger: Logger;
}

export class CommitPipeline {
  readonly #init: CommitPipelineInit;
  /** Steps waiting for their state to load, or behind one that is. */
  #waiting = 0;
  #tail: Promise<void> = Promise.resolve();
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

  /** Run a core step (once `lease` is ready, after earlier steps) and commit its output; no-op once stopped. */
  run(step: () => Output, lease?: VoterLease): void {
    this.step(() => {
      this.commit(step()).catch(() => undefined);
    }, lease);
  }

  /**
   * Run `fn` once `lease` is ready (at once when nothing is loading and no earlier step waits),
   * then release the lease. Steps run in call order; `skipped` is called instead of `fn` once
   * the pipeline has stopped or failed.
   */
  step(fn: () => void, lease?: VoterLease, skipped?: () => void): void {
    if (this.#stopped || this.#failed) {
      lease?.release();
      skipped?.();
      return;
    }
    if (this.#waiting === 0 && lease?.ready === undefined) {
      this.#exec(fn, lease);
      return;
    }
    this.#waiting++;
    const ready = lease?.ready;
    this.#tail = this.#tail
      .then(() => ready)
      .then(
        () => {
          this.#waiting--;
          if (!this.#stopped && !this.#failed) {
            this.#exec(fn, lease);
            return;
          }
          lease?.release();
          skipped?.();
        },
        (e: unknown) => {
          this.#waiting--;
          lease?.release();
          this.#fail(e);
          skipped?.();
        },
      );
  }

  #exec(fn: () => void, lease: VoterLease | undefined): void {
    try {
      fn();
    } catch (e) {
      this.#fail(e);
    } finally {
      lease?.release();
      this.#init.afterStep?.();
    }
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
    this.#init.logger.error({ err: e }, 'storage or step failure: stopping the node');
    this.#init.onFatal(e);
  }

  /** Take no more steps; resolves once everything committed so far is delivered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#tail;
    await this.#delivered;
  }
}
