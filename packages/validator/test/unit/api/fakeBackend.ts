/**
 * An in-memory NodeApiBackend for the API layer's tests: real signed blocks and certificates
 * (shared protocol), a pool with the one-vote-per-voter rule, submission ids, events.
 */
import {
  type Authority,
  type Block,
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type QuorumCertificate,
  type Transaction,
  type Signer,
  ballotCandidate,
  electionIdOf,
  genesisHash,
  txHash,
  voterKey,
} from '@poa-vote/shared';
import { finalize, leaderBlock, makeTestChain } from '@poa-vote/test-utils';
import type {
  ChainVerification,
  ElectionResults,
  HealthReport,
  NodeApiBackend,
  Receipt,
  SubmitOutcome,
  TxState,
} from '../../../src/api/interface.js';

/** An in-memory backend; tests drive it with finalizePending() and proposeCandidate(). */
export class FakeBackend implements NodeApiBackend {
  readonly nodeId = 'validator-1';
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly clientVersion = 'poa-vote-validator/test';
  readonly genesis: Genesis;
  readonly #signers: Signer[];

  /** Sizes of the submit() calls, in order. */
  readonly submitCalls: number[] = [];
  /** Submission ids received, in order (undefined for notifications). */
  readonly submissionIds: (string | undefined)[] = [];
  poolCapacity = 1000;
  healthy = true;
  syncing = false;
  peers = 2;
  evidenceList: Evidence[] = [];
  /** When set, every read method throws it (internal error paths). */
  failWith: Error | undefined;

  readonly #pool = new Map<Hex, Transaction>();
  readonly #byVoter = new Map<string, Hex>();
  readonly #submissions = new Map<string, Hex>();
  readonly #blocks: FinalizedBlock[] = [];
  readonly #receipts = new Map<Hex, Receipt>();
  readonly #placed = new Map<Hex, { tx: Transaction; blockHash: Hex; blockNumber: number; transactionIndex: number }>();
  #candidate: Block | undefined;
  readonly #finalListeners = new Set<(b: Block, c: QuorumCertificate) => void>();
  readonly #headListeners = new Set<(b: Block) => void>();

  constructor(chainId = 1337) {
    const chain = makeTestChain({ chainId });
    this.genesis = chain.genesis;
    this.chainId = chainId;
    this.authorities = this.genesis.authorities;
    this.#signers = chain.signers;
  }

