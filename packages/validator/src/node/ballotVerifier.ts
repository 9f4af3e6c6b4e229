/**
 * Ballot verification off the event loop: before a core step that brings encrypted ballots (a
 * client submission, a peer's batch, a proposal, a block), their proofs are checked in worker
 * threads and the verdicts handed to the election state (rememberVerified), so the synchronous
 * check in the core finds them done. Steps keep their order (the commit pipeline waits for the
 * step's lease); a ballot refused here, or not verified for any reason, is simply verified again by
 * the core, which stays the judge: this module only moves work to other cores.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ElectionParams, type ElectionRegistry, type Hex, type Transaction, txHash } from '@poa-vote/shared';
import type { ConsensusMessage } from '../consensus/index.js';
import type { VoterLease } from '../state/voterCache.js';
import type { VerifyRequest, VerifyResponse } from './ballotWorker.js';
import type { Logger } from '../util/logger.js';

/** Ballots waiting for a worker beyond which new ones are left to the core. */
const MAX_PENDING = 50_000;

export interface BallotVerifierInit {
  registry: ElectionRegistry;
  /** Worker threads (default: the cores but one, at least one). */
  workers?: number;
  logger: Logger;
}

interface PoolWorker {
  worker: Worker;
  keys: Set<string>;
  pending: Map<number, (r: VerifyResponse | undefined) => void>;
  alive: boolean;
}

/** The default number of ballot workers: every core but the one the event loop runs on. */
export function defaultBallotWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A lease that is also ready once `ballots` settles (the voter lease's release is kept). */
export function withBallots(lease: VoterLease, ballots: Promise<void> | undefined): VoterLease {
  if (ballots === undefined) return lease;
  const ready = lease.ready === undefined ? ballots : Promise.all([lease.ready, ballots]).then(() => undefined);
  return { ready, release: () => lease.release() };
}

function isTx(t: unknown): t is Transaction {
  if (typeof t !== 'object' || t === null) return false;
  const { from, to, data } = t as Partial<Transaction>;
  return typeof from === 'string' && typeof to === 'string' && typeof data === 'string';
}

function blockTxs(block: unknown): unknown[] {
  const txs = typeof block === 'object' && block !== null ? (block as { transactions?: unknown }).transactions : [];
  return Array.isArray(txs) ? txs : [];
}

/** The transactions a (not yet validated) message brings. */
export function messageTxs(msg: ConsensusMessage): Transaction[] {
  let out: unknown[] = [];
  switch (msg.type) {
    case 'txs':
      out = Array.isArray(msg.txs) ? msg.txs : [];
      break;
    case 'proposal':
      out = blockTxs((msg.proposal as { block?: unknown } | undefined)?.block);
      break;
    case 'block-response':
      out = blockTxs(msg.block);
      break;
    case 'sync-response':
      out = Array.isArray(msg.blocks) ? msg.blocks.flatMap((fb) => blockTxs((fb as { block?: unknown })?.block)) : [];
      break;
    case 'pool-response':
      out = Array.isArray(msg.entries) ? msg.entries.map((e) => (e as { tx?: unknown })?.tx) : [];
      break;
    default:
      break;
  }
  return out.filter(isTx);
}

export class BallotVerifier {
  readonly #init: BallotVerifierInit;
  readonly #workers: PoolWorker[] = [];
  /** Ballots being verified, by transaction hash (one ballot seen twice is verified once). */
  readonly #inFlight = new Map<Hex, Promise<void>>();
  #next = 0;
  #seq = 0;
  #stopped = true;
  /** Ballots verified in workers and refused there, for the logs and tests. */
  readonly stats = { verified: 0, refused: 0, skipped: 0 };

  constructor(init: BallotVerifierInit) {
    this.#init = init;
  }

  start(): void {
    this.#stopped = false;
    const n = this.#init.workers ?? defaultBallotWorkers();
    for (let i = 0; i < n; i++) {
      const worker = new Worker(new URL('./ballotWorker.js', import.meta.url));
      worker.unref();
      const w: PoolWorker = { worker, keys: new Set(), pending: new Map(), alive: true };
      worker.on('message', (r: VerifyResponse) => {
        const done = w.pending.get(r.id);
        w.pending.delete(r.id);
        done?.(r);
      });
      const die = (err: unknown): void => {
        if (!w.alive) return;
        w.alive = false;
        if (!this.#stopped)
          this.#init.logger.error({ err }, 'ballot worker died; its ballots are verified by the core');
        for (const done of w.pending.values()) done(undefined);
        w.pending.clear();
      };
      worker.on('error', die);
      worker.on('exit', die);
      this.#workers.push(w);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  /** Settles once the unchecked ballots among `txs` are verified here (never rejects); undefined when there are none. */
  verify(txs: readonly Transaction[]): Promise<void> | undefined {
    if (this.#stopped) return undefined;
    const waits: Promise<void>[] = [];
    for (const tx of txs) {
      const hash = txHash(tx);
      const running = this.#inFlight.get(hash);
      if (running !== undefined) {
        waits.push(running);
        continue;
      }
      const params = this.#init.registry.ballotToVerify(tx, hash);
      if (params === undefined) continue;
      if (this.#inFlight.size >= MAX_PENDING) {
        this.stats.skipped++;
        continue;
      }
      const p = this.#run(params, tx).then((r) => {
        this.#inFlight.delete(hash);
        if (r?.ok) {
          this.#init.registry.rememberVerified(hash, r.ciphertexts);
          this.stats.verified++;
        } else if (r !== undefined) this.stats.refused++;
      });
      this.#inFlight.set(hash, p);
      waits.push(p);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** verify() for the transactions a peer message brings. */
  message(msg: ConsensusMessage): Promise<void> | undefined {
    return msg.type === 'txs' ||
      msg.type === 'proposal' ||
      msg.type === 'block-response' ||
      msg.type === 'sync-response' ||
      msg.type === 'pool-response'
      ? this.verify(messageTxs(msg))
      : undefined;
  }

  #run(params: ElectionParams, tx: Transaction): Promise<VerifyResponse | undefined> {
    const alive = this.#workers.filter((w) => w.alive);
    const w = alive[this.#next++ % Math.max(1, alive.length)];
    if (w === undefined) return Promise.resolve(undefined);
    const key = `${params.setup.chainId}/${params.setup.electionId}/${params.publicKey}`;
    const id = this.#seq++;
    const req: VerifyRequest = { id, key, voterId: tx.from, data: tx.data, ...(w.keys.has(key) ? {} : { params }) };
    w.keys.add(key);
    return new Promise((resolve) => {
      w.pending.set(id, resolve);
      w.worker.postMessage(req);
    });
  }
}
