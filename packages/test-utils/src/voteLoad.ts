/**
 * A steady vote load against a validator network, driven the way a client library would: each
 * batch goes to one validator (round robin), and whatever that validator does not acknowledge
 * (connection refused, timeout, "unavailable") is resent, identical, to the next one. An
 * identical resubmission has the same hash, so a retry can never make a second vote.
 */
import { type Hex, type Transaction, txHash } from '@poa-vote/shared';
import { rpcBatch } from './http.js';
import { sleep } from './waitFor.js';

/** A vote some validator acknowledged (answered eth_sendTransaction with its hash). */
export interface AckedVote {
  hash: Hex;
  tx: Transaction;
  candidate: string;
  /** Index of the validator that acknowledged it. */
  via: number;
  /** When the acknowledgement arrived (ms). */
  at: number;
  /** Sends it took (1 = the first validator tried acknowledged it). */
  attempts: number;
}

interface Outstanding {
  hash: Hex;
  tx: Transaction;
  candidate: string;
  attempts: number;
}

export interface VoteLoadOptions {
  /** Validator URLs, by index. */
  urls: string[];
  electionId: string;
  /** Voter ids are `${voterPrefix}-${n}`: unique per load. */
  voterPrefix: string;
  candidates?: string[];
  /** Request loops running in parallel. */
  concurrency?: number;
  /** Votes per JSON-RPC batch request. */
  batchSize?: number;
  /** Pause of each loop between its requests, ms. */
  pauseMs?: number;
  /** A validator that does not answer within this is skipped (a paused process never answers). */
  requestTimeoutMs?: number;
  /** Most new votes per second over all loops (0: as fast as the validators answer). */
  maxRate?: number;
  /** Where acknowledged votes are collected (shared between loads on one election). */
  acked?: Map<Hex, AckedVote>;
  /** Called as soon as a validator's answer acknowledged votes (before anything else runs). */
  onAck?: (via: number, hashes: Hex[]) => void;
}

/**
 * JSON-RPC codes that mean "this validator cannot take it now; another may": unavailable (also
 * recovering), limit, pool full, not replicated in time, internal.
 */
const RETRY_CODES = new Set([-32002, -32005, -32011, -32012, -32603, 0]);

/** Ballot data as the existing backends send it: base64 JSON naming the candidate. */
export function ballot(candidate: string): string {
  return Buffer.from(JSON.stringify({ candidate_id: candidate })).toString('base64');
}

