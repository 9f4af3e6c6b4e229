/**
 * Deliberately broken consensus cores, so that the simulator's checker can be shown to fail
 * (test/unit/sim/broken.test.ts, `npm run sim -- --broken <variant>`). They subclass the real
 * core and override its test seams; production code never constructs them.
 */
import type { Block, Genesis, Hex, Proposal, QuorumCertificate, StateCommitment } from '@poa-vote/shared';
import { ConsensusCore, type ConsensusInit } from '../consensus/core.js';
import type { ChainHead } from '../state/chainState.js';
import { prefetchingCore } from './prefetch.js';
import { BrokenVariant } from './scenario.js';

/** Certifies with a single vote instead of the genesis quorum. */
class QuorumOneCore extends ConsensusCore {
  protected override quorumOf(_genesis: Genesis): number {
    return 1;
  }
}

/** Adopts a competing proposal for an already final height, reverting the head to its parent. */
class RevertFinalCore extends ConsensusCore {
  readonly #parents = new Map<Hex, ChainHead>();
  readonly #blocks = new Map<Hex, Block>();
  readonly #commitments = new Map<Hex, StateCommitment>();

  protected override willFinalize(block: Block): void {
    this.#commitments.set(block.hash, this.chain.commitment.clone());
    this.#parents.set(block.hash, { ...this.chain.head });
    this.#blocks.set(block.hash, block);
  }

  protected override interceptProposal(_from: number, p: Proposal): boolean {
    const head = this.chain.head;
    if (p.height !== head.height || p.block.hash === head.hash) return false;
    const parent = this.#parents.get(head.hash);
    const current = this.#blocks.get(head.hash);
    const commitment = this.#commitments.get(head.hash);
    if (
      parent === undefined ||
      current === undefined ||
      commitment === undefined ||
      p.block.header.parentHash !== parent.hash
    )
      return true;
    this.chain.revert(current, parent, commitment);
    const cert: QuorumCertificate = {
      type: 'precommit',
      height: p.height,
      slot: p.slot,
      blockHash: p.block.hash,
      signatures: [],
    };
    this.finalizeUnchecked(p.block, cert);
    return true;
  }
}

/**
 * The core a simulated validator runs: the real one, or for the variants that break a consensus
 * rule, a subclass that breaks it. (Variants that break the node around the core, such as
 * forget-safety, ack-local and no-recovery, are applied by the simulator itself.)
 */
export function createSimCore(broken: BrokenVariant | undefined, init: ConsensusInit): ConsensusCore {
  return prefetchingCore(init, (i) => createCore(broken, i));
}

function createCore(broken: BrokenVariant | undefined, init: ConsensusInit): ConsensusCore {
  switch (broken) {
    case BrokenVariant.QUORUM_1:
      return new QuorumOneCore(init);
    case BrokenVariant.REVERT_FINAL:
      return new RevertFinalCore(init);
    case BrokenVariant.FORGET_SAFETY:
    case BrokenVariant.ACK_LOCAL:
    case BrokenVariant.NO_RECOVERY:
    case undefined:
      return new ConsensusCore(init);
    default: {
      const unknown: never = broken;
      throw new Error(`unknown broken variant ${String(unknown)}`);
    }
  }
}
