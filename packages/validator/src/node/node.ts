/**
 * The validator node: wires the consensus core to LevelDB, libp2p, the clock and the API.
 * `ValidatorNode.init()` composes db -> state -> consensus -> network -> api; `close()` tears
 * down in reverse. Core steps run one at a time (they are synchronous) and each output is made
 * durable (one LevelDB batch) before any of its messages leave: a vote is on disk before it is
 * sent. Steps do not wait for the previous step's write: writes are applied in step order, and
 * a step's messages, events and acknowledgements are released only once its own write and every
 * earlier one are on disk. CPU work on the next step thus overlaps the disk work of the last.
 */
import {
  type Authority,
  type Block,
  type Evidence,
  type FinalizedBlock,
  type Hex,
  type QuorumCertificate,
  type Transaction,
  Signer,
  isHex,
  keyPairFromSeed,
  quorumSize,
  slotAt,
  slotStart,
  txHash,
} from '@poa-vote/shared';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ConsensusCore, type ConsensusMessage, type Output } from '../consensus/index.js';
import { ChainState } from '../state/chainState.js';
import { Mempool } from '../mempool/mempool.js';
import { ChainDb, ChainVerifier } from '../db/index.js';
import { Network, defaultNetworkOptions } from '../network/index.js';
import { ApiServer } from '../api/server.js';
import type {
  ChainVerification,
  ElectionResults,
  HealthReport,
  NodeApiBackend,
  Receipt,
  SubmitOutcome,
  TxState,
} from '../api/interface.js';
import type { NodeOptions } from './options.js';
import type { WriteAccessOptions } from '../api/auth/options.js';
import type { ReloadResult } from '../api/auth/apiTokenFile.js';
import { type Logger, silentLogger } from './logger.js';

const CLIENT_VERSION = 'poa-validator/0.1.0';
/** Block bytes read from disk per sync request: a response frame's worth (certificates need little). */
const SYNC_READ_BYTES = defaultNetworkOptions.maxMessageBytes;
/** Rejected transactions remembered for status queries. */
const MAX_REJECTED = 100_000;
/**
 * Submissions arriving within this window go through one core step: one pool write, one gossip
 * batch, one acknowledgement per peer. Short against the acknowledgement latency (a round trip
 * plus a peer's write), long enough that a stream of single votes does not cost a batch each.
 */
const SUBMIT_WINDOW_MS = 2;

interface PendingSubmit {
  items: { tx: Transaction; submissionId?: string }[];
  resolve: (r: SubmitOutcome[]) => void;
  reject: (e: unknown) => void;
}

/** A client waiting for a quorum to hold a vote. */
interface AckWaiter {
  resolve: (o: SubmitOutcome) => void;
  timer: NodeJS.Timeout;
}

export class ValidatorNode implements NodeApiBackend {
  readonly nodeId: string;
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly clientVersion = CLIENT_VERSION;

  readonly #opts: NodeOptions;
  readonly #log: Logger;
  readonly #db: ChainDb;
  readonly #core: ConsensusCore;
  readonly #verifier: ChainVerifier;
  #network!: Network;
  #api!: ApiServer;
  /** Settles once every output produced so far is durable and delivered (sends, events, acks). */
  #delivered: Promise<void> = Promise.resolve();
  readonly #events = new EventEmitter();
  #ticker: NodeJS.Timeout | undefined;
  #pendingSubmits: PendingSubmit[] = [];
  #submitScheduled = false;
  /** Clients waiting for their votes to reach a quorum, by tx hash. */
  readonly #ackWaiters = new Map<Hex, AckWaiter[]>();
  /** Latest height each peer claimed (believed up to one block per slot since genesis). */
  readonly #peerHeights = new Map<number, number>();
  #rejected = new Map<Hex, { reason: string; conflictsWith?: Hex }>();
  #candidateTxs = new Set<Hex>();
  /** Transactions of blocks finalized by the core whose batch is being written (not yet readable from the db). */
  #writing = new Map<Hex, { blockHash: Hex; blockNumber: number }>();
  #closed = false;
  #failed = false;

