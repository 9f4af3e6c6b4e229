/**
 * The consensus core: Tendermint's locking rules driven by time slots instead of timeouts.
 *
 * Height h is decided in slots. The leader of slot s (authorities[s mod n]) proposes once; a
 * validator prevotes the proposal unless it is locked on another block and the proposal carries
 * no polka (prevote quorum) at least as recent as its lock; on a polka in its current slot it locks
 * and precommits; a quorum of precommits for one (h, s, block) finalizes the block, and those
 * signatures are the block's certificate. Slots advance with the clock, so a crashed leader
 * only costs its slot. See docs/CONSENSUS.md for the safety and liveness argument.
 *
 * Deterministic and free of I/O: time comes in through `tick(now)`, messages through
 * `receive`, and every effect leaves in the returned Output. Signatures are deterministic
 * (Ed25519), so the same inputs always give the same outputs.
 */
import {
  type Block,
  type ElectionRegistry,
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type Proposal,
  type QuorumCertificate,
  type Signer,
  type StateCommitment,
  type StateEntry,
  type Transaction,
  type Vote,
  type VoteType,
  ProtocolError,
  ProtocolErrorCode,
  certificateFromVotes,
  checkBlockLinks,
  createBlock,
  createProposal,
  createVote,
  leaderOf,
  parseTransaction,
  quorumSize,
  sha256Hex,
  slotAt,
  stateEntryBytes,
  stateEntryKey,
  txHash,
  txSize,
  validateBlock,
  validateProposal,
  validateVote,
  verifyCertificate,
  verifyFinalizedBlock,
  voterKey,
} from '@poa-vote/shared';
import type { ChainState } from '../state/chainState.js';
import { Mempool } from '../mempool/mempool.js';
import type {
  BatchId,
  ConsensusMessage,
  CoreEvent,
  Destination,
  Output,
  PoolSnapshotEntry,
  SafetyState,
  Status,
  SubmitResult,
  TxAck,
  TxRefusal,
} from './interface.js';
import type { PoolEntry } from '../mempool/mempool.js';
import { type ConsensusOptions, defaultConsensusOptions } from './options.js';
import { VoteSet } from './voteSet.js';

export interface ConsensusInit {
  genesis: Genesis;
  /** This validator's authority index. */
  self: number;
  signer: Signer;
  /** Finalized state, restored from storage (a fresh ChainState for a new node). */
  chain: ChainState;
  /** Persisted safety state, if any. */
  safety?: SafetyState | undefined;
  /** Persisted pending transactions, in arrival order. */
  pool?: Transaction[];
  /** Hashes of persisted pending transactions known to be held by a quorum. */
  replicated?: ReadonlySet<Hex>;
  mempool?: Mempool;
  options?: Partial<ConsensusOptions>;
  /**
   * The chain's elections (configured elections, key ceremonies, encrypted tallies), restored to
   * the same finalized head as `chain`. Absent: no election rule is checked (as before elections).
   */
  elections?: ElectionRegistry;
}

interface Valid {
  slot: number;
  block: Block;
  polka: QuorumCertificate;
}

/** Where transactions come from: each source earns its sender a different standing. */
type TxSource =
  | { kind: 'client' }
  /** A peer's gossip batch: the sender holds every transaction of it. */
  | { kind: 'gossip'; from: number; batch?: BatchId }
  /** A candidate block: its proposer held every transaction of it. */
  | { kind: 'block'; proposer: number };

const batchKey = (origin: number, b: BatchId): string => `${origin}:${b.epoch}:${b.seq}`;

export class ConsensusCore {
  readonly genesis: Genesis;
  readonly self: number;
  readonly chain: ChainState;
  readonly pool: Mempool;
  readonly elections: ElectionRegistry | undefined;
  readonly #signer: Signer;
  readonly #opts: ConsensusOptions;
  readonly #quorum: number;

  #safety: SafetyState;
  #slot = -1;
  /** Height being decided: chain.head.height + 1. */
  #height: number;
  #blocks = new Map<Hex, Block>();
  #proposals = new Map<number, Proposal>();
  #votes = new VoteSet();
  #valid: Valid | undefined;
  #deferred: { from: number; msg: ConsensusMessage }[] = [];
  #lastSyncAsk = { height: -1, slot: -1 };
  #out: Output = { persist: [], send: [], events: [] };
  /** Whether this validator's pool counts: false until a recovering validator has read its peers' pools. */
  #vouching: boolean;
  /** Peers whose pool a recovering validator still has to read: cursor of the next page, slot of the last ask. */
  readonly #recovery = new Map<number, { cursor: number; askedSlot: number }>();
  #recoveredEntries = 0;
  /** Slot from which a recovering validator reads its peers (its first slot plus the grace). */
  #recoveryFrom: number | undefined;
  /** Highest finalized height the peers reported while we recovered: we sync to it first. */
  #recoveryHeight = 0;
  /** While recovering: every holder the peers reported for a vote that conflicts with one we hold. */
  readonly #recoveryEvidence = new Map<Hex, Set<number>>();
  #seq = 0;
  /** Client transactions waiting for the next gossip batch. */
  #outTxs: Transaction[] = [];
  #outTxsBytes = 0;
  /** Acknowledgements waiting for the next flush. */
  #outAcks: TxAck[] = [];
  /** Recent batches (ours and peers'), by batchKey: their transaction hashes, to attribute acks. */
  readonly #batches = new Map<string, Hex[]>();
  /** Transaction hashes held by #batches: bounded too, so that memory does not follow the vote rate. */
  #trackedTxs = 0;
  /** Transactions that reached a quorum of holders during the current step. */
  #newlyReplicated: Hex[] = [];

