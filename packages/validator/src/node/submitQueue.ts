/**
 * Submissions: group commit and quorum acknowledgements. Votes arriving within a short window go
 * through one core step (one pool write, one gossip batch, one acknowledgement per peer), and
 * each is acknowledged once durable here and, in quorum mode, held by a quorum of validators: a
 * vote the client saw accepted survives the loss of any one machine (docs/DURABILITY.md).
 */
import { type Genesis, type Hex, type Transaction, quorumSize, txHash } from '@poa-vote/shared';
import type { ConsensusCore, CoreEvent } from '../consensus/index.js';
import type { SubmitOutcome } from '../api/interface.js';
import type { VoterLease } from '../state/voterCache.js';
import type { CommitPipeline } from './commitPipeline.js';
import type { Logger } from '../util/logger.js';
import { Coalescer } from '../util/coalescer.js';

/**
 * Least time between two flushes: submissions arriving within it go through one core step (the
 * first one after a quiet spell is flushed at once, util/coalescer.ts). Short against the
 * acknowledgement latency (a round trip plus a peer's write), long enough that a stream of
 * single votes does not cost a batch each.
 */
const SUBMIT_WINDOW_MS = 5;

export type SubmitItem = { tx: Transaction; submissionId?: string | undefined };

interface PendingSubmit {
  items: SubmitItem[];
  resolve: (r: SubmitOutcome[]) => void;
  reject: (e: unknown) => void;
}

