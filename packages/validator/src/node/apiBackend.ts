/**
 * What the API serves, answered from the node's modules: storage for the finalized chain, the
 * consensus core for the pool and the candidate, the transaction tracker, the submit queue and
 * the health policy. Implements NodeApiBackend; the API never reaches past it.
 */
import type {
  Authority,
  Block,
  Evidence,
  FinalizedBlock,
  Genesis,
  Hex,
  QuorumCertificate,
  Transaction,
} from '@poa-vote/shared';
import { isHex } from '@poa-vote/shared';
import { EventEmitter } from 'node:events';
import type { ConsensusCore, CoreEvent } from '../consensus/index.js';
import type { ChainAudit, ChainDb, ChainVerifier, StoredReceipt } from '../db/index.js';
import type {
  ChainVerification,
  ElectionResults,
  HealthReport,
  NodeApiBackend,
  Receipt,
  SubmitOutcome,
  TxState,
} from '../api/interface.js';
import type { WriteAccessOptions } from '../api/auth/options.js';
import type { NodeOptions } from './options.js';
import type { HealthPolicy } from './healthPolicy.js';
import type { SubmitItem, SubmitQueue } from './submitQueue.js';
import type { TxTracker } from './txTracker.js';
import type { ElectionRegistry } from '@poa-vote/shared';
import { configuredResults } from '../elections/results.js';
import { electionRecordBody } from '../elections/record.js';

export const CLIENT_VERSION = 'poa-validator/0.1.0';

/** The receipt of a finalized transaction. */
export function receiptOf(t: StoredReceipt): Receipt {
  return {
    transactionHash: t.hash,
    transactionIndex: t.transactionIndex,
    blockHash: t.blockHash,
    blockNumber: t.blockNumber,
    from: t.from,
    to: t.to,
    status: 'success',
  };
}

/** The /verify answer of an audit of the stored chain. */
export function chainVerificationOf(a: ChainAudit): ChainVerification {
  return { chain_valid: a.valid, checked_blocks: a.checkedBlocks, errors: [...a.errors] };
}

export interface ApiBackendInit {
  nodeId: string;
  options: NodeOptions;
  db: ChainDb;
  verifier: ChainVerifier;
  core: ConsensusCore;
  tracker: TxTracker;
  submits: Pick<SubmitQueue, 'submit'>;
  health: HealthPolicy;
  /** Connected authorities other than this one. */
  peerCount: () => number;
  /** The chain's elections, when its genesis names an election operator: /results of configured elections. */
  elections?: ElectionRegistry;
}

export class ApiBackend implements NodeApiBackend {
  readonly nodeId: string;
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly genesis: Genesis;
  readonly clientVersion = CLIENT_VERSION;
  readonly #init: ApiBackendInit;
  readonly #events = new EventEmitter();

  constructor(init: ApiBackendInit) {
    this.#init = init;
    this.nodeId = init.nodeId;
    this.chainId = init.options.genesis.chainId;
    this.authorities = init.options.genesis.authorities;
    this.genesis = init.options.genesis;
    this.#events.setMaxListeners(0);
  }

  /** Push a delivered core event to subscribers (WebSocket heads). */
  onEvent(e: CoreEvent): void {
    switch (e.type) {
      case 'finalized':
        this.#events.emit('finalized', e.block, e.certificate);
        this.#events.emit('head', e.block);
        break;
      case 'polka':
        this.#events.emit('head', e.block);
        break;
      default:
        break;
    }
  }

  /** Drop every subscriber. */
  stop(): void {
    this.#events.removeAllListeners();
  }

  submit(items: SubmitItem[]): Promise<SubmitOutcome[]> {
    return this.#init.submits.submit(items);
  }

  async resolveTxRef(ref: string): Promise<Hex | undefined> {
    if (isHex(ref, 32)) return ref;
    return this.#init.db.resolveSubmissionId(ref);
  }

  async getReceipt(hash: Hex): Promise<Receipt | undefined> {
    const t = await this.#init.db.getReceipt(hash);
    return t && receiptOf(t);
  }

  async getTransaction(
    hash: Hex,
  ): Promise<
    { tx: Transaction; hash: Hex; blockHash?: Hex; blockNumber?: number; transactionIndex?: number } | undefined
  > {
    const onChain = await this.#init.db.getTransaction(hash);
    if (onChain) return onChain;
    const pending = this.#init.core.pool.get(hash);
    if (pending) return { tx: pending.tx, hash };
    // Finalized while the db was read: its block is being written (served from memory until
    // readable), or the write has just ended.
    return this.#init.tracker.writing(hash) ?? (await this.#init.db.getTransaction(hash));
  }

  getTxState(hash: Hex): Promise<TxState> {
    return this.#init.tracker.state(hash);
  }

  /** The durable finalized height: a block is reported final only once it can be read back. */
  finalizedHeight(): number {
    return this.#init.db.head().height;
  }

  headHeight(): number {
    return this.#init.health.headHeight();
  }

  getFinalizedBlock(height: number): Promise<FinalizedBlock | undefined> {
    return this.#init.db.getFinalized(height);
  }

  getFinalizedBlockByHash(hash: Hex): Promise<FinalizedBlock | undefined> {
    return this.#init.db.getFinalizedByHash(hash);
  }

  candidateBlock(): Block | undefined {
    return this.#init.core.candidate?.block;
  }

  peerCount(): number {
    return this.#init.peerCount();
  }

  health(): HealthReport {
    return this.#init.health.report();
  }

  async verification(): Promise<ChainVerification> {
    return chainVerificationOf(await this.#init.verifier.verify());
  }

  async results(electionId: string): Promise<ElectionResults> {
    const base = await this.#init.db.results(electionId);
    return this.#init.elections ? configuredResults(this.#init.elections, base) : base;
  }

  election(electionId: string): Record<string, unknown> | undefined {
    const registry = this.#init.elections;
    const e = registry?.get(electionId);
    return registry && e && electionRecordBody(registry, e);
  }

  async electionVoteCount(electionId: string): Promise<number> {
    return this.#init.db.electionVoteCount(electionId);
  }

  evidence(): Promise<Evidence[]> {
    return this.#init.db.listEvidence();
  }

  onFinalized(listener: (block: Block, certificate: QuorumCertificate) => void): () => void {
    this.#events.on('finalized', listener);
    return () => this.#events.off('finalized', listener);
  }

  onNewHead(listener: (block: Block) => void): () => void {
    this.#events.on('head', listener);
    return () => this.#events.off('head', listener);
  }

  /** The vote a submission id is durably bound to, if any. */
  async submissionOwner(id: string): Promise<{ hash: Hex } | undefined> {
    const hash = await this.#init.db.resolveSubmissionId(id);
    return hash === undefined ? undefined : { hash };
  }

  /** The write-access settings the API server applies (credentials, open writes, rates). */
  writeAccess(): WriteAccessOptions {
    const o = this.#init.options;
    return {
      openWrites: o.insecureOpenWrites ?? false,
      ...(o.apiTokensFile !== undefined ? { apiTokensFile: o.apiTokensFile } : {}),
      ...(o.writeRatePerCredential !== undefined ? { ratePerCredential: o.writeRatePerCredential } : {}),
      ...(o.writeBurstPerCredential !== undefined ? { burstPerCredential: o.writeBurstPerCredential } : {}),
      ...(o.writeRatePerAddress !== undefined ? { ratePerAddress: o.writeRatePerAddress } : {}),
      ...(o.writeBurstPerAddress !== undefined ? { burstPerAddress: o.writeBurstPerAddress } : {}),
    };
  }
}
