/** Options of the consensus core. */
export interface ConsensusOptions {
  /** Most finalized blocks asked for in one sync request. */
  syncBatch: number;
  /** Slots after which an unanswered sync request may be sent again. */
  syncRetrySlots: number;
  /** Most buffered messages for the next slot or the next height. */
  maxDeferred: number;
  /** Pending transactions are gossiped again after waiting this many slots. */
  regossipAfterSlots: number;
  /** Most transactions re-gossiped per slot. */
  regossipMax: number;
  /**
   * Deliberately broken behaviours, used ONLY by the simulator's checker tests to prove the
   * checker catches them. Never set in a node.
   */
  broken?: {
    /** Certify with this many votes instead of the genesis quorum. */
    quorum?: number;
    /** Fork choice that adopts a later proposal for an already final height. */
    revertFinal?: boolean;
  };
}

export const defaultConsensusOptions: ConsensusOptions = { syncBatch: 64, syncRetrySlots: 4, maxDeferred: 2_000, regossipAfterSlots: 3, regossipMax: 2_000 };