/** A client waiting for a quorum to hold a vote. */
interface AckWaiter {
  resolve: (o: SubmitOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface SubmitQueueInit {
  genesis: Genesis;
  core: ConsensusCore;
  pipeline: Pick<CommitPipeline, 'commit' | 'step'>;
  /** Load what the core reads to admit these transactions (their voters' finalized votes); see consensus/reads.ts. */
  load?: (txs: readonly Transaction[]) => VoterLease;
  /** 'local': acknowledge once durable here (the fault tests' control); 'quorum': once a quorum holds it. */
  ackMode: 'quorum' | 'local';
  ackTimeoutMs: number;
  logger: Logger;
}

const shuttingDown = (): SubmitOutcome => ({ ok: false, code: 'UNAVAILABLE', message: 'node is shutting down' });

export class SubmitQueue {
  readonly #init: SubmitQueueInit;
  #pending: PendingSubmit[] = [];
  /** A lone vote after a quiet spell is flushed at once; a stream of them once per window. */
  readonly #when = new Coalescer(SUBMIT_WINDOW_MS, () => this.#flush());
  #stopped = false;
  /** Clients waiting for their votes to reach a quorum, by tx hash. */
  readonly #ackWaiters = new Map<Hex, AckWaiter[]>();

  constructor(init: SubmitQueueInit) {
    this.#init = init;
  }

  /** Submit votes; resolves with one outcome per item once each is acknowledged or refused. */
  submit(items: SubmitItem[]): Promise<SubmitOutcome[]> {
    if (this.#stopped) return Promise.resolve(items.map(shuttingDown));
    return new Promise((resolve, reject) => {
      this.#pending.push({ items, resolve, reject });
      this.#when.schedule();
    });
  }

  /** Settle the waiters a delivered core event decides. */
  onEvent(e: CoreEvent): void {
    switch (e.type) {
      case 'finalized':
        for (const tx of e.block.transactions) {
          const hash = txHash(tx);
          this.#settle(hash, { ok: true, hash, known: false });
        }
        break;
      case 'tx-rejected':
        this.#settle(e.hash, {
          ok: false,
          hash: e.hash,
          code: e.code ?? 'TX_DOUBLE_VOTE',
          message: e.reason,
          ...(e.conflictsWith ? { conflictsWith: e.conflictsWith } : {}),
        });
        break;
      case 'tx-replicated':
        for (const hash of e.hashes) this.#settle(hash, { ok: true, hash, known: false });
        break;
      default:
        break;
    }
  }

  /** Group commit: every submission that arrived since the last flush goes through one core step and one batch. */
  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    if (this.#stopped) {
      for (const b of batch) b.resolve(b.items.map(shuttingDown));
      return;
    }
    const txs = batch.flatMap((b) => b.items.map((i) => i.tx));
    this.#init.pipeline.step(
      () => {
        try {
          this.#admit(batch, txs);
        } catch (e) {
          for (const b of batch) b.reject(e);
          throw e;
        }
      },
      this.#init.load?.(txs),
      () => {
        for (const b of batch) b.resolve(b.items.map(shuttingDown));
      },
    );
  }

  /** One core step for the whole group, once what it reads is loaded. */
  #admit(batch: PendingSubmit[], txs: Transaction[]): void {
    const { core, pipeline, ackMode } = this.#init;
    const { results, output } = core.submit(txs);
    const resultOf = (k: number) => {
      const r = results[k];
      if (r === undefined)
        throw new Error(`core.submit returned ${results.length} results for ${txs.length} transactions`);
      return r;
    };
    const submissions: { id: string; hash: Hex }[] = [];
    let k = 0;
    for (const b of batch) {
      for (const item of b.items) {
        const r = resultOf(k++);
        if (item.submissionId !== undefined && item.submissionId.length > 0 && r.status !== 'rejected')
          submissions.push({ id: item.submissionId, hash: r.hash });
      }
    }
    pipeline
      .commit(output, submissions)
      .then(() => {
        k = 0;
        for (const b of batch) {
          const outcomes = b.items.map((): Promise<SubmitOutcome> | SubmitOutcome => {
            const r = resultOf(k++);
            if (r.status === 'accepted' || r.status === 'known') {
              const ok: SubmitOutcome = { ok: true, hash: r.hash, known: r.status === 'known' };
              if (r.replicated || ackMode === 'local') return ok;
              return this.#waitForQuorum(r.hash).then((o) => (o.ok ? ok : o));
            }
            if (r.code === 'TX_DOUBLE_VOTE')
              return { ok: false, hash: r.hash, code: r.code, message: r.message, conflictsWith: r.conflictsWith };
            if (r.code === 'TX_INVALID')
              return { ok: false, hash: r.hash, code: r.code, message: r.message, details: r.data };
            return { ok: false, hash: r.hash, code: r.code, message: r.message };
          });
          void Promise.all(outcomes).then(b.resolve, b.reject);
        }
      })
      .catch((e: unknown) => {
        for (const b of batch) b.reject(e);
      });
  }

  /** Resolve once a quorum holds `hash` (or it is final, or lost to a conflicting vote), or after ackTimeoutMs. */
  #waitForQuorum(hash: Hex): Promise<SubmitOutcome> {
    const { core, genesis, ackTimeoutMs } = this.#init;
    if (core.isReplicated(hash)) return Promise.resolve({ ok: true, hash, known: false });
    if (this.#stopped) return Promise.resolve(this.#stoppedWaiting(hash));
    return new Promise((resolve) => {
      const waiter: AckWaiter = {
        resolve,
        timer: setTimeout(() => {
          const list = this.#ackWaiters.get(hash);
          const i = list?.indexOf(waiter) ?? -1;
          if (list && i >= 0) list.splice(i, 1);
          if (list && list.length === 0) this.#ackWaiters.delete(hash);
          const holders = core.pool.get(hash)?.holders.length ?? 0;
          const needed = quorumSize(genesis);
          resolve({
            ok: false,
            hash,
            code: 'TX_NOT_REPLICATED',
            holders,
            needed,
            message: `vote ${hash} is held by ${holders} of the ${needed} validators needed after ${ackTimeoutMs} ms; it stays pooled here, and resubmitting the identical vote to any validator is safe`,
          });
        }, ackTimeoutMs),
      };
      const list = this.#ackWaiters.get(hash);
      if (list) list.push(waiter);
      else this.#ackWaiters.set(hash, [waiter]);
    });
  }

  #settle(hash: Hex, outcome: SubmitOutcome): void {
    const list = this.#ackWaiters.get(hash);
    if (!list) return;
    this.#ackWaiters.delete(hash);
    for (const w of list) {
      clearTimeout(w.timer);
      w.resolve(outcome);
    }
  }

  #stoppedWaiting(hash: Hex): SubmitOutcome {
    return {
      ok: false,
      hash,
      code: 'UNAVAILABLE',
      message:
        'node is shutting down before a quorum confirmed the vote; resubmit the identical vote to another validator',
    };
  }

  /** Refuse new submissions; answer every waiting client (their votes stay pooled on disk). */
  stop(): void {
    this.#stopped = true;
    // Answered, not thrown: a client whose votes were queued at shutdown gets -32002 (retry
    // elsewhere), and the API does not log a shutdown as an internal error.
    for (const p of this.#pending) p.resolve(p.items.map(() => shuttingDown()));
    this.#pending = [];
    this.#when.cancel();
    for (const [hash, waiters] of this.#ackWaiters) {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve(this.#stoppedWaiting(hash));
      }
    }
    this.#ackWaiters.clear();
  }
}
