/**
 * When is this node fit to serve? Healthy means correct, current data: connected to a quorum,
 * not behind its peers, not recovering its pool, and a block finalized recently (within 10 slots,
 * or 9 more than the empty-block interval of an idle chain). Peers' claimed
 * heights are tracked here, bounded by what a chain could have reached (one block per slot).
 */
import { type Genesis, quorumSize, slotAt, slotStart } from '@poa-vote/shared';
import type { ConsensusCore, ConsensusMessage } from '../consensus/index.js';
import type { ChainDb } from '../db/index.js';
import type { HealthReport } from '../api/interface.js';
import type { Logger } from '../util/logger.js';

export interface HealthPolicyInit {
  genesis: Genesis;
  nodeId: string;
  db: Pick<ChainDb, 'head'>;
  core: ConsensusCore;
  /** Connected authorities other than this one. */
  peerCount: () => number;
  now: () => number;
  logger: Logger;
  /** Slots an idle chain may go without a block (NodeOptions.emptyBlockIntervalSlots; default 1). */
  emptyBlockIntervalSlots?: number;
  /** Progress of the backfill of a node that started from a snapshot (undefined otherwise). */
  backfill?: () => { snapshotHeight: number; lowest: number; complete: boolean } | undefined;
}

export class HealthPolicy {
  readonly #init: HealthPolicyInit;
  /** Latest height each peer claimed (believed up to one block per slot since genesis). */
  readonly #peerHeights = new Map<number, number>();

  constructor(init: HealthPolicyInit) {
    this.#init = init;
  }

  /** Note the height a peer's status message claims; false when the claim is a lie (the peer deserves a penalty). */
  observe(from: number, msg: ConsensusMessage): boolean {
    if (msg.type !== 'status' || typeof msg.status?.height !== 'number') return true;
    // At most one block per slot: a claim beyond that is a lie, not a reason to report syncing.
    const possible = Math.max(0, slotAt(this.#init.genesis, this.#init.now())) + 2;
    if (msg.status.height <= possible) {
      this.#peerHeights.set(from, msg.status.height);
      return true;
    }
    this.#init.logger.warn(
      { peer: from, claimed: msg.status.height, possible },
      'peer claims a height no chain can have reached yet; ignored',
    );
    // Within a minute of clock difference it may be skew; beyond, it is a lie.
    return msg.status.height <= possible + Math.ceil(60_000 / this.#init.genesis.slotDurationMs);
  }

  /** Highest height a peer currently claims (each peer's latest status). */
  #maxPeerHeight(): number {
    let max = 0;
    for (const h of this.#peerHeights.values()) max = Math.max(max, h);
    return max;
  }

  /** Height of the best known block: the candidate with a polka if any, else the finalized head. */
  headHeight(): number {
    const core = this.#init.core;
    return core.candidate ? core.chain.head.height + 1 : core.chain.head.height;
  }

  report(): HealthReport {
    const { genesis: g, core, db } = this.#init;
    const now = this.#init.now();
    const head = db.head();
    const peers = this.#init.peerCount();
    const lastBlockAgeMs = head.height > 0 ? Math.max(0, now - slotStart(g, head.slot)) : null;
    const sinceGenesis = now - g.genesisTime;
    const staleAfter = (9 + (this.#init.emptyBlockIntervalSlots ?? 1)) * g.slotDurationMs;
    const maxPeerHeight = this.#maxPeerHeight();
    const syncing = maxPeerHeight > core.height + 1;
    const recovering = !core.vouching;
    const reasons: string[] = [];
    if (peers + 1 < quorumSize(g))
      reasons.push(`connected to ${peers} of ${g.authorities.length - 1} peers: no quorum`);
    if (syncing) reasons.push(`syncing: at height ${head.height}, peers report ${maxPeerHeight - 1}`);
    if (recovering)
      reasons.push("recovering: reading every peer's pool after starting without one; votes go to other validators");
    const age = lastBlockAgeMs ?? sinceGenesis;
    if (sinceGenesis > staleAfter && age > staleAfter)
      reasons.push(`no block finalized for ${Math.round(age / 1000)} s`);
    const backfill = this.#init.backfill?.();
    return {
      ...(backfill
        ? {
            snapshotSync: {
              snapshotHeight: backfill.snapshotHeight,
              backfilledTo: backfill.lowest,
              backfillComplete: backfill.complete,
            },
          }
        : {}),
      healthy: reasons.length === 0,
      reasons,
      nodeId: this.#init.nodeId,
      chainId: g.chainId,
      headHeight: this.headHeight(),
      finalizedHeight: head.height,
      peers,
      syncing,
      recovering,
      lastBlockAgeMs,
      slot: core.slot,
    };
  }
}
