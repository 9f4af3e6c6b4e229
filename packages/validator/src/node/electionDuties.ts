/**
 * The node's trustee subsystem: after each finalized block it asks the Trustee what this
 * validator owes the chain's encrypted elections (key, dealing, complaints, partial decryption),
 * makes the trustee record durable first when there is one, and submits the transaction like a
 * client would. A duty in flight is not sent twice; one that failed or has not reached the chain
 * after `retryMs` is sent again (the identical transaction where it can be).
 */
import { type ElectionRegistry, type Transaction, txHash } from '@poa-vote/shared';
import type { CoreEvent } from '../consensus/index.js';
import type { SubmitOutcome } from '../api/interface.js';
import type { Duty, Trustee, TrusteeStore } from '../elections/trustee.js';
import type { Logger } from '../util/logger.js';

export interface ElectionDutiesInit {
  registry: ElectionRegistry;
  trustee: Trustee;
  store: TrusteeStore;
  submit: (items: { tx: Transaction }[]) => Promise<SubmitOutcome[]>;
  logger: Logger;
  /** Resend a duty not on chain after this long (default 10 s). */
  retryMs?: number;
}

export class ElectionDuties {
  readonly #init: ElectionDutiesInit;
  /** Duties sent, by election and kind: when, and the transaction (resent identically). */
  readonly #inFlight = new Map<string, { at: number; tx: Transaction }>();
  #running = false;
  #again = false;
  #stopped = true;

  constructor(init: ElectionDutiesInit) {
    this.#init = init;
  }

  start(): void {
    this.#stopped = false;
    this.#kick();
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Core events, delivered once durable: a finalized block may owe a duty. */
  onEvent(e: CoreEvent): void {
    if (e.type === 'finalized' && this.#init.registry.active) this.#kick();
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    // Off the event delivery path: a dealing or a partial decryption costs milliseconds of curve work.
    setImmediate(() => {
      this.#run()
        .catch((err: unknown) => this.#init.logger.error({ err }, 'election duty failed'))
        .finally(() => {
          this.#running = false;
          if (this.#again) {
            this.#again = false;
            this.#kick();
          }
        });
    });
  }

  async #run(): Promise<void> {
    const { registry, trustee, store, logger } = this.#init;
    const retryMs = this.#init.retryMs ?? 10_000;
    const now = performance.now();
    const owed = new Set<string>();
    for (const d of trustee.duties(registry)) {
      const key = `${d.electionId}/${d.kind}`;
      owed.add(key);
      const sent = this.#inFlight.get(key);
      if (sent !== undefined && now - sent.at < retryMs) continue;
      const tx = sent?.tx ?? d.tx;
      if (d.record !== undefined && sent === undefined) await store.put(d.record);
      this.#inFlight.set(key, { at: now, tx });
      void this.#send(key, d, tx);
    }
    for (const key of this.#inFlight.keys()) if (!owed.has(key)) this.#inFlight.delete(key);
    logger.debug({ owed: owed.size }, 'election duties checked');
  }

  async #send(key: string, d: Duty, tx: Transaction): Promise<void> {
    const { logger } = this.#init;
    const [o] = await this.#init.submit([{ tx }]);
    if (o?.ok) {
      logger.info({ election: d.electionId, kind: d.kind, hash: txHash(tx) }, 'election duty submitted');
      return;
    }
    logger.warn({ election: d.electionId, kind: d.kind, outcome: o }, 'election duty refused; will retry');
    // A refused duty is recomputed at the next block (a fresh dealing or partial if the old one cannot land).
    if (o?.code !== 'TX_DOUBLE_VOTE' && o?.code !== 'TX_NOT_REPLICATED') this.#inFlight.delete(key);
  }
}