  private constructor(opts: NodeOptions, log: Logger, db: ChainDb, core: ConsensusCore, self: number) {
    this.#opts = opts;
    this.#log = log;
    this.#db = db;
    this.#core = core;
    this.#verifier = new ChainVerifier(db, opts.genesis);
    this.chainId = opts.genesis.chainId;
    this.authorities = opts.genesis.authorities;
    this.nodeId = opts.genesis.authorities[self]!.id;
    this.#events.setMaxListeners(0);
  }

  /** Open storage, restore consensus state, start the network and the API. */
  static async init(opts: NodeOptions & { logger?: Logger }): Promise<ValidatorNode> {
    const log = opts.logger ?? silentLogger;
    const { genesis } = opts;
    const publicKey = keyPairFromSeed(opts.privateKey).publicKey;
    const self = genesis.authorities.findIndex((a) => a.publicKey === publicKey);
    if (self < 0) throw new Error(`the private key (public key ${publicKey}) is not one of the genesis authorities`);

    // A write this slow delays every consensus step queued behind it: worth a line in the log.
    const db = await ChainDb.open(opts.dataDir, genesis, { onSlowWrite: (w) => log.warn(w, 'slow database write') });
    try {
      const chain = new ChainState(genesis, await db.loadChainStateSnapshot());
      // A data directory without the vouching mark is new or was wiped: whatever this validator
      // acknowledged before is gone from it, so it must read its peers' pools before vouching.
      const recovering = !db.vouching;
      const core = new ConsensusCore({
        genesis,
        self,
        signer: new Signer(opts.privateKey),
        chain,
        safety: await db.loadSafety(),
        pool: await db.loadPool(),
        replicated: await db.loadPoolReplicated(),
        mempool: new Mempool({ maxSize: opts.maxPoolSize, maxBytes: opts.maxPoolBytes }),
        options: {
          epoch: randomInt(2 ** 47),
          recovering,
          maxBatchBytes: defaultNetworkOptions.maxTxBatchBytes,
          maxBatchTxs: defaultNetworkOptions.maxTxsPerMessage,
          poolPageBytes: Math.floor(defaultNetworkOptions.maxMessageBytes / 4),
        },
      });
      if (recovering && core.vouching) await db.apply([{ kind: 'vouching' }]);
      if (recovering && !core.vouching) log.warn({ node: genesis.authorities[self]?.id }, 'no pool on disk (new or wiped data directory): reading every peer\'s pool before taking votes');
      const node = new ValidatorNode(opts, log, db, core, self);
      await node.#start(self);
      log.info({ node: node.nodeId, height: chain.head.height, pool: core.pool.size, rpcPort: node.rpcPort, p2p: node.p2pAddrs }, 'validator started');
      return node;
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
  }

  async #start(self: number): Promise<void> {
    const o = this.#opts;
    this.#network = await Network.create({
      genesis: o.genesis,
      self,
      privateKey: o.privateKey,
      listenHost: o.p2pHost,
      listenPort: o.p2pPort,
      peers: o.peers,
      logger: this.#log,
    });
    this.#network.onMessage((from, msg) => this.#onNetworkMessage(from, msg));
    // Read no more than one response frame can carry: the network trims the rest anyway.
    this.#network.onSyncRequest((fromHeight, max) => this.#db.getFinalizedRange(fromHeight, Math.min(max, 256), { maxBytes: SYNC_READ_BYTES }));
    this.#network.onBlockRequest((hash) => this.#core.candidateBlock(hash));
    await this.#network.start();
    this.#api = new ApiServer(this, { host: o.rpcHost, port: o.rpcPort, maxBodyBytes: o.maxBodyBytes, logger: this.#log });
    await this.#api.start();
    const every = Math.max(10, Math.min(50, Math.floor(o.genesis.slotDurationMs / 10)));
    this.#ticker = setInterval(() => this.#enqueue(() => this.#core.tick(this.#now())), every);
    this.#enqueue(() => this.#core.tick(this.#now()));
  }

  /** Stop the clock, the API and the network, drain the queue, close the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ticker);
    await this.#api?.stop().catch((e: unknown) => this.#log.warn({ err: e }, 'api stop failed'));
    await this.#network?.stop().catch((e: unknown) => this.#log.warn({ err: e }, 'network stop failed'));
    await this.#delivered;
    for (const p of this.#pendingSubmits) p.reject(new Error('node is shutting down'));
    this.#pendingSubmits = [];
    for (const [hash, waiters] of this.#ackWaiters) {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve({ ok: false, hash, code: 'UNAVAILABLE', message: 'node is shutting down before a quorum confirmed the vote; resubmit the identical vote to another validator' });
      }
    }
    this.#ackWaiters.clear();
    await this.#db.close();
    this.#events.removeAllListeners();
  }

  get rpcPort(): number {
    return this.#api.port;
  }

  get p2pAddrs(): string[] {
    return this.#network.listenAddrs();
  }

  #now(): number {
    return Date.now() + this.#opts.clockSkewMs;
  }

  #onNetworkMessage(from: number, msg: ConsensusMessage): void {
    if (msg.type === 'status' && typeof msg.status?.height === 'number') {
      // At most one block per slot: a claim beyond that is a lie, not a reason to report syncing.
      const possible = Math.max(0, slotAt(this.#opts.genesis, this.#now())) + 2;
      if (msg.status.height <= possible) this.#peerHeights.set(from, msg.status.height);
      else this.#log.warn({ peer: from, claimed: msg.status.height, possible }, 'peer claims a height no chain can have reached yet; ignored');
    }
    this.#enqueue(() => this.#core.receive(from, msg));
  }

  /** Highest height a peer currently claims (each peer's latest status). */
  #maxPeerHeight(): number {
    let max = 0;
    for (const h of this.#peerHeights.values()) max = Math.max(max, h);
    return max;
  }

  /** Run a core step now and commit its output. */
  #enqueue(step: () => Output): void {
    if (this.#closed) return;
    this.#commit(step()).catch(() => undefined);
  }

  #fatal(e: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    // A failed write means we cannot promise durability: stop rather than sign on.
    this.#log.error({ err: e }, 'storage failure: stopping the node');
    void this.close().finally(() => process.exit(70));
  }

  /**
   * Persist, then send, then notify: the order that keeps a crash from causing a double sign.
   * The write is issued at once; delivery waits for it and for every earlier delivery, so
   * nothing leaves before all state it may depend on is durable, and outputs leave in order.
   * Resolves once delivered; rejects (after stopping the node) if a write failed.
   */
  #commit(out: Output, submissions?: { id: string; hash: Hex }[]): Promise<void> {
    const finalizing = out.persist.flatMap((op) => (op.kind === 'finalize' ? op.block.transactions.map((tx) => [txHash(tx), { blockHash: op.block.hash, blockNumber: op.block.header.height }] as const) : []));
    for (const [hash, where] of finalizing) this.#writing.set(hash, where);
    const written =
      out.persist.length > 0 || (submissions && submissions.length > 0)
        ? this.#db.apply(out.persist, submissions).finally(() => {
            for (const [hash] of finalizing) this.#writing.delete(hash);
          })
        : undefined;
    const delivered = Promise.all([written, this.#delivered]).then(() => {
      if (!this.#failed) this.#deliver(out);
    });
    this.#delivered = delivered.catch((e: unknown) => this.#fatal(e));
    return delivered;
  }

  #deliver(out: Output): void {
    for (const s of out.send) this.#network.send(s.to, s.msg);
    for (const e of out.events) {
      switch (e.type) {
        case 'finalized':
          for (const tx of e.block.transactions) {
            const hash = txHash(tx);
            this.#candidateTxs.delete(hash);
            this.#settleWaiters(hash, { ok: true, hash, known: false });
          }
          this.#events.emit('finalized', e.block, e.certificate);
          this.#events.emit('head', e.block);
          this.#log.debug({ height: e.block.header.height, hash: e.block.hash, txs: e.block.transactions.length }, 'finalized');
          break;
        case 'polka':
          this.#candidateTxs = new Set(e.block.transactions.map((t) => txHash(t)));
          this.#events.emit('head', e.block);
          break;
        case 'tx-rejected':
          if (this.#rejected.size >= MAX_REJECTED) this.#rejected.delete(this.#rejected.keys().next().value!);
          this.#rejected.set(e.hash, { reason: e.reason, ...(e.conflictsWith ? { conflictsWith: e.conflictsWith } : {}) });
          this.#settleWaiters(e.hash, { ok: false, hash: e.hash, code: 'TX_DOUBLE_VOTE', message: e.reason, ...(e.conflictsWith ? { conflictsWith: e.conflictsWith } : {}) });
          break;
        case 'tx-replicated':
          for (const hash of e.hashes) this.#settleWaiters(hash, { ok: true, hash, known: false });
          break;
        case 'recovered':
          this.#log.info({ peers: e.peers, entries: e.entries }, 'pool recovered from every peer: vouching for votes again');
          break;
        case 'evidence':
          this.#log.warn({ evidence: e.evidence }, 'equivocation evidence');
          break;
        case 'invalid-message':
          this.#log.debug({ from: e.from, code: e.code, msg: e.message }, 'invalid message');
          break;
        case 'sync-needed':
          this.#log.info({ peer: e.peer, fromHeight: e.fromHeight }, 'syncing');
          break;
        case 'proposed':
          this.#log.debug({ slot: e.slot, height: e.block.header.height, txs: e.block.transactions.length }, 'proposed');
          break;
      }
    }
  }

  // ---- NodeApiBackend ------------------------------------------------------------------------

  submit(items: { tx: Transaction; submissionId?: string }[]): Promise<SubmitOutcome[]> {
    if (this.#closed) return Promise.resolve(items.map(() => ({ ok: false as const, code: 'UNAVAILABLE' as const, message: 'node is shutting down' })));
    return new Promise((resolve, reject) => {
      this.#pendingSubmits.push({ items, resolve, reject });
      if (!this.#submitScheduled) {
        this.#submitScheduled = true;
        setTimeout(() => this.#flushSubmits(), SUBMIT_WINDOW_MS);
      }
    });
  }

  /** Group commit: every submission that arrived since the last flush goes through one core step and one batch. */
  #flushSubmits(): void {
    this.#submitScheduled = false;
    const batch = this.#pendingSubmits;
    this.#pendingSubmits = [];
    if (batch.length === 0) return;
    if (this.#closed) {
      for (const b of batch) b.resolve(b.items.map(() => ({ ok: false as const, code: 'UNAVAILABLE' as const, message: 'node is shutting down' })));
      return;
    }
    const txs = batch.flatMap((b) => b.items.map((i) => i.tx));
    const { results, output } = this.#core.submit(txs);
    const submissions: { id: string; hash: Hex }[] = [];
    let k = 0;
    for (const b of batch) {
      for (const item of b.items) {
        const r = results[k++]!;
        if (item.submissionId !== undefined && item.submissionId.length > 0 && r.status !== 'rejected') submissions.push({ id: item.submissionId, hash: r.hash });
      }
    }
    // Acknowledged only once durable here and, in quorum mode, held by a quorum of validators:
    // a vote the client saw accepted survives the loss of any one machine (docs/DURABILITY.md).
    this.#commit(output, submissions)
      .then(() => {
        k = 0;
        for (const b of batch) {
          const outcomes = b.items.map((): Promise<SubmitOutcome> | SubmitOutcome => {
            const r = results[k++]!;
            if (r.status === 'accepted' || r.status === 'known') {
              const ok: SubmitOutcome = { ok: true, hash: r.hash, known: r.status === 'known' };
              if (r.replicated || this.#opts.ackMode === 'local') return ok;
              return this.#waitForQuorum(r.hash).then((o) => (o.ok ? ok : o));
            }
            if (r.code === 'TX_DOUBLE_VOTE') return { ok: false, hash: r.hash, code: r.code, message: r.message, conflictsWith: r.conflictsWith };
            return { ok: false, hash: r.hash, code: r.code, message: r.message };
          });
          void Promise.all(outcomes).then(b.resolve, b.reject);
        }
      })
      .catch((e: unknown) => {
        for (const b of batch) b.reject(e);
      });
  }

  /** Resolve once a quorum holds `hash` (or it is final, or lost to a conflicting vote), or after ackTimeoutMs. */
  #waitForQuorum(hash: Hex): Promise<SubmitOutcome> {
    if (this.#core.isReplicated(hash)) return Promise.resolve({ ok: true, hash, known: false });
    return new Promise((resolve) => {
      const waiter: AckWaiter = {
        resolve,
        timer: setTimeout(() => {
          const list = this.#ackWaiters.get(hash);
          const i = list?.indexOf(waiter) ?? -1;
          if (list && i >= 0) list.splice(i, 1);
          if (list && list.length === 0) this.#ackWaiters.delete(hash);
          const holders = this.#core.pool.get(hash)?.holders.length ?? 0;
          const needed = quorumSize(this.#opts.genesis);
          resolve({
            ok: false,
            hash,
            code: 'TX_NOT_REPLICATED',
            holders,
            needed,
            message: `vote ${hash} is held by ${holders} of the ${needed} validators needed after ${this.#opts.ackTimeoutMs} ms; it stays pooled here, and resubmitting the identical vote to any validator is safe`,
          });
        }, this.#opts.ackTimeoutMs),
      };
      const list = this.#ackWaiters.get(hash);
      if (list) list.push(waiter);
      else this.#ackWaiters.set(hash, [waiter]);
    });
  }

  #settleWaiters(hash: Hex, outcome: SubmitOutcome): void {
    const list = this.#ackWaiters.get(hash);
    if (!list) return;
    this.#ackWaiters.delete(hash);
    for (const w of list) {
      clearTimeout(w.timer);
      w.resolve(outcome);
    }
  }

  async resolveTxRef(ref: string): Promise<Hex | undefined> {
    if (isHex(ref, 32)) return ref;
    return this.#db.resolveSubmissionId(ref);
  }

  getReceipt(hash: Hex): Promise<Receipt | undefined> {
    return this.#db.getReceipt(hash);
  }

  async getTransaction(hash: Hex): ReturnType<NodeApiBackend['getTransaction']> {
    const onChain = await this.#db.getTransaction(hash);
    if (onChain) return onChain;
    const pending = this.#core.pool.get(hash);
    return pending ? { tx: pending.tx, hash } : undefined;
  }

  async getTxState(hash: Hex): Promise<TxState> {
    const r = await this.#db.getReceipt(hash);
    if (r) return { state: 'finalized', hash, blockHash: r.blockHash, blockNumber: r.blockNumber, transactionIndex: r.transactionIndex };
    const writing = this.#writing.get(hash);
    if (writing) return { state: 'included', hash, ...writing };
    const candidate = this.#core.candidate;
    if (candidate && this.#candidateTxs.has(hash)) return { state: 'included', hash, blockHash: candidate.block.hash, blockNumber: candidate.block.header.height };
    if (this.#core.pool.has(hash)) return { state: this.#core.isReplicated(hash) ? 'replicated' : 'accepted', hash };
    const rej = this.#rejected.get(hash);
    if (rej) return { state: 'rejected', hash, ...rej };
    return { state: 'unknown', hash };
  }

  /** The durable finalized height: a block is reported final only once it can be read back. */
  finalizedHeight(): number {
    return this.#db.head().height;
  }

  headHeight(): number {
    return this.#core.candidate ? this.#core.chain.head.height + 1 : this.#core.chain.head.height;
  }

  getFinalizedBlock(height: number): Promise<FinalizedBlock | undefined> {
    return this.#db.getFinalized(height);
  }

  getFinalizedBlockByHash(hash: Hex): Promise<FinalizedBlock | undefined> {
    return this.#db.getFinalizedByHash(hash);
  }

  candidateBlock(): Block | undefined {
    return this.#core.candidate?.block;
  }

  peerCount(): number {
    return this.#network.connectedAuthorities().length;
  }

  health(): HealthReport {
    const g = this.#opts.genesis;
    const now = this.#now();
    const head = this.#db.head();
    const peers = this.peerCount();
    const lastBlockAgeMs = head.height > 0 ? Math.max(0, now - slotStart(g, head.slot)) : null;
    const sinceGenesis = now - g.genesisTime;
    const staleAfter = 10 * g.slotDurationMs;
    const maxPeerHeight = this.#maxPeerHeight();
    const syncing = maxPeerHeight > this.#core.height + 1;
    const recovering = !this.#core.vouching;
    const reasons: string[] = [];
    if (peers + 1 < quorumSize(g)) reasons.push(`connected to ${peers} of ${g.authorities.length - 1} peers: no quorum`);
    if (syncing) reasons.push(`syncing: at height ${head.height}, peers report ${maxPeerHeight - 1}`);
    if (recovering) reasons.push('recovering: reading every peer\'s pool after starting without one; votes go to other validators');
    const age = lastBlockAgeMs ?? sinceGenesis;
    if (sinceGenesis > staleAfter && age > staleAfter) reasons.push(`no block finalized for ${Math.round(age / 1000)} s`);
    return {
      healthy: reasons.length === 0,
      reasons,
      nodeId: this.nodeId,
      chainId: this.chainId,
      headHeight: this.headHeight(),
      finalizedHeight: head.height,
      peers,
      syncing,
      recovering,
      lastBlockAgeMs,
      slot: this.#core.slot,
    };
  }

  verification(): Promise<ChainVerification> {
    return this.#verifier.verify();
  }

  async results(electionId: string): Promise<ElectionResults> {
    return this.#db.results(electionId);
  }

  async electionVoteCount(electionId: string): Promise<number> {
    return this.#db.electionVoteCount(electionId);
  }

  evidence(): Promise<Evidence[]> {
    return this.#db.listEvidence();
  }

  onFinalized(listener: (block: Block, certificate: QuorumCertificate) => void): () => void {
    this.#events.on('finalized', listener);
    return () => this.#events.off('finalized', listener);
  }

  onNewHead(listener: (block: Block) => void): () => void {
    this.#events.on('head', listener);
    return () => this.#events.off('head', listener);
  }

  // ---- write access (api/auth) -----------------------------------------------------------------

  /** The vote a submission id is durably bound to, if any. */
  async submissionOwner(id: string): Promise<{ hash: Hex } | undefined> {
    const hash = await this.#db.resolveSubmissionId(id);
    return hash === undefined ? undefined : { hash };
  }

  /** The write-access settings the API server applies (credentials, open writes, rates). */
  writeAccess(): WriteAccessOptions {
    const o = this.#opts;
    return {
      openWrites: o.insecureOpenWrites ?? false,
      ...(o.apiTokensFile !== undefined ? { apiTokensFile: o.apiTokensFile } : {}),
      ...(o.writeRatePerCredential !== undefined ? { ratePerCredential: o.writeRatePerCredential } : {}),
      ...(o.writeBurstPerCredential !== undefined ? { burstPerCredential: o.writeBurstPerCredential } : {}),
      ...(o.writeRatePerAddress !== undefined ? { ratePerAddress: o.writeRatePerAddress } : {}),
      ...(o.writeBurstPerAddress !== undefined ? { burstPerAddress: o.writeBurstPerAddress } : {}),
    };
  }

  /** Read the API tokens file again (SIGHUP); undefined when the node has none or is not serving. */
  reloadApiTokens(reason = 'requested'): ReloadResult | undefined {
    return this.#api?.reloadApiTokens(reason);
  }
}
