/**
 * What the API layer (JSON-RPC, HTTP, WebSocket) needs from the node. The node implements it;
 * the API never reaches into consensus, storage or network directly.
 */
import type {
  Authority,
  Block,
  ChainVerification,
  ElectionResults,
  Evidence,
  FinalizedBlock,
  Genesis,
  HealthReport,
  Hex,
  QuorumCertificate,
  Receipt,
  Transaction,
  TxState,
} from '@poa-vote/shared';
import type { WriteAccessOptions } from './auth/options.js';
import type { SubmissionOwner } from './auth/submissionIds.js';

/** Wire shapes: defined once in the shared contract (packages/shared/src/api). */
export type {
  ChainVerification,
  ElectionResults,
  ElectionInfo,
  HealthReport,
  Receipt,
  TxState,
} from '@poa-vote/shared';

export type SubmitOutcome =
  | { ok: true; hash: Hex; known: boolean }
  | {
      ok: false;
      hash?: Hex;
      code: 'TX_INVALID' | 'TX_TOO_LARGE' | 'TX_DOUBLE_VOTE' | 'POOL_FULL' | 'UNAVAILABLE' | 'RECOVERING';
      message: string;
      conflictsWith?: Hex;
      /** TX_INVALID by an election rule: `reason` (the protocol code), `proof` or `field` naming what failed. */
      details?: Record<string, unknown>;
    }
  /** Taken, but a quorum was not confirmed in time: resubmitting the identical vote anywhere is safe. */
  | { ok: false; hash: Hex; code: 'TX_NOT_REPLICATED'; message: string; holders: number; needed: number };

export interface NodeApiBackend {
  readonly nodeId: string;
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly clientVersion: string;
  /** The chain's genesis: block 0 of eth_getBlockByNumber. */
  readonly genesis: Genesis;

  /** Submit votes; `submissionId` is the JSON-RPC request id they came under (receipts by id). */
  submit(txs: { tx: Transaction; submissionId?: string | undefined }[]): Promise<SubmitOutcome[]>;
  /** Resolve a tx hash or a submission id to a tx hash. */
  resolveTxRef(ref: string): Promise<Hex | undefined>;
  getReceipt(hash: Hex): Promise<Receipt | undefined>;
  getTransaction(
    hash: Hex,
  ): Promise<
    { tx: Transaction; hash: Hex; blockHash?: Hex; blockNumber?: number; transactionIndex?: number } | undefined
  >;
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
  /** A configured election's on-chain record (GET /elections/:id); undefined when it is not configured. */
  election?(electionId: string): Record<string, unknown> | undefined;
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
