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
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type Proposal,
  type QuorumCertificate,
  type Signer,
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
  slotAt,
  txHash,
  validateBlock,
  validateProposal,
  validateVote,
  verifyCertificate,
  verifyFinalizedBlock,
  voterKey,
} from '@poa-vote/shared';
import type { ChainState } from '../state/chainState.js';
import { Mempool } from '../mempool/mempool.js';
import type { ConsensusMessage, CoreEvent, Destination, Output, SafetyState, Status, SubmitResult } from './interface.js';
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
  safety?: SafetyState;
  /** Persisted pending transactions, in arrival order. */
  pool?: Transaction[];
  mempool?: Mempool;
  options?: Partial<ConsensusOptions>;
}

interface Valid {
  slot: number;
  block: Block;
  polka: QuorumCertificate;
}

export class ConsensusCore {
  readonly genesis: Genesis;
  readonly self: number;
  readonly chain: ChainState;
  readonly pool: Mempool;
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

  constructor(init: ConsensusInit) {
    this.genesis = init.genesis;
    this.self = init.self;
    this.chain = init.chain;
    this.#signer = init.signer;
    this.#opts = { ...defaultConsensusOptions, ...init.options };
    this.#quorum = this.#opts.broken?.quorum ?? quorumSize(init.genesis);
    this.pool = init.mempool ?? new Mempool();
    this.#height = this.chain.head.height + 1;
    const s = init.safety;
    if (s && s.height === this.#height) {
      this.#safety = { ...s };
      if (s.lock) this.#valid = { slot: s.lock.slot, block: s.lock.block, polka: s.lock.polka };
      if (s.lock) this.#blocks.set(s.lock.block.hash, s.lock.block);
    } else {
      // Votes of an older height no longer matter once that height is final.
      this.#safety = { height: this.#height, lastProposedSlot: s?.lastProposedSlot ?? -1, lastPrevoteSlot: -1, lastPrecommitSlot: -1 };
    }
    for (const tx of init.pool ?? []) {
      const hash = txHash(tx);
      if (this.chain.voterTx(voterKey(tx)) === undefined) this.pool.add(tx, hash);
    }
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
    return { height: this.#height, slot: this.#slot, headHash: this.chain.head.hash, ...(this.#valid ? { polka: this.#valid.polka } : {}) };
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
      results = this.#addTxs(txs, true);
    });
    return { results, output };
  }

  #run(fn: () => void): Output {
    this.#out = { persist: [], send: [], events: [] };
    fn();
    return this.#out;
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
          return this.#onProposal(from, from === this.self ? msg.proposal : validateProposal(this.genesis, msg.proposal));
        case 'vote':
          return this.#onVote(from, validateVote(this.genesis, msg.vote));
        case 'status':
          return this.#onStatus(from, msg.status);
        case 'txs':
          if (!Array.isArray(msg.txs)) throw new ProtocolError(ProtocolErrorCode.TX_INVALID, 'txs must be an array');
          this.#addTxs(msg.txs.map((t) => parseTransaction(t, this.genesis.limits.maxTxBytes)), false);
          return;
        case 'sync-response':
          return this.#onSyncResponse(from, msg.blocks);
        case 'block-request':
          if (this.#blocks.has(msg.hash)) this.#send(from, { type: 'block-response', block: this.#blocks.get(msg.hash)! });
          return;
        case 'block-response':
          return this.#onBlockResponse(msg.block);
        case 'sync-request':
          return; // answered by the driver from storage
        default:
          throw new ProtocolError(ProtocolErrorCode.VOTE_INVALID, `unknown message type ${(msg as { type: unknown }).type}`);
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
    const { regossipAfterSlots, regossipMax } = this.#opts;
    const stale: Transaction[] = [];
    for (const e of this.pool.entries()) {
      if (stale.length >= regossipMax) break;
      if (e.gossipSlot > this.#slot - regossipAfterSlots) continue;
      e.gossipSlot = this.#slot;
      stale.push(e.tx);
    }
    if (stale.length > 0) this.#send('all', { type: 'txs', txs: stale });
  }

  #tryPropose(): void {
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
      const { maxTxPerBlock, maxBlockBytes } = this.genesis.limits;
      const entries = this.pool.take(maxTxPerBlock, maxBlockBytes, (e) => this.chain.voterTx(voterKey(e.tx)) !== undefined);
      block = createBlock(
        this.genesis,
        { height: this.#height, slot: s, parentHash: this.chain.head.hash, proposer: this.self, transactions: entries.map((e) => e.tx) },
        this.#signer,
      );
    }
    const proposal = createProposal(this.genesis, this.#signer, { slot: s, block, validRound, ...(polka ? { polka } : {}) });
    this.#safety.lastProposedSlot = s;
    this.#persistSafety();
    this.#send('all', { type: 'proposal', proposal });
    this.#event({ type: 'proposed', slot: s, block });
    this.#onProposal(this.self, proposal);
  }

  /** Rules that depend on our finalized state: parent link, slot order, one vote per voter. */
  #checkAgainstChain(block: Block): void {
    checkBlockLinks(block, this.chain.head);
    const voters = new Set<string>();
    for (const tx of block.transactions) {
      const key = voterKey(tx);
      const onChain = this.chain.voterTx(key);
      if (onChain !== undefined) {
        throw new ProtocolError(ProtocolErrorCode.BLOCK_BAD_TX, `block ${block.hash} repeats the vote of ${tx.from} in ${tx.to} (on chain: ${onChain})`);
      }
      if (voters.has(key)) throw new ProtocolError(ProtocolErrorCode.BLOCK_BAD_TX, `block ${block.hash} holds two votes of ${tx.from} in ${tx.to}`);
      voters.add(key);
    }
  }

  #onProposal(from: number, p: Proposal): void {
    if (this.#opts.broken?.revertFinal && p.height === this.chain.head.height && p.block.hash !== this.chain.head.hash) {
      return this.#brokenRevert(p);
    }
    const where = this.#placement(from, p.height, p.slot);
    if (where === 'defer') return this.#defer(from, { type: 'proposal', proposal: p });
    if (where === 'past') {
      // The proposer is behind: tell it where we are so it syncs.
      if (from !== this.self) this.#send(from, { type: 'status', status: this.status() });
      return;
    }
    if (where === 'far') {
      if (p.height <= this.#height + 1) this.#event({ type: 'invalid-message', from, code: 'PROPOSAL_FUTURE_SLOT', message: `proposal for slot ${p.slot} is too far ahead of local slot ${this.#slot}` });
      return;
    }
    const seen = this.#proposals.get(p.slot);
    if (seen) {
      if (seen.block.hash !== p.block.hash || seen.validRound !== p.validRound) {
        const header = (x: Proposal) => ({ height: x.height, slot: x.slot, blockHash: x.block.hash, validRound: x.validRound, signature: x.signature });
        this.#evidence({ kind: 'double-proposal', validator: leaderOf(this.genesis, p.slot), slot: p.slot, a: header(seen), b: header(p) });
      }
      return;
    }
    if (from !== this.self) this.#checkAgainstChain(p.block);
    this.#proposals.set(p.slot, p);
    this.#storeBlock(p.block);
    if (p.polka) this.#learnCertificate(p.polka);

    if (p.slot === this.#slot && this.#safety.lastPrevoteSlot < this.#slot) {
      const lock = this.#safety.lock;
      if (!lock || lock.block.hash === p.block.hash || p.validRound >= lock.slot) this.#castVote('prevote', p.block.hash);
    }
    this.#checkQuorums(p.block.hash);
  }

  /** Keep a valid candidate block; its transactions join our pool so a failed round loses none. */
  #storeBlock(block: Block): void {
    if (this.#blocks.has(block.hash)) return;
    this.#blocks.set(block.hash, block);
    this.#addTxs(block.transactions, false);
  }

  #castVote(type: VoteType, blockHash: Hex): void {
    if (type === 'prevote') this.#safety.lastPrevoteSlot = this.#slot;
    else this.#safety.lastPrecommitSlot = this.#slot;
    this.#persistSafety();
    const vote = createVote(this.genesis, this.#signer, this.self, { type, height: this.#height, slot: this.#slot, blockHash });
    this.#send('all', { type: 'vote', vote });
    this.#onVote(this.self, vote);
  }

  #onVote(from: number, vote: Vote): void {
    const where = this.#placement(from, vote.height, vote.slot);
    if (where === 'defer') return this.#defer(from, { type: 'vote', vote });
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
      this.#addVote({ type: cert.type, height: cert.height, slot: cert.slot, blockHash: cert.blockHash, validator: s.validator, signature: s.signature });
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
    if (type === 'precommit') return this.#finalize(block, cert);
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
    if (this.#opts.broken?.revertFinal) {
      this.#revertParents.set(block.hash, { ...this.chain.head });
      this.#revertBlocks.set(block.hash, block);
    }
    this.chain.apply(block);
    this.#out.persist.push({ kind: 'finalize', block, certificate });
    const rejected: Hex[] = [];
    for (const tx of block.transactions) {
      const hash = txHash(tx);
      const pending = this.pool.voterTx(voterKey(tx));
      this.pool.remove(hash);
      if (pending !== undefined && pending !== hash) {
        this.pool.remove(pending);
        rejected.push(pending);
        this.#event({ type: 'tx-rejected', hash: pending, reason: `${tx.from} already voted in ${tx.to} with ${hash}`, conflictsWith: hash });
      }
    }
    if (rejected.length > 0) this.#out.persist.push({ kind: 'pool-remove', hashes: rejected });
    this.#event({ type: 'finalized', block, certificate });
    this.#height = block.header.height + 1;
    this.#blocks = new Map();
    this.#proposals = new Map();
    this.#votes = new VoteSet();
    this.#valid = undefined;
    this.#safety = { height: this.#height, lastProposedSlot: this.#safety.lastProposedSlot, lastPrevoteSlot: -1, lastPrecommitSlot: -1 };
    this.#persistSafety();
    this.#replayDeferred();
    this.#tryPropose();
  }

  #onStatus(from: number, status: Status): void {
    if (typeof status !== 'object' || status === null || !Number.isSafeInteger(status.height)) {
      throw new ProtocolError(ProtocolErrorCode.VOTE_INVALID, 'status must carry an integer height');
    }
    if (status.height > this.#height) return this.#askSync(from);
    if (status.height === this.#height && status.polka !== undefined) {
      const cert = verifyCertificate(this.genesis, status.polka, { type: 'prevote', height: this.#height });
      if (cert.slot <= this.#slot + 1 && (!this.#valid || cert.slot > this.#valid.slot)) this.#learnCertificate(cert);
    }
  }

  #onBlockResponse(input: Block): void {
    const block = validateBlock(this.genesis, input);
    if (block.header.height !== this.#height || this.#blocks.has(block.hash) || !this.#votes.references(block.hash)) return;
    this.#checkAgainstChain(block);
    this.#storeBlock(block);
    this.#checkQuorums(block.hash);
  }

  #onSyncResponse(from: number, blocks: FinalizedBlock[]): void {
    this.#lastSyncAsk = { height: -1, slot: -1 };
    if (!Array.isArray(blocks)) throw new ProtocolError(ProtocolErrorCode.BLOCK_INVALID, 'sync response must be an array of finalized blocks');
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
   * Accept transactions into the pool. Client submissions get a result per transaction; gossip
   * and proposal transactions are added silently (a conflicting pending vote is simply skipped:
   * whichever reaches a block first wins, and the loser is reported rejected then).
   */
  #addTxs(txs: Transaction[], fromClient: boolean): SubmitResult[] {
    const results: SubmitResult[] = [];
    const accepted: Transaction[] = [];
    for (const tx of txs) {
      const hash = txHash(tx);
      const onChain = this.chain.voterTx(voterKey(tx));
      if (onChain === hash) {
        results.push({ status: 'known', hash, finalized: true });
        continue;
      }
      if (onChain !== undefined) {
        results.push({ status: 'rejected', hash, code: 'TX_DOUBLE_VOTE', message: `${tx.from} already voted in ${tx.to}: transaction ${onChain} is final`, conflictsWith: onChain });
        continue;
      }
      const r = this.pool.add(tx, hash, this.#slot);
      if (r.status === 'added') {
        accepted.push(tx);
        results.push({ status: 'accepted', hash });
      } else if (r.status === 'known') {
        results.push({ status: 'known', hash, finalized: false });
      } else if (r.status === 'conflict') {
        results.push({ status: 'rejected', hash, code: 'TX_DOUBLE_VOTE', message: `${tx.from} already voted in ${tx.to}: transaction ${r.conflictsWith} is pending`, conflictsWith: r.conflictsWith });
      } else {
        results.push({ status: 'rejected', hash, code: 'POOL_FULL', message: `transaction pool is full (${this.pool.maxSize} pending); retry later or on another validator` });
      }
    }
    if (accepted.length > 0) {
      this.#out.persist.push({ kind: 'pool-add', txs: accepted });
      if (fromClient) this.#send('all', { type: 'txs', txs: accepted });
    }
    return results;
  }

  #evidence(evidence: Evidence): void {
    this.#out.persist.push({ kind: 'evidence', evidence });
    this.#event({ type: 'evidence', evidence });
  }

  /** Broken variant only: adopt a competing block at the final height (reverting the head). */
  #brokenRevert(p: Proposal): void {
    const head = this.chain.head;
    if (!this.#revertParents.has(head.hash)) return;
    const parent = this.#revertParents.get(head.hash)!;
    const current = this.#revertBlocks.get(head.hash)!;
    if (p.block.header.parentHash !== parent.hash) return;
    this.chain.revert(current, parent);
    this.#height = head.height;
    const cert: QuorumCertificate = { type: 'precommit', height: p.height, slot: p.slot, blockHash: p.block.hash, signatures: [] };
    this.#finalize(p.block, cert);
  }

  readonly #revertParents = new Map<Hex, { height: number; hash: Hex; slot: number }>();
  readonly #revertBlocks = new Map<Hex, Block>();
}