export class VoteLoad {
  readonly acked: Map<Hex, AckedVote>;
  /** Votes sent but not yet acknowledged by any validator. */
  readonly outstanding = new Map<Hex, Outstanding>();
  /** Votes a validator refused for good (double vote, invalid): a test bug or a node bug. */
  readonly refused: { hash: Hex; via: number; code: number; message: string }[] = [];
  /** Acknowledgements per validator index. */
  readonly ackedBy: number[];
  /** Sends that failed and moved on to the next validator. */
  failovers = 0;
  requests = 0;
  /** Validators the load does not send to (e.g. one about to be wiped). */
  readonly avoid = new Set<number>();
  /** Answers per JSON-RPC error code (retried or not). */
  readonly errorCodes = new Map<number, number>();
  readonly #o: Required<Omit<VoteLoadOptions, 'acked' | 'onAck'>>;
  readonly #onAck: VoteLoadOptions['onAck'];
  #seq = 0;
  #rr = 0;
  #nextBatchAt = 0;
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(opts: VoteLoadOptions) {
    this.#o = {
      candidates: ['alice', 'bob', 'carol'],
      concurrency: 3,
      batchSize: 5,
      pauseMs: 100,
      requestTimeoutMs: 1500,
      maxRate: 0,
      ...opts,
    };
    this.acked = opts.acked ?? new Map();
    this.ackedBy = opts.urls.map(() => 0);
    this.#onAck = opts.onAck;
  }

  /** Start sending. */
  start(): this {
    if (this.#running) return this;
    this.#running = true;
    for (let k = 0; k < this.#o.concurrency; k++) this.#loops.push(this.#loop());
    return this;
  }

  /** Votes this load acknowledged. */
  get ackedCount(): number {
    let n = 0;
    for (const v of this.acked.values()) if (v.tx.from.startsWith(`${this.#o.voterPrefix}-`)) n++;
    return n;
  }

  /** Stop making new votes, then resend the unacknowledged ones until acknowledged or timeoutMs passes. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
    const end = Date.now() + timeoutMs;
    while (this.outstanding.size > 0 && Date.now() < end) {
      await this.#send([...this.outstanding.values()].slice(0, 200));
      if (this.outstanding.size > 0) await sleep(200);
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.#o.maxRate > 0) {
        // Each batch reserves its share of the rate; a loop waits for its reservation.
        const now = Date.now();
        const at = Math.max(now, this.#nextBatchAt);
        this.#nextBatchAt = at + (this.#o.batchSize * 1000) / this.#o.maxRate;
        if (at > now) await sleep(at - now);
        if (!this.#running) break;
      }
      const batch: Outstanding[] = [];
      for (let k = 0; k < this.#o.batchSize; k++) {
        const n = this.#seq++;
        const candidate = this.#o.candidates[n % this.#o.candidates.length]!;
        const tx: Transaction = {
          from: `${this.#o.voterPrefix}-${n}`,
          to: `election-${this.#o.electionId}`,
          data: ballot(candidate),
        };
        const v: Outstanding = { hash: txHash(tx), tx, candidate, attempts: 0 };
        this.outstanding.set(v.hash, v);
        batch.push(v);
      }
      await this.#send(batch);
      if (this.#o.pauseMs > 0) await sleep(this.#o.pauseMs);
    }
  }

  /** Send to one validator after another until each vote is acknowledged or every validator was tried. */
  async #send(votes: Outstanding[]): Promise<void> {
    const n = this.#o.urls.length;
    const first = this.#rr++ % n;
    let left = votes;
    for (let k = 0; k < n && left.length > 0; k++) {
      const via = (first + k) % n;
      if (this.avoid.has(via)) continue;
      if (k > 0) this.failovers++;
      left = await this.#sendTo(via, left);
    }
  }

  async #sendTo(via: number, votes: Outstanding[]): Promise<Outstanding[]> {
    this.requests++;
    let answers: Record<string, unknown>[];
    try {
      answers = await rpcBatch(
        this.#o.urls[via]!,
        votes.map((v) => ({ method: 'eth_sendTransaction', params: [v.tx] })),
        this.#o.requestTimeoutMs,
      );
    } catch {
      for (const v of votes) v.attempts++;
      return votes;
    }
    const left: Outstanding[] = [];
    const ackedNow: Hex[] = [];
    votes.forEach((v, k) => {
      v.attempts++;
      const a = answers[k]!;
      if (typeof a.result === 'string') {
        if (a.result !== v.hash) {
          this.refused.push({
            hash: v.hash,
            via,
            code: 0,
            message: `acknowledged with hash ${a.result}, expected ${v.hash}`,
          });
          this.outstanding.delete(v.hash);
          return;
        }
        this.outstanding.delete(v.hash);
        if (!this.acked.has(v.hash)) {
          this.acked.set(v.hash, {
            hash: v.hash,
            tx: v.tx,
            candidate: v.candidate,
            via,
            at: Date.now(),
            attempts: v.attempts,
          });
          this.ackedBy[via]!++;
          ackedNow.push(v.hash);
        }
        return;
      }
      const err = (a.error ?? {}) as { code?: number; message?: string };
      this.errorCodes.set(err.code ?? 0, (this.errorCodes.get(err.code ?? 0) ?? 0) + 1);
      if (RETRY_CODES.has(err.code ?? 0)) {
        left.push(v);
        return;
      }
      this.outstanding.delete(v.hash);
      this.refused.push({
        hash: v.hash,
        via,
        code: err.code ?? 0,
        message: err.message ?? JSON.stringify(a).slice(0, 200),
      });
    });
    if (ackedNow.length > 0) this.#onAck?.(via, ackedNow);
    return left;
  }
}
