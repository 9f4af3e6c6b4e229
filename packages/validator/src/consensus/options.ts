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
  /** Most bytes of transactions re-gossiped per slot (a slot's worth of gossip, not the whole pool). */
  regossipMaxBytes: number;
  /** Largest gossiped transaction batch: bytes of transactions, and count. */
  maxBatchBytes: number;
  maxBatchTxs: number;
  /** Largest page of a pool snapshot served to a recovering peer, bytes of transactions. */
  poolPageBytes: number;
  /** Recent batches of peers remembered so that their acknowledgements can be attributed. */
  maxTrackedBatches: number;
  /**
   * Most transaction hashes those batches hold together (oldest batches forgotten first): at
   * 10,000 votes/s, 100,000 is 10 s of acknowledgements, which arrive within a round trip and a
   * peer's pool write. Without it, 4,096 batches of up to 10,000 hashes could hold ~4 GB.
   */
  maxTrackedTxs: number;
  /**
   * Random per process start; names this process's gossip batches (see BatchId). The node draws
   * it from crypto, the simulator from its seed.
   */
  epoch: number;
  /**
   * The validator starts without a trustworthy pool (new or wiped data directory): it vouches
   * for no transaction until it has read every other authority's pool.
   */
  recovering: boolean;
  /**
   * A recovering validator waits this many slots before reading its peers' pools and heights, so
   * that messages it signed before losing its disk have been delivered (or lost) by then: its
   * lost votes then show in what the peers report. It signs nothing until it has recovered.
   */
  recoveryGraceSlots: number;
  /**
   * A leader with nothing to propose (no transaction a quorum holds, no polka to honour) proposes
   * an empty block only once the finalized head is this many slots old; otherwise its slot passes
   * without a block, as a dead leader's does. 1: a block every slot (CometBFT's
   * `create_empty_blocks`, Besu's `emptyblockperiodseconds`). Larger values cut what an idle
   * chain costs (a block, two rounds of votes and their writes per slot) and stores; heights,
   * which elections count in, then advance at least once per this many slots while idle.
   */
  emptyBlockIntervalSlots: number;
}

export const defaultConsensusOptions: ConsensusOptions = {
  syncBatch: 64,
  syncRetrySlots: 4,
  maxDeferred: 2_000,
  regossipAfterSlots: 3,
  regossipMax: 2_000,
  regossipMaxBytes: 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
  maxBatchTxs: 10_000,
  poolPageBytes: 4 * 1024 * 1024,
  maxTrackedBatches: 4_096,
  maxTrackedTxs: 100_000,
  epoch: 0,
  recovering: false,
  recoveryGraceSlots: 4,
  emptyBlockIntervalSlots: 1,
};