  constructor(init: ConsensusInit) {
    this.genesis = init.genesis;
    this.self = init.self;
    this.chain = init.chain;
    this.elections = init.elections;
    this.#signer = init.signer;
    this.#opts = { ...defaultConsensusOptions, ...init.options };
    this.#quorum = this.quorumOf(init.genesis);
    this.pool = init.mempool ?? new Mempool();
    this.#height = this.chain.head.height + 1;
    if (this.elections !== undefined) checkRegistryCommitted(this.elections, this.chain.commitment);
    const s = init.safety;
    if (s && s.height === this.#height) {
      this.#safety = { ...s };
      if (s.lock) this.#valid = { slot: s.lock.slot, block: s.lock.block, polka: s.lock.polka };
      if (s.lock) this.#blocks.set(s.lock.block.hash, s.lock.block);
    } else {
      // Votes of an older height no longer matter once that height is final.
      this.#safety = {
        height: this.#height,
        lastProposedSlot: s?.lastProposedSlot ?? -1,
        lastPrevoteSlot: -1,
        lastPrecommitSlot: -1,
        ...(s?.recoveryFrom !== undefined ? { recoveryFrom: s.recoveryFrom } : {}),
      };
    }
    this.#vouching = !this.#opts.recovering || init.genesis.authorities.length === 1;
    if (!this.#vouching && s?.recoveryFrom !== undefined) this.#recoveryFrom = s.recoveryFrom;
    if (!this.#vouching) {
      for (let i = 0; i < init.genesis.authorities.length; i++)
        if (i !== this.self) this.#recovery.set(i, { cursor: -1, askedSlot: -Infinity });
    }
    for (const tx of init.pool ?? []) {
      const hash = txHash(tx);
      if (this.chain.voterTx(voterKey(tx)) !== undefined) continue;
      if (this.pool.add(tx, hash).status !== 'added') continue;
      const e = this.pool.get(hash);
      if (e === undefined) continue;
      if (this.#vouching) e.holders.push(this.self);
      if (init.replicated?.has(hash)) e.replicated = true;
    }
  }

  /** Whether this validator vouches for the transactions in its pool (false while recovering). */
  get vouching(): boolean {
    return this.#vouching;
  }

  /** Whether a pooled transaction is known to be held durably by a quorum of validators. */
  isReplicated(hash: Hex): boolean {
    return this.pool.get(hash)?.replicated === true;
  }

  /** Current local slot (-1 before the first tick). */
  get slot(): number {
    return this.#slot;
  }

  /** Height being decided. */
  get height(): number {
    return this.#height;
  }

  get safety(): Readonly<SafetyState> {
    return this.#safety;
  }

  /** Best candidate for the height being decided: the block of the highest polka seen. */
  get candidate(): { slot: number; block: Block } | undefined {
    return this.#valid && { slot: this.#valid.slot, block: this.#valid.block };
  }

  /** A candidate block of the height being decided, by hash (answers peers' block requests). */
  candidateBlock(hash: Hex): Block | undefined {
    return this.#blocks.get(hash);
  }

  /** The status this validator would announce now. */
  status(): Status {
    return {
      height: this.#height,
      slot: this.#slot,
      headHash: this.chain.head.hash,
      ...(this.#valid ? { polka: this.#valid.polka } : {}),
    };
  }

  /** Advance the clock. `now` is the node's clock reading in unix ms. */
  tick(now: number): Output {
    return this.#run(() => {
      const s = slotAt(this.genesis, now);
      if (s > this.#slot) this.#enterSlot(s);
    });
  }

  /** Handle a message from authority `from`. Invalid messages become 'invalid-message' events. */
  receive(from: number, msg: ConsensusMessage): Output {
    return this.#run(() => this.#dispatch(from, msg));
  }

  /** Submit transactions from a client: accepted ones are persisted, then gossiped. */
  submit(txs: Transaction[]): { results: SubmitResult[]; output: Output } {
    let results: SubmitResult[] = [];
    const output = this.#run(() => {
      results = this.#addTxs(txs, { kind: 'client' });
    });
    return { results, output };
  }

  #run(fn: () => void): Output {
    this.#out = { persist: [], send: [], events: [] };
    fn();
    this.#flushGossip();
    if (this.#newlyReplicated.length > 0) {
      // Written with the step's other writes; the event is delivered once they are durable. Only
      // what is still pending is written: a transaction the same step finalized or dropped has
      // left the pool, and a flag outliving it would never be deleted.
      const pending = this.#newlyReplicated.filter((h) => this.pool.has(h));
      if (pending.length > 0) this.#out.persist.push({ kind: 'pool-replicated', hashes: pending });
      this.#event({ type: 'tx-replicated', hashes: this.#newlyReplicated });
      this.#newlyReplicated = [];
    }
    return this.#out;
  }

  /**
   * Emit the step's transaction batches and acknowledgements; like every send they leave only
   * after the step's writes are durable. The driver batches client submissions into one step,
   * so one step is one gossip batch and one acknowledgement per peer.
   */
  #flushGossip(): void {
    if (this.#outTxs.length > 0) {
      const { maxBatchBytes, maxBatchTxs } = this.#opts;
      let txs: Transaction[] = [];
      let bytes = 0;
      const emit = (): void => {
        const batch: BatchId = { epoch: this.#opts.epoch, seq: this.#seq++ };
        this.#trackBatch(
          batchKey(this.self, batch),
          txs.map((t) => txHash(t)),
        );
        this.#send('all', { type: 'txs', txs, batch });
        txs = [];
        bytes = 0;
      };
      for (const tx of this.#outTxs) {
        const size = txSize(tx);
        if (txs.length > 0 && (bytes + size > maxBatchBytes || txs.length >= maxBatchTxs)) emit();
        txs.push(tx);
        bytes += size;
      }
      if (txs.length > 0) emit();
      this.#outTxs = [];
      this.#outTxsBytes = 0;
    }
    if (this.#outAcks.length > 0) {
      this.#send('all', { type: 'acks', acks: this.#outAcks });
      this.#outAcks = [];
    }
  }

  #trackBatch(key: string, hashes: Hex[]): void {
    const { maxTrackedBatches, maxTrackedTxs } = this.#opts;
    while (
      this.#batches.size > 0 &&
      (this.#batches.size >= maxTrackedBatches || this.#trackedTxs + hashes.length > maxTrackedTxs)
    ) {
      const [oldestKey, oldestHashes] = this.#batches.entries().next().value as [string, Hex[]];
      this.#batches.delete(oldestKey);
      this.#trackedTxs -= oldestHashes.length;
    }
    // A batch seen again (a duplicated message) keeps its place, as Map.set does.
    this.#trackedTxs += hashes.length - (this.#batches.get(key)?.length ?? 0);
    this.#batches.set(key, hashes);
  }

  /** Record that authority `who` holds a pooled transaction durably. */
  #addHolder(e: PoolEntry, who: number): void {
    if (e.holders.includes(who)) return;
    e.holders.push(who);
    if (e.holders.length >= this.#quorum && !e.replicated) {
      e.replicated = true;
      this.#newlyReplicated.push(e.hash);
    }
  }

  #markReplicated(e: PoolEntry): void {
    if (e.replicated) return;
    e.replicated = true;
    this.#newlyReplicated.push(e.hash);
  }

  /** Queue a client transaction for this step's gossip batch. */
  #queueGossip(e: PoolEntry): void {
    e.gossipSlot = this.#slot;
    this.#outTxs.push(e.tx);
    this.#outTxsBytes += e.size;
  }

  #send(to: Destination, msg: ConsensusMessage): void {
    this.#out.send.push({ to, msg });
  }

  #event(e: CoreEvent): void {
    this.#out.events.push(e);
  }

  #persistSafety(): void {
    this.#out.persist.push({ kind: 'safety', state: { ...this.#safety } });
  }

  #dispatch(from: number, msg: ConsensusMessage): void {
    try {
      switch (msg.type) {
        case 'proposal':
          this.#onProposal(from, from === this.self ? msg.proposal : validateProposal(this.genesis, msg.proposal));
          return;
        case 'vote':
          this.#onVote(from, validateVote(this.genesis, msg.vote));
          return;
        case 'status':
          this.#onStatus(from, msg.status);
          return;
        case 'txs':
          if (!Array.isArray(msg.txs)) throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'txs must be an array');
          if (msg.acks !== undefined) this.#onAcks(from, msg.acks);
          this.#addTxs(
            msg.txs.map((t) => parseTransaction(t, this.genesis.limits.maxTxBytes)),
            msg.batch ? { kind: 'gossip', from, batch: msg.batch } : { kind: 'gossip', from },
          );
          return;
        case 'acks':
          this.#onAcks(from, msg.acks);
          return;
        case 'pool-request':
          this.#onPoolRequest(from, msg.cursor);
          return;
        case 'pool-response':
          this.#onPoolResponse(from, msg.entries, msg.next, msg.done, msg.height);
          return;
        case 'sync-response':
          this.#onSyncResponse(from, msg.blocks);
          return;
        case 'block-request': {
          const block = this.#blocks.get(msg.hash);
          if (block) this.#send(from, { type: 'block-response', block });
          return;
        }
        case 'block-response':
          this.#onBlockResponse(msg.block);
          return;
        case 'sync-request':
          return; // answered by the driver from storage
        default: {
          // Compile time: every message type has a case. Run time: a peer can still send any type.
          const unknown: never = msg;
          throw new ProtocolError(
            ProtocolErrorCode.VOTE_INVALID,
            `unknown message type ${(unknown as { type: unknown }).type}`,
          );
        }
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.#event({ type: 'invalid-message', from, code: e.code, message: e.message });
    }
  }

  /** Keep a message for later (next slot or next height); bounded, oldest dropped first. */
  #defer(from: number, msg: ConsensusMessage): void {
    if (this.#deferred.length >= this.#opts.maxDeferred) this.#deferred.shift();
    this.#deferred.push({ from, msg });
  }

  #replayDeferred(): void {
    const pending = this.#deferred;
    this.#deferred = [];
    for (const { from, msg } of pending) this.#dispatch(from, msg);
  }

  /** Where a message for (height, slot) stands relative to us. */
  #placement(from: number, height: number, slot: number): 'now' | 'defer' | 'past' | 'far' {
    if (height < this.#height) return 'past';
    if (height > this.#height + 1) {
      this.#askSync(from);
      return 'far';
    }
    if (slot > this.#slot + 1) return 'far';
    if (height === this.#height + 1 || slot === this.#slot + 1) return 'defer';
    return 'now';
  }

  #askSync(peer: number): void {
    // One request in flight: answers of big blocks take seconds to apply, and piling identical
    // requests behind them only delays catching up. A lost answer is re-asked after a while.
    if (this.#lastSyncAsk.slot >= 0 && this.#slot - this.#lastSyncAsk.slot < this.#opts.syncRetrySlots) return;
    this.#lastSyncAsk = { height: this.#height, slot: this.#slot };
    this.#send(peer, { type: 'sync-request', fromHeight: this.#height, max: this.#opts.syncBatch });
    this.#event({ type: 'sync-needed', peer, fromHeight: this.#height });
  }

  #enterSlot(s: number): void {
    this.#slot = s;
    this.#send('all', { type: 'status', status: this.status() });
    this.#askPools();
    this.#regossip();
    this.#replayDeferred();
    this.#tryPropose();
  }

  /**
   * Gossip again the transactions that have waited a few slots: a batch lost to a partition or a
   * dropped message would otherwise live only in the pool that accepted it, and be proposed only
   * when that validator leads with no polka to honour. Bounded per slot.
   */
  #regossip(): void {
    // Only what is not yet known to be on a quorum: a replicated transaction is proposed by one
    // of its holders, and a recovering validator's pool does not count until it has recovered.
    if (!this.#vouching) return;
    const { regossipAfterSlots, regossipMax, regossipMaxBytes } = this.#opts;
    let count = 0;
    let bytes = 0;
    for (const e of this.pool.entries()) {
      if (count >= regossipMax || bytes + e.size > regossipMaxBytes) break;
      if (e.gossipSlot > this.#slot - regossipAfterSlots || e.replicated) continue;
      if (this.chain.voterTx(voterKey(e.tx)) !== undefined) continue;
      e.gossipSlot = this.#slot;
      this.#outTxs.push(e.tx);
      this.#outTxsBytes += e.size;
      count++;
      bytes += e.size;
    }
  }

  /** A recovering validator asks each peer whose pool it has not finished reading (again every other slot). */
  #askPools(): void {
    if (this.#vouching) return;
    if (this.#recoveryFrom === undefined) {
      this.#recoveryFrom = this.#slot + this.#opts.recoveryGraceSlots;
      this.#safety.recoveryFrom = this.#recoveryFrom;
      this.#persistSafety();
    }
    if (this.#slot < this.#recoveryFrom) return;
    if (this.#recovery.size === 0) {
      this.#maybeFinishRecovery();
      return;
    }
    for (const [peer, r] of this.#recovery) {
      if (this.#slot - r.askedSlot < 2) continue;
      r.askedSlot = this.#slot;
      this.#send(peer, { type: 'pool-request', cursor: r.cursor });
    }
  }

  #tryPropose(): void {
    // A validator that lost its disk may have proposed in this slot already: it signs nothing until recovered.
    if (!this.#vouching) return;
    const s = this.#slot;
    if (s < 0 || leaderOf(this.genesis, s) !== this.self || this.#safety.lastProposedSlot >= s) return;
    if (s <= this.chain.head.slot && this.chain.head.height > 0) return;
    let block: Block;
    let validRound = -1;
    let polka: QuorumCertificate | undefined;
    if (this.#valid) {
      block = this.#valid.block;
      validRound = this.#valid.slot;
      polka = this.#valid.polka;
    } else {
      const { maxTxPerBlock, maxBlockBytes, maxTxBytes } = this.genesis.limits;
      // Only transactions a quorum holds: no acknowledged vote can lose to one that is not.
      // Never a vote its peers would refuse (over maxTxBytes, say from an older version's pool):
      // a block with one would be rejected by every peer, and its slot wasted at every turn.
      const entries = this.pool.take(
        maxTxPerBlock,
        maxBlockBytes,
        (e) =>
          !e.replicated ||
          e.size > maxTxBytes ||
          this.chain.voterTx(voterKey(e.tx)) !== undefined ||
          // Pooled ballots' proofs were checked when they entered the pool: only phase and window again.
          this.elections?.includable(e.tx, e.hash, this.#height, true) === false,
      );
      // Nothing to propose: an empty block only once the head is old enough (the slot passes
      // otherwise). With the default interval of 1 this never skips: s > head.slot here.
      if (
        entries.length === 0 &&
        this.chain.head.height > 0 &&
        s - this.chain.head.slot < this.#opts.emptyBlockIntervalSlots
      )
        return;
      block = createBlock(
        this.genesis,
        {
          height: this.#height,
          slot: s,
          parentHash: this.chain.head.hash,
          proposer: this.self,
          transactions: entries.map((e) => e.tx),
          stateRoot: this.chain.stateRoot,
        },
        this.#signer,
      );
    }
    const proposal = createProposal(this.genesis, this.#signer, {
      slot: s,
      block,
      validRound,
      ...(polka ? { polka } : {}),
    });
    this.#safety.lastProposedSlot = s;
    this.#persistSafety();
    this.#send('all', { type: 'proposal', proposal });
    this.#event({ type: 'proposed', slot: s, block });
    this.#onProposal(this.self, proposal);
  }

  /** Rules that depend on our finalized state: parent link, slot order, one vote per voter. */
  #checkAgainstChain(block: Block): void {
    checkBlockLinks(block, this.chain.head);
    const stateRoot = this.chain.stateRoot;
    if (block.header.stateRoot !== stateRoot)
      throw new ProtocolError(
        ProtocolErrorCode.BLOCK_BAD_STATE_ROOT,
        `block ${block.hash} stateRoot ${block.header.stateRoot} is not the state after its parent (${stateRoot})`,
      );
    const voters = new Set<string>();
    for (const tx of block.transactions) {
      const key = voterKey(tx);
      const onChain = this.chain.voterTx(key);
      if (onChain !== undefined) {
        throw new ProtocolError(
          ProtocolErrorCode.BLOCK_BAD_TX,
          `block ${block.hash} repeats the vote of ${tx.from} in ${tx.to} (on chain: ${onChain})`,
        );
      }
      if (voters.has(key))
        throw new ProtocolError(
          ProtocolErrorCode.BLOCK_BAD_TX,
          `block ${block.hash} holds two votes of ${tx.from} in ${tx.to}`,
        );
      voters.add(key);
    }
    if (this.elections === undefined) return;
    for (const tx of block.transactions) {
      try {
        const hash = txHash(tx);
        this.elections.check(tx, hash, block.header.height, this.pool.has(hash));
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        throw new ProtocolError(
          ProtocolErrorCode.BLOCK_BAD_TX,
          `block ${block.hash}: ${tx.from} in ${tx.to}: ${e.code}: ${e.message}`,
          { cause: e.code, ...e.data },
        );
      }
    }
  }

  #onProposal(from: number, p: Proposal): void {
    if (this.interceptProposal(from, p)) return;
    const where = this.#placement(from, p.height, p.slot);
    if (where === 'defer') {
      this.#defer(from, { type: 'proposal', proposal: p });
      return;
    }
    if (where === 'past') {
      // The proposer is behind: tell it where we are so it syncs.
      if (from !== this.self) this.#send(from, { type: 'status', status: this.status() });
      return;
    }
    if (where === 'far') {
      if (p.height <= this.#height + 1)
        this.#event({
          type: 'invalid-message',
          from,
          code: 'PROPOSAL_FUTURE_SLOT',
          message: `proposal for slot ${p.slot} is too far ahead of local slot ${this.#slot}`,
        });
      return;
    }
    const seen = this.#proposals.get(p.slot);
    if (seen) {
      if (seen.block.hash !== p.block.hash || seen.validRound !== p.validRound) {
        const header = (x: Proposal) => ({
          height: x.height,
          slot: x.slot,
          blockHash: x.block.hash,
          validRound: x.validRound,
          signature: x.signature,
        });
        this.#evidence({
          kind: 'double-proposal',
          validator: leaderOf(this.genesis, p.slot),
          slot: p.slot,
          a: header(seen),
          b: header(p),
        });
      }
      return;
    }
    if (from !== this.self) this.#checkAgainstChain(p.block);
    this.#proposals.set(p.slot, p);
    this.#storeBlock(p.block);
    if (p.polka) this.#learnCertificate(p.polka);

    if (p.slot === this.#slot && this.#safety.lastPrevoteSlot < this.#slot) {
      const lock = this.#safety.lock;
      if (!lock || lock.block.hash === p.block.hash || p.validRound >= lock.slot)
        this.#castVote('prevote', p.block.hash);
    }
    this.#checkQuorums(p.block.hash);
  }

  /** Keep a valid candidate block; its transactions join our pool so a failed round loses none. */
  #storeBlock(block: Block): void {
    if (this.#blocks.has(block.hash)) return;
    this.#blocks.set(block.hash, block);
    this.chain.prepare(block);
    this.#addTxs(block.transactions, { kind: 'block', proposer: block.header.proposer });
  }

  #castVote(type: VoteType, blockHash: Hex): void {
    // A validator that lost its disk lost its locks and last votes: it signs nothing until recovered.
    if (!this.#vouching) return;
    if (type === 'prevote') this.#safety.lastPrevoteSlot = this.#slot;
    else this.#safety.lastPrecommitSlot = this.#slot;
    this.#persistSafety();
    const vote = createVote(this.genesis, this.#signer, this.self, {
      type,
      height: this.#height,
      slot: this.#slot,
      blockHash,
    });
    this.#send('all', { type: 'vote', vote });
    this.#onVote(this.self, vote);
  }

  #onVote(from: number, vote: Vote): void {
    const where = this.#placement(from, vote.height, vote.slot);
    if (where === 'defer') {
      this.#defer(from, { type: 'vote', vote });
      return;
    }
    if (where !== 'now') return;
    this.#addVote(vote);
  }

  #addVote(vote: Vote): void {
    if (vote.height !== this.#height) return;
    const r = this.#votes.add(vote);
    if (r.status === 'conflict') {
      this.#evidence({ kind: 'double-vote', validator: vote.validator, a: r.existing, b: vote });
      return;
    }
    if (r.status === 'added') this.#checkQuorum(vote.type, vote.slot, vote.blockHash);
  }

  /** Fold the signatures of a verified certificate into our vote set. */
  #learnCertificate(cert: QuorumCertificate): void {
    if (cert.height !== this.#height) return;
    for (const s of cert.signatures) {
      this.#addVote({
        type: cert.type,
        height: cert.height,
        slot: cert.slot,
        blockHash: cert.blockHash,
        validator: s.validator,
        signature: s.signature,
      });
    }
  }

  #checkQuorums(blockHash: Hex): void {
    for (const { type, slot } of [...this.#votes.slotsFor(blockHash)]) this.#checkQuorum(type, slot, blockHash);
  }

  #checkQuorum(type: VoteType, slot: number, blockHash: Hex): void {
    const votes = this.#votes.votesFor(type, slot, blockHash);
    if (votes.length < this.#quorum) return;
    const block = this.#blocks.get(blockHash);
    if (!block) {
      this.#send('all', { type: 'block-request', hash: blockHash });
      return;
    }
    const cert = certificateFromVotes(votes);
    if (type === 'precommit') {
      this.#finalize(block, cert);
      return;
    }
    if (!this.#valid || slot > this.#valid.slot) {
      this.#valid = { slot, block, polka: cert };
      this.#event({ type: 'polka', slot, block });
    }
    if (slot === this.#slot && this.#safety.lastPrecommitSlot < this.#slot) {
      this.#safety.lock = { slot, block, polka: cert };
      this.#castVote('precommit', blockHash);
    }
  }

  #finalize(block: Block, certificate: QuorumCertificate): void {
    if (block.header.height !== this.#height) return;
    this.willFinalize(block);
    this.chain.apply(block);
    const electionChanges = this.elections?.apply(block) ?? [];
    // The registry's records are state too: those the block changed replace theirs in the commitment.
    const registryEntries = this.elections?.takeStateChanges() ?? [];
    if (registryEntries.length > 0) this.chain.commitment.replace(registryEntries);
    this.#out.persist.push({
      kind: 'finalize',
      block,
      certificate,
      lattice: this.chain.commitment.lattice.bytes(),
      ...(registryEntries.length > 0 ? { registryEntries } : {}),
    });
    const rejected: Hex[] = [];
    if (electionChanges.length > 0) this.#dropExpired(rejected);
    for (const tx of block.transactions) {
      const hash = txHash(tx);
      const pending = this.pool.voterTx(voterKey(tx));
      this.pool.remove(hash);
      if (pending !== undefined && pending !== hash) {
        this.pool.remove(pending);
        rejected.push(pending);
        this.#event({
          type: 'tx-rejected',
          hash: pending,
          reason: `${tx.from} already voted in ${tx.to} with ${hash}`,
          conflictsWith: hash,
        });
      }
    }
    if (rejected.length > 0) this.#out.persist.push({ kind: 'pool-remove', hashes: rejected });
    this.#event({ type: 'finalized', block, certificate });
    this.#height = block.header.height + 1;
    this.#blocks = new Map();
    this.#proposals = new Map();
    this.#votes = new VoteSet();
    this.#valid = undefined;
    this.#safety = {
      height: this.#height,
      lastProposedSlot: this.#safety.lastProposedSlot,
      lastPrevoteSlot: -1,
      lastPrecommitSlot: -1,
    };
    if (!this.#vouching && this.#recoveryFrom !== undefined) this.#safety.recoveryFrom = this.#recoveryFrom;
    this.#persistSafety();
    if (this.#recoveryFrom !== undefined) this.#maybeFinishRecovery();
    this.#replayDeferred();
    this.#tryPropose();
  }

  /** Pooled election transactions that can never be valid again (the election moved past their phase). */
  #dropExpired(rejected: Hex[]): void {
    const elections = this.elections;
    if (elections === undefined) return;
    for (const e of [...this.pool.entries()]) {
      const why = elections.expired(e.tx);
      if (why === undefined) continue;
      this.pool.remove(e.hash);
      rejected.push(e.hash);
      this.#event({ type: 'tx-rejected', hash: e.hash, reason: why, code: 'TX_INVALID' });
    }
  }

  #onStatus(from: number, status: Status): void {
    if (typeof status !== 'object' || status === null || !Number.isSafeInteger(status.height)) {
      throw new ProtocolError(ProtocolErrorCode.VOTE_INVALID, 'status must carry an integer height');
    }
    if (status.height > this.#height) {
      this.#askSync(from);
      return;
    }
    if (status.height === this.#height && status.polka !== undefined) {
      const cert = verifyCertificate(this.genesis, status.polka, { type: 'prevote', height: this.#height });
      if (cert.slot <= this.#slot + 1 && (!this.#valid || cert.slot > this.#valid.slot)) this.#learnCertificate(cert);
    }
  }

  #onBlockResponse(input: Block): void {
    const block = validateBlock(this.genesis, input);
    if (block.header.height !== this.#height || this.#blocks.has(block.hash) || !this.#votes.references(block.hash))
      return;
    this.#checkAgainstChain(block);
    this.#storeBlock(block);
    this.#checkQuorums(block.hash);
  }

  #onSyncResponse(from: number, blocks: FinalizedBlock[]): void {
    this.#lastSyncAsk = { height: -1, slot: -1 };
    if (!Array.isArray(blocks))
      throw new ProtocolError(ProtocolErrorCode.BLOCK_INVALID, 'sync response must be an array of finalized blocks');
    let applied = 0;
    for (const fb of blocks) {
      const height = (fb?.block as Block | undefined)?.header?.height;
      if (typeof height !== 'number' || height < this.#height) continue;
      if (height > this.#height) break;
      const { block, certificate } = verifyFinalizedBlock(this.genesis, this.chain.head, fb);
      this.#checkAgainstChain(block);
      // Final already: its votes go straight to the chain, not through the pool.
      this.#finalize(block, certificate);
      applied++;
    }
    // Progress means the peer may have more: ask again at once rather than at the next status.
    if (applied > 0) this.#askSync(from);
  }

  /**
   * Accept transactions into the pool. Client submissions get a result per transaction and are
   * queued for gossip; a peer's gossip batch is acknowledged (once this step's pool write is on
   * disk) with the transactions this validator refused; block transactions join silently. A
   * conflicting pending vote is skipped: whichever a quorum holds first wins.
   */
  #addTxs(txs: Transaction[], source: TxSource): SubmitResult[] {
    const results: SubmitResult[] = [];
    const accepted: Transaction[] = [];
    const refused: TxRefusal[] = [];
    const hashes: Hex[] = [];
    const client = source.kind === 'client';
    const sender = source.kind === 'gossip' ? source.from : source.kind === 'block' ? source.proposer : undefined;
    const maxTxBytes = this.genesis.limits.maxTxBytes;
    for (const tx of txs) {
      const hash = txHash(tx);
      hashes.push(hash);
      if (client) {
        const size = txSize(tx);
        if (size > maxTxBytes) {
          results.push({
            status: 'rejected',
            hash,
            code: 'TX_TOO_LARGE',
            message: `transaction is ${size} bytes (canonical JSON); the genesis limit maxTxBytes is ${maxTxBytes}`,
          });
          continue;
        }
        if (!this.#vouching) {
          results.push({
            status: 'rejected',
            hash,
            code: 'RECOVERING',
            message: `validator ${this.self} is reading its peers' pools after starting without its own; submit to another validator`,
          });
          continue;
        }
      }
      const onChain = this.chain.voterTx(voterKey(tx));
      if (onChain === hash) {
        results.push({ status: 'known', hash, finalized: true, replicated: true });
        continue;
      }
      if (onChain !== undefined) {
        results.push({
          status: 'rejected',
          hash,
          code: 'TX_DOUBLE_VOTE',
          message: `${tx.from} already voted in ${tx.to}: transaction ${onChain} is final`,
          conflictsWith: onChain,
        });
        refused.push({ hash, reason: 'conflict', conflictsWith: onChain });
        continue;
      }
      if (this.elections !== undefined && !this.pool.has(hash)) {
        try {
          this.elections.check(tx, hash, this.#height);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          const data = { reason: err.code, ...err.data };
          results.push({ status: 'rejected', hash, code: 'TX_INVALID', message: err.message, data });
          // Not held here: 'full' is the reason every peer version accepts for "I do not hold it".
          refused.push({ hash, reason: 'full' });
          continue;
        }
      }
      const r = this.pool.add(tx, hash, this.#slot);
      if (r.status === 'added' || r.status === 'known') {
        const e = this.pool.get(hash);
        if (e === undefined) continue;
        if (r.status === 'added') accepted.push(tx);
        if (sender !== undefined && sender !== this.self) this.#addHolder(e, sender);
        if (this.#vouching) this.#addHolder(e, this.self);
        const replicated = e.replicated;
        // A resubmission of a vote still short of a quorum is gossiped again, once per slot.
        if (client && !replicated && (r.status === 'added' || e.gossipSlot < this.#slot)) this.#queueGossip(e);
        results.push(
          r.status === 'added'
            ? { status: 'accepted', hash, replicated }
            : { status: 'known', hash, finalized: false, replicated },
        );
      } else if (r.status === 'conflict') {
        results.push({
          status: 'rejected',
          hash,
          code: 'TX_DOUBLE_VOTE',
          message: `${tx.from} already voted in ${tx.to}: transaction ${r.conflictsWith} is pending`,
          conflictsWith: r.conflictsWith,
        });
        refused.push({ hash, reason: 'conflict', conflictsWith: r.conflictsWith });
      } else {
        results.push({
          status: 'rejected',
          hash,
          code: 'POOL_FULL',
          message: `transaction pool is full (${this.pool.size} of ${this.pool.maxSize} votes, ${this.pool.bytes} of ${this.pool.maxBytes} bytes); retry later or on another validator`,
        });
        refused.push({ hash, reason: 'full' });
      }
    }
    if (accepted.length > 0) this.#out.persist.push({ kind: 'pool-add', txs: accepted });
    if (source.kind === 'gossip' && source.batch !== undefined) {
      this.#trackBatch(batchKey(source.from, source.batch), hashes);
      if (this.#vouching)
        this.#outAcks.push({ origin: source.from, epoch: source.batch.epoch, seq: source.batch.seq, refused });
    }
    return results;
  }

  /** A peer acknowledged batches: it holds their transactions, except those it refused. */
  #onAcks(from: number, acks: TxAck[]): void {
    for (const ack of acks) {
      const hashes = this.#batches.get(batchKey(ack.origin, ack));
      if (hashes === undefined) continue;
      const refused = new Map(ack.refused.map((r) => [r.hash, r] as const));
      for (const hash of hashes) {
        const e = this.pool.get(hash);
        if (e === undefined) continue;
        const r = refused.get(hash);
        if (r === undefined) this.#addHolder(e, from);
        else if (r.reason === 'conflict') this.#addRefuser(e, from, r.conflictsWith);
      }
    }
  }

  /**
   * Record that `who` holds another vote of the same voter. Once too many do for a quorum to
   * ever hold this one, nobody can have acknowledged it: drop it, so that the voter is not
   * locked out by votes stranded in pools.
   */
  #addRefuser(e: PoolEntry, who: number, conflictsWith: Hex | undefined): void {
    if (e.refusers.includes(who) || e.holders.includes(who)) return;
    e.refusers.push(who);
    if (e.replicated || this.genesis.authorities.length - e.refusers.length >= this.#quorum) return;
    this.pool.remove(e.hash);
    this.#out.persist.push({ kind: 'pool-remove', hashes: [e.hash] });
    const other = conflictsWith === undefined ? 'another vote' : `vote ${conflictsWith}`;
    this.#event({
      type: 'tx-rejected',
      hash: e.hash,
      reason: `${e.tx.from} already voted in ${e.tx.to}: ${e.refusers.length} of ${this.genesis.authorities.length} validators hold ${other}, so this one can never reach a quorum`,
      ...(conflictsWith !== undefined ? { conflictsWith } : {}),
    });
  }

  /** Serve one page of our pool to a recovering peer. */
  #onPoolRequest(from: number, cursor: number): void {
    if (!Number.isSafeInteger(cursor))
      throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'pool-request cursor must be an integer');
    const page = this.pool.page(cursor, this.#opts.poolPageBytes);
    const last = page.entries[page.entries.length - 1];
    const entries: PoolSnapshotEntry[] = page.entries.map((e) => ({
      tx: e.tx,
      holders: [...e.holders].sort((a, b) => a - b),
      replicated: e.replicated,
    }));
    this.#send(from, {
      type: 'pool-response',
      entries,
      next: last ? last.seq : cursor,
      done: page.done,
      height: this.chain.head.height,
    });
  }

  /**
   * Merge a page of a peer's pool into ours while recovering. A vote that a quorum is known to
   * hold (by the union of what the peers report, our own lost copy included) replaces a
   * conflicting one we picked up meanwhile: only it can have been acknowledged.
   */
  #onPoolResponse(from: number, entries: PoolSnapshotEntry[], next: number, done: boolean, height: number): void {
    const r = this.#recovery.get(from);
    if (r === undefined || this.#recoveryFrom === undefined || this.#slot < this.#recoveryFrom) return;
    if (Number.isSafeInteger(height)) this.#recoveryHeight = Math.max(this.#recoveryHeight, height);
    if (!Array.isArray(entries) || !Number.isSafeInteger(next))
      throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'pool-response must carry entries and an integer cursor');
    const added: Transaction[] = [];
    const removed: Hex[] = [];
    for (const entry of entries) {
      const tx = parseTransaction(entry.tx, this.genesis.limits.maxTxBytes);
      const hash = txHash(tx);
      const key = voterKey(tx);
      if (this.chain.voterTx(key) !== undefined) continue;
      const reported = entry.holders.filter(
        (h) => Number.isSafeInteger(h) && h >= 0 && h < this.genesis.authorities.length,
      );
      const mine = this.pool.get(hash);
      if (mine !== undefined) {
        for (const h of reported) if (h !== this.self) this.#addHolder(mine, h);
        if (entry.replicated) this.#markReplicated(mine);
        continue;
      }
      const other = this.pool.voterTx(key);
      if (other !== undefined) {
        // The union over peers of who holds it; our own lost copy counts: it is how an
        // acknowledgement we gave before losing our disk shows up.
        const evidence = this.#recoveryEvidence.get(hash) ?? new Set<number>();
        for (const h of reported) evidence.add(h);
        if (evidence.size < this.#quorum && !entry.replicated) {
          this.#recoveryEvidence.set(hash, evidence);
          continue;
        }
        this.#recoveryEvidence.delete(hash);
        this.pool.remove(other);
        removed.push(other);
      }
      if (this.pool.add(tx, hash, this.#slot).status !== 'added') continue;
      added.push(tx);
      this.#recoveredEntries++;
      const e = this.pool.get(hash);
      if (e === undefined) continue;
      for (const h of reported) if (h !== this.self) this.#addHolder(e, h);
      if (entry.replicated) this.#markReplicated(e);
    }
    // Adds first: a vote added and replaced within this page must end up removed.
    if (added.length > 0) this.#out.persist.push({ kind: 'pool-add', txs: added });
    if (removed.length > 0) this.#out.persist.push({ kind: 'pool-remove', hashes: removed });
    r.cursor = Math.max(r.cursor, next);
    if (!done) {
      r.askedSlot = this.#slot;
      this.#send(from, { type: 'pool-request', cursor: r.cursor });
      return;
    }
    this.#recovery.delete(from);
    this.#maybeFinishRecovery(from);
  }

  /**
   * Every peer's pool is read: once our chain also reaches the highest finalized height they
   * reported, we have seen every vote and every block we may have signed before losing our
   * disk, so we vouch for votes and sign again.
   */
  #maybeFinishRecovery(syncFrom?: number): void {
    if (this.#vouching || this.#recovery.size > 0) return;
    if (this.chain.head.height < this.#recoveryHeight) {
      if (syncFrom !== undefined) this.#askSync(syncFrom);
      return;
    }
    this.#vouching = true;
    delete this.#safety.recoveryFrom;
    this.#recoveryEvidence.clear();
    for (const e of this.pool.entries()) this.#addHolder(e, this.self);
    this.#out.persist.push({ kind: 'vouching' });
    this.#event({ type: 'recovered', peers: this.genesis.authorities.length - 1, entries: this.#recoveredEntries });
  }

  #evidence(evidence: Evidence): void {
    this.#out.persist.push({ kind: 'evidence', evidence });
    this.#event({ type: 'evidence', evidence });
  }

  // ---- Test seams ---------------------------------------------------------------------------
  // The simulator proves its checker can fail by running deliberately broken validators
  // (sim/brokenCore.ts subclasses this class and overrides these). The implementations here are
  // the correct rules; nothing in the node overrides or calls them otherwise. Like cometbft's
  // replaceable `decideProposal`, the unsafe behaviour lives with the test, not behind a flag here.

  /** Votes that make a certificate and a replicated vote: the genesis quorum. */
  protected quorumOf(genesis: Genesis): number {
    return quorumSize(genesis);
  }

  /** Called first for every proposal received or made; returning true consumes it. Correct: never. */
  protected interceptProposal(_from: number, _p: Proposal): boolean {
    return false;
  }

  /** Called just before `block` is applied on top of the current finalized head. */
  protected willFinalize(_block: Block): void {}

  /**
   * Finalize `block` on the current head without checking `certificate`. Only a broken simulator
   * variant calls it (after reverting the head); the core itself never does.
   */
  protected finalizeUnchecked(block: Block, certificate: QuorumCertificate): void {
    this.#height = this.chain.head.height + 1;
    this.#finalize(block, certificate);
  }
}

/**
 * The commitment a core starts from must hold the registry's entries as the registry is (restored
 * or replayed to the same head): otherwise every stateRoot it computes differs from its peers'.
 * Also clears the registry's pending changes (a replay that restored it is already committed).
 */
function checkRegistryCommitted(registry: ElectionRegistry, commitment: StateCommitment): void {
  registry.takeStateChanges();
  const digest = (entries: readonly StateEntry[]): string =>
    entries
      .map((e) => `${stateEntryKey(e)}=${sha256Hex(stateEntryBytes(e))}`)
      .sort()
      .join('\n');
  if (digest(registry.stateEntries()) !== digest(commitment.keyedEntries()))
    throw new ProtocolError(
      ProtocolErrorCode.STATE_INVALID,
      `the state commitment does not hold the election registry's ${registry.stateEntries().length} entries at height ${registry.height} ` +
        `(it holds ${commitment.keyedEntries().length} registry entries): they must come from the same finalized head`,
    );
}