  #check(): void {
    if (this.failWith) throw this.failWith;
  }

  async submit(txs: { tx: Transaction; submissionId?: string }[]): Promise<SubmitOutcome[]> {
    this.submitCalls.push(txs.length);
    return txs.map(({ tx, submissionId }): SubmitOutcome => {
      this.submissionIds.push(submissionId);
      const hash = txHash(tx);
      const earlier = this.#byVoter.get(voterKey(tx));
      if (earlier === hash) {
        if (submissionId !== undefined) this.#submissions.set(submissionId, hash);
        return { ok: true, hash, known: true };
      }
      if (earlier !== undefined) {
        return {
          ok: false,
          hash,
          code: 'TX_DOUBLE_VOTE',
          message: `voter ${tx.from} already voted in ${tx.to}`,
          conflictsWith: earlier,
        };
      }
      if (tx.data === 'x'.repeat(100))
        return { ok: false, hash, code: 'TX_TOO_LARGE', message: 'transaction is 140 bytes, the limit is 100' };
      if (this.#pool.size >= this.poolCapacity)
        return { ok: false, hash, code: 'POOL_FULL', message: `transaction pool is full (${this.poolCapacity})` };
      this.#pool.set(hash, tx);
      this.#byVoter.set(voterKey(tx), hash);
      if (submissionId !== undefined) this.#submissions.set(submissionId, hash);
      return { ok: true, hash, known: false };
    });
  }

  async submissionOwner(id: string): Promise<{ hash: Hex } | undefined> {
    const hash = this.#submissions.get(id);
    return hash === undefined ? undefined : { hash };
  }

  async resolveTxRef(ref: string): Promise<Hex | undefined> {
    this.#check();
    if (/^0x[0-9a-f]{64}$/.test(ref)) return ref as Hex;
    return this.#submissions.get(ref);
  }

  async getReceipt(hash: Hex): Promise<Receipt | undefined> {
    this.#check();
    return this.#receipts.get(hash);
  }

  async getTransaction(hash: Hex): ReturnType<NodeApiBackend['getTransaction']> {
    this.#check();
    const placed = this.#placed.get(hash);
    if (placed) return { hash, ...placed };
    const pending = this.#pool.get(hash);
    return pending ? { tx: pending, hash } : undefined;
  }

  async getTxState(hash: Hex): Promise<TxState> {
    this.#check();
    const r = this.#receipts.get(hash);
    if (r)
      return {
        state: 'finalized',
        hash,
        blockHash: r.blockHash,
        blockNumber: r.blockNumber,
        transactionIndex: r.transactionIndex,
      };
    // The contract's state for a pooled vote not yet known to be on a quorum (was the retired 'pending').
    if (this.#pool.has(hash)) return { state: 'accepted', hash };
    return { state: 'unknown', hash };
  }

  finalizedHeight(): number {
    return this.#blocks.length;
  }

  headHeight(): number {
    return this.#candidate ? this.#blocks.length + 1 : this.#blocks.length;
  }

  async getFinalizedBlock(height: number): Promise<FinalizedBlock | undefined> {
    this.#check();
    return height >= 1 ? this.#blocks[height - 1] : undefined;
  }

  async getFinalizedBlockByHash(hash: Hex): Promise<FinalizedBlock | undefined> {
    this.#check();
    return this.#blocks.find((b) => b.block.hash === hash);
  }

  candidateBlock(): Block | undefined {
    return this.#candidate;
  }

  peerCount(): number {
    return this.peers;
  }

  health(): HealthReport {
    this.#check();
    return {
      healthy: this.healthy,
      reasons: this.healthy ? [] : ['connected to 0 of 2 peers: no quorum'],
      nodeId: this.nodeId,
      chainId: this.chainId,
      headHeight: this.headHeight(),
      finalizedHeight: this.finalizedHeight(),
      peers: this.peers,
      syncing: this.syncing,
      recovering: false,
      lastBlockAgeMs: this.#blocks.length > 0 ? 250 : null,
      slot: this.#blocks.length + 1,
    };
  }

  async verification(): Promise<ChainVerification> {
    this.#check();
    return { chain_valid: true, checked_blocks: this.#blocks.length, errors: [] };
  }

  async results(electionId: string): Promise<ElectionResults> {
    this.#check();
    const counts: Record<string, number> = {};
    let total = 0;
    for (const fb of this.#blocks) {
      for (const tx of fb.block.transactions) {
        if (electionIdOf(tx.to) !== electionId) continue;
        const c = ballotCandidate(tx.data);
        counts[c] = (counts[c] ?? 0) + 1;
        total++;
      }
    }
    return { electionId, counts, total, height: this.#blocks.length };
  }

  async electionVoteCount(electionId: string): Promise<number> {
    return (await this.results(electionId)).total;
  }

  async evidence(): Promise<Evidence[]> {
    this.#check();
    return this.evidenceList;
  }

  onFinalized(listener: (block: Block, certificate: QuorumCertificate) => void): () => void {
    this.#finalListeners.add(listener);
    return () => void this.#finalListeners.delete(listener);
  }

  onNewHead(listener: (block: Block) => void): () => void {
    this.#headListeners.add(listener);
    return () => void this.#headListeners.delete(listener);
  }

  /** Number of backend event listeners (the API must remove its own on stop). */
  listenerCount(): number {
    return this.#finalListeners.size + this.#headListeners.size;
  }

  #nextBlock(): Block {
    const height = this.#blocks.length + 1;
    const slot = height * 2;
    const parentHash = height === 1 ? genesisHash(this.genesis) : this.#blocks[height - 2]!.block.hash;
    return leaderBlock(
      { genesis: this.genesis, signers: this.#signers },
      { height, slot, parentHash, transactions: [...this.#pool.values()] },
    );
  }

  /** Make a candidate block of the pool (a new head, not final). */
  proposeCandidate(): Block {
    this.#candidate = this.#nextBlock();
    for (const l of this.#headListeners) l(this.#candidate);
    return this.#candidate;
  }

  /** Finalize the candidate (or a fresh block of the pool) with a 2-of-3 precommit certificate. */
  finalizePending(): FinalizedBlock {
    const block = this.#candidate ?? this.#nextBlock();
    this.#candidate = undefined;
    const fb: FinalizedBlock = finalize({ genesis: this.genesis, signers: this.#signers }, block);
    this.#blocks.push(fb);
    block.transactions.forEach((tx, i) => {
      const hash = txHash(tx);
      this.#pool.delete(hash);
      this.#placed.set(hash, { tx, blockHash: block.hash, blockNumber: block.header.height, transactionIndex: i });
      this.#receipts.set(hash, {
        transactionHash: hash,
        transactionIndex: i,
        blockHash: block.hash,
        blockNumber: block.header.height,
        from: tx.from,
        to: tx.to,
        status: 'success',
      });
    });
    for (const l of this.#headListeners) l(block);
    for (const l of this.#finalListeners) l(block, fb.certificate);
    return fb;
  }
}
