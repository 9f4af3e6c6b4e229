/**
 * What a consensus step reads of the one-vote index, so that the driver can load it first (the
 * core reads synchronously and does no I/O; see state/voterCache.ts and docs/PERFORMANCE.md).
 * Pure functions of the messages: no I/O here either.
 *
 * The core reads a voter's finalized vote for:
 * - every transaction a step brings: client submissions, a gossip batch, a proposal's block,
 *   a block response, every block of a sync response, a pool page (`voterKeysRead`);
 * - pooled transactions (regossip, proposing, the pool restored at start): loaded when they
 *   entered the pool and kept while pooled (the driver's retain rule asks the mempool);
 * - blocks the core keeps for later, of the height being decided or the next one (a deferred
 *   proposal, a candidate block): `HeldVoters` remembers their voters until that height is final.
 */
import { type Transaction, voterKey } from '@poa-vote/shared';
import type { VoterCache, VoterLease } from '../state/voterCache.js';
import type { ConsensusMessage } from './interface.js';

/** The voterKey of a transaction-shaped value (anything else: none; the core refuses it before reading). */
function keyOf(tx: unknown): string | undefined {
  if (typeof tx !== 'object' || tx === null) return undefined;
  const { from, to } = tx as Partial<Transaction>;
  return typeof from === 'string' && typeof to === 'string' ? voterKey({ from, to }) : undefined;
}

function keysOf(txs: unknown, out: string[]): void {
  if (!Array.isArray(txs)) return;
  for (const tx of txs) {
    const k = keyOf(tx);
    if (k !== undefined) out.push(k);
  }
}

function blockTxs(block: unknown): unknown {
  return typeof block === 'object' && block !== null ? (block as { transactions?: unknown }).transactions : undefined;
}

/** Voter keys of the transactions a client submission brings. */
export function submissionVoterKeys(txs: readonly Transaction[]): string[] {
  return txs.map((tx) => voterKey(tx));
}

/** Voter keys of the transactions a received message brings (messages come unvalidated: shapes are checked). */
export function voterKeysRead(msg: ConsensusMessage): string[] {
  const out: string[] = [];
  switch (msg.type) {
    case 'txs':
      keysOf(msg.txs, out);
      break;
    case 'proposal':
      keysOf(blockTxs((msg.proposal as { block?: unknown } | undefined)?.block), out);
      break;
    case 'block-response':
      keysOf(blockTxs(msg.block), out);
      break;
    case 'sync-response':
      if (Array.isArray(msg.blocks))
        for (const fb of msg.blocks) keysOf(blockTxs((fb as { block?: unknown } | undefined)?.block), out);
      break;
    case 'pool-response':
      if (Array.isArray(msg.entries))
        for (const e of msg.entries) {
          const k = keyOf((e as { tx?: unknown } | undefined)?.tx);
          if (k !== undefined) out.push(k);
        }
      break;
    default:
      break;
  }
  return out;
}

/** The height a proposal or block response is for, if it says. */
function heightOf(msg: ConsensusMessage): number | undefined {
  const block =
    msg.type === 'proposal'
      ? (msg.proposal as { block?: unknown } | undefined)?.block
      : msg.type === 'block-response'
        ? msg.block
        : undefined;
  const h = (block as { header?: { height?: unknown } } | undefined)?.header?.height;
  return typeof h === 'number' && Number.isSafeInteger(h) ? h : undefined;
}

/**
 * Voters of the blocks the core may keep past the step that brought them (proposals deferred to
 * the next slot or height, candidate blocks of the height being decided), by height: they must
 * stay loaded until their height is final. Blocks for any other height are not kept by the core.
 */
export class HeldVoters {
  readonly #byHeight = new Map<number, Set<string>>();

  /** A message is about to be handed to the core deciding `height`. */
  note(msg: ConsensusMessage, height: number): void {
    const h = heightOf(msg);
    if (h === undefined || h < height || h > height + 1) return;
    let keys = this.#byHeight.get(h);
    if (keys === undefined) {
      keys = new Set();
      this.#byHeight.set(h, keys);
    }
    for (const k of voterKeysRead(msg)) keys.add(k);
  }

  /** Heights up to `height` are final: their blocks are no longer kept. */
  finalized(height: number): void {
    for (const h of this.#byHeight.keys()) if (h <= height) this.#byHeight.delete(h);
  }

  has(key: string): boolean {
    for (const keys of this.#byHeight.values()) if (keys.has(key)) return true;
    return false;
  }
}

/** The core as the prefetcher sees it: its pool and how far it has finalized. */
interface CoreView {
  readonly height: number;
  readonly chain: { readonly head: { readonly height: number } };
  readonly pool: { voterTx(key: string): unknown };
}

/**
 * The driver's half of the contract, shared by the node and the simulator: load what a step
 * reads before it runs (`message`, `submission`: run the step once the lease is ready, then
 * release it and call `stepDone`), and keep loaded what the core holds for later.
 */
export class VoterPrefetch {
  readonly #voters: VoterCache;
  readonly #held = new HeldVoters();
  #core: CoreView | undefined;

  constructor(voters: VoterCache) {
    this.#voters = voters;
    voters.retainWith(() => {
      const core = this.#core;
      if (core === undefined) return () => true;
      return (k) => core.pool.voterTx(k) !== undefined || this.#held.has(k);
    });
  }

  /** The core whose pool and held blocks are kept loaded (until then, nothing is evicted). */
  attach(core: CoreView): void {
    this.#core = core;
  }

  /** Load what a received message's step reads. */
  message(msg: ConsensusMessage): VoterLease {
    if (this.#core !== undefined) this.#held.note(msg, this.#core.height);
    return this.#voters.load(voterKeysRead(msg));
  }

  /** Load what a client submission's step reads. */
  submission(txs: readonly Transaction[]): VoterLease {
    return this.#voters.load(submissionVoterKeys(txs));
  }

  /** A step ran: blocks of heights now final are no longer held. */
  stepDone(): void {
    if (this.#core !== undefined) this.#held.finalized(this.#core.chain.head.height);
  }
}
