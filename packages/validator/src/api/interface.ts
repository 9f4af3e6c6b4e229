/**
 * What the API layer (JSON-RPC, HTTP, WebSocket) needs from the node. The node implements it;
 * the API never reaches into consensus, storage or network directly.
 */
import type { Authority, Block, Evidence, FinalizedBlock, Hex, QuorumCertificate, Transaction } from '@poa-vote/shared';
import type { WriteAccessOptions } from './auth/options.js';
import type { SubmissionOwner } from './auth/submissionIds.js';

export interface Receipt {
  transactionHash: Hex;
  transactionIndex: number;
  blockHash: Hex;
  blockNumber: number;
  from: string;
  to: string;
  /** Always 'success': a finalized vote has no failure mode (invalid votes never enter a block). */
  status: 'success';
}

export type TxState =
  /** In this validator's pool; not yet known to be held by a quorum of validators. */
  | { state: 'accepted'; hash: Hex }
  /** Held durably by a quorum of validators (what an acknowledgement promises); not yet in a block. */
  | { state: 'replicated'; hash: Hex }
  /** In a candidate block that gathered a quorum of prevotes, not yet final. */
  | { state: 'included'; hash: Hex; blockHash: Hex; blockNumber: number }
  | { state: 'finalized'; hash: Hex; blockHash: Hex; blockNumber: number; transactionIndex: number }
  | { state: 'rejected'; hash: Hex; reason: string; conflictsWith?: Hex }
  | { state: 'unknown'; hash: Hex };

export type SubmitOutcome =
  | { ok: true; hash: Hex; known: boolean }
  | { ok: false; hash?: Hex; code: 'TX_INVALID' | 'TX_TOO_LARGE' | 'TX_DOUBLE_VOTE' | 'POOL_FULL' | 'UNAVAILABLE' | 'RECOVERING'; message: string; conflictsWith?: Hex }
  /** Taken, but a quorum was not confirmed in time: resubmitting the identical vote anywhere is safe. */
  | { ok: false; hash: Hex; code: 'TX_NOT_REPLICATED'; message: string; holders: number; needed: number };

export interface HealthReport {
  /** true: this node can serve correct, current data (HTTP 200); false: fail over (HTTP 503). */
  healthy: boolean;
  reasons: string[];
  nodeId: string;
  chainId: number;
  headHeight: number;
  finalizedHeight: number;
  peers: number;
  syncing: boolean;
  /** Starting without its pool (new or wiped data directory): reading its peers' pools, taking no votes. */
  recovering: boolean;
  /** Milliseconds since the finalized head's slot started; null before block 1. */
  lastBlockAgeMs: number | null;
  slot: number;
}

export interface ChainVerification {
  chain_valid: boolean;
  checked_blocks: number;
  errors: string[];
}

export interface ElectionResults {
  electionId: string;
  /** Votes by candidate over the finalized chain; unreadable ballots count under "sealed". */
  counts: Record<string, number>;
  total: number;
  /** Finalized height the counts reflect. */
  height: number;
}

export interface NodeApiBackend {
  readonly nodeId: string;
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly clientVersion: string;

  /** Submit votes; `submissionId` is the JSON-RPC request id they came under (receipts by id). */
  submit(txs: { tx: Transaction; submissionId?: string }[]): Promise<SubmitOutcome[]>;
  /** Resolve a tx hash or a submission id to a tx hash. */
  resolveTxRef(ref: string): Promise<Hex | undefined>;
  getReceipt(hash: Hex): Promise<Receipt | undefined>;
  getTransaction(hash: Hex): Promise<{ tx: Transaction; hash: Hex; blockHash?: Hex; blockNumber?: number; transactionIndex?: number } | undefined>;
  getTxState(hash: Hex): Promise<TxState>;

  finalizedHeight(): number;
  /** Height of the best known block: the candidate with a polka if any, else the finalized head. */
  headHeight(): number;
  getFinalizedBlock(height: number): Promise<FinalizedBlock | undefined>;
  getFinalizedBlockByHash(hash: Hex): Promise<FinalizedBlock | undefined>;
  /** Candidate block at finalizedHeight + 1 that has a polka, if any. */
  candidateBlock(): Block | undefined;
  peerCount(): number;
  health(): HealthReport;
  verification(): Promise<ChainVerification>;
  results(electionId: string): Promise<ElectionResults>;
  /** Number of finalized votes in an election. */
  electionVoteCount(electionId: string): Promise<number>;
  evidence(): Promise<Evidence[]>;

  /** Subscribe to finalized blocks; returns an unsubscribe function. */
  onFinalized(listener: (block: Block, certificate: QuorumCertificate) => void): () => void;
  /** Subscribe to new heads (candidate blocks with a polka, then finalized ones). */
  onNewHead(listener: (block: Block) => void): () => void;

  /** The vote a submission id is durably bound to, if any (the API's check against id hijacking). */
  submissionOwner(id: string): Promise<SubmissionOwner | undefined>;
  /** The node's write-access settings (credentials, limits); undefined: open writes, default limits. */
  writeAccess?(): WriteAccessOptions | undefined;
}
