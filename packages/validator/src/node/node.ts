/**
 * The validator node: only composition. `ValidatorNode.init()` opens storage, restores the
 * consensus core and wires db -> core -> commit pipeline -> tx tracker, health policy, submit
 * queue -> network -> API backend and server -> clock; `close()` stops them in reverse order.
 * Each module owns one job and logs under its own `module` binding:
 * - commitPipeline: persist, then send, then notify (no message leaves before its state is durable)
 * - submitQueue: group commit of submissions and quorum acknowledgements
 * - txTracker: what the node knows of a transaction before its receipt
 * - healthPolicy: when the node is fit to serve
 * - apiBackend: what the API serves (NodeApiBackend)
 * A storage failure stops the node and is handed to `onFatal`, which the CLI owns (exit 70).
 */
import { availableParallelism } from 'node:os';
import {
  type Authority,
  ElectionRegistry,
  type Genesis,
  Signer,
  blockWireSize,
  defaultRng,
  emptyStateRoot,
  keyPairFromSeed,
  slotAt,
} from '@poa-vote/shared';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { ConsensusCore, type Output } from '../consensus/index.js';
import { VoterPrefetch } from '../consensus/reads.js';
import { BlockLattices } from '../state/blockLattices.js';
import { ChainState } from '../state/chainState.js';
import { VoterCache } from '../state/voterCache.js';
import { Mempool } from '../mempool/mempool.js';
import { ChainDb, ChainVerifier } from '../db/index.js';
import { Network, type NetworkOptions, defaultNetworkOptions } from '../network/index.js';
import { ApiServer } from '../api/server.js';
import type { ReloadResult } from '../api/auth/apiTokenFile.js';
import type { NodeOptions } from './options.js';
import { type Logger, moduleLogger, silentLogger } from '../util/logger.js';
import { CommitPipeline } from './commitPipeline.js';
import { TxTracker } from './txTracker.js';
import { HealthPolicy } from './healthPolicy.js';
import { SubmitQueue } from './submitQueue.js';
import { ApiBackend, CLIENT_VERSION } from './apiBackend.js';
import { Ticker } from './ticker.js';
import { logCoreEvent } from './eventLog.js';
import { PromMetrics } from '../metrics/index.js';
import { Trustee } from '../elections/trustee.js';
import { TrusteeFileStore } from './trusteeStore.js';
import { ElectionDuties } from './electionDuties.js';
import { BallotVerifier, withBallots } from './ballotVerifier.js';
import { Backfill, type SnapshotSyncResult, syncFromSnapshot } from './snapshotSync.js';

/** Block bytes read from disk per sync request: a response frame's worth (certificates need little). */
const SYNC_READ_BYTES = defaultNetworkOptions.maxMessageBytes;

export interface ValidatorNodeInit extends NodeOptions {
  logger?: Logger;
  /**
   * A storage write failed: the node can no longer promise durability, so it has closed itself.
   * The owner decides what happens next (the CLI exits with code 70).
   */
  onFatal?: (err: unknown) => void;
}

/** A started module, stopped in reverse order of starting. */
interface Running {
  name: string;
  stop: () => unknown;
  /** A failure to stop is the caller's to know (storage: data may not be flushed); others are logged. */
  propagate?: boolean;
}

export class ValidatorNode {
  readonly nodeId: string;
  readonly chainId: number;
  readonly authorities: Authority[];
  readonly clientVersion = CLIENT_VERSION;

  readonly #log: Logger;
  readonly #running: Running[] = [];
  #network: Network | undefined;
  #api: ApiServer | undefined;
  #closing: Promise<void> | undefined;

  private constructor(opts: NodeOptions, log: Logger, nodeId: string) {
    this.#log = log;
    this.chainId = opts.genesis.chainId;
    this.authorities = opts.genesis.authorities;
    this.nodeId = nodeId;
  }

  /** Open storage, restore consensus state, start the network and the API. */
  static async init(opts: ValidatorNodeInit): Promise<ValidatorNode> {
    const log = opts.logger ?? silentLogger;
    const { genesis } = opts;
    const publicKey = keyPairFromSeed(opts.privateKey).publicKey;
    const self = genesis.authorities.findIndex((a) => a.publicKey === publicKey);
    const authority = genesis.authorities[self];
    if (authority === undefined)
      throw new Error(`the private key (public key ${publicKey}) is not one of the genesis authorities`);

    const dbLog = moduleLogger(log, 'db');
    // A write this slow delays every consensus step queued behind it: worth a line in the log.
    const openDb = (): Promise<ChainDb> =>
      ChainDb.open(opts.dataDir, genesis, {
        onSlowWrite: (w) => dbLog.warn(w, 'slow database write'),
        ...(opts.dbMaxOpenFiles === undefined ? {} : { maxOpenFiles: opts.dbMaxOpenFiles }),
      });
    let db = await openDb();
    // State entries at height 0 are what a snapshot sync that did not finish (a crash between
    // import and install) left: never a state, so they go before anything reads them.
    if (db.head().height === 0 && db.loadedCommitment.root() !== emptyStateRoot()) {
      log.warn({}, 'removing the state entries of an unfinished snapshot sync');
      await db.discardImportedState();
      await db.close();
      db = await openDb();
    }
    let snapshot: SnapshotSyncResult | undefined;
    if (db.head().height === 0 && opts.syncMode === 'snapshot') {
      try {
        snapshot = await ValidatorNode.#snapshotSync(opts, db, log, self);
      } catch (e) {
        await db.close();
        throw e;
      }
      // The database's head, tallies and commitment in memory are the genesis': read them again.
      if (snapshot !== undefined) {
        await db.close();
        db = await openDb();
      }
    }
    const node = new ValidatorNode(opts, log, authority.id);
    node.#running.push({ name: 'db', stop: () => db.close(), propagate: true });
    try {
      await node.#compose(opts, db, self);
      return node;
    } catch (e) {
      await node.close();
      throw e;
    }
  }

  /**
   * A network of its own for the snapshot sync (the consensus core, which the main network
   * feeds, is built from the state this installs): started, used, stopped before #compose.
   */
  static async #snapshotSync(
    opts: ValidatorNodeInit,
    db: ChainDb,
    log: Logger,
    self: number,
  ): Promise<SnapshotSyncResult | undefined> {
    const network = await Network.create(networkOptions(opts, self, log));
    await network.start();
    try {
      return await syncFromSnapshot(opts.genesis, db, network, moduleLogger(log, 'snapshot'), {
        minHeight: opts.snapshotMinHeight,
        // Nothing else runs on this node yet: every core hashes the received state.
        hashWorkers: availableParallelism(),
      });
    } finally {
      await network.stop();
    }
  }

  async #compose(opts: ValidatorNodeInit, db: ChainDb, self: number): Promise<void> {
    const log = this.#log;
    const { genesis } = opts;
    const now = (): number => Date.now() + opts.clockSkewMs;

    // The one-vote index stays on disk: the core reads a bounded cache that each step's voters
    // are loaded into first (consensus/reads.ts, state/voterCache.ts), so memory does not grow
    // with the chain.
    const voters = new VoterCache(
      { getMany: (keys) => db.voterTxsSync(keys) ?? db.voterTxs(keys) },
      opts.voterCacheBytes === undefined ? {} : { maxBytes: opts.voterCacheBytes },
    );
    // Candidate blocks' voter entries are hashed into the state lattice between other tasks, not
    // in the step that finalizes them (state/blockLattices.ts).
    const lattices = new BlockLattices({ schedule: (run) => setImmediate(run) });
    const chain = new ChainState(
      genesis,
      { head: db.head(), voters: [] },
      { voters, commitment: db.loadedCommitment, lattices },
    );
    const prefetch = new VoterPrefetch(voters);
    const pool = await db.loadPool();
    // The core checks its restored pool against the chain as it starts.
    const boot = prefetch.submission(pool);
    await boot.ready;
    const elections =
      genesis.electionOperator === undefined
        ? undefined
        : restoreElections(genesis, chain, moduleLogger(log, 'elections'));
    let duties: ElectionDuties | undefined;
    // Ballot proofs are checked in worker threads before the core step that needs them (0: in the core).
    let ballots: BallotVerifier | undefined;
    if (elections !== undefined && opts.ballotWorkers !== 0) {
      const verifier = new BallotVerifier({
        registry: elections,
        ...(opts.ballotWorkers !== undefined ? { workers: opts.ballotWorkers } : {}),
        logger: moduleLogger(log, 'ballots'),
      });
      verifier.start();
      this.#running.push({ name: 'ballot verifier', stop: () => verifier.stop() });
      ballots = verifier;
    }
    // A data directory without the vouching mark is new or was wiped: whatever this validator
    // acknowledged before is gone from it, so it must read its peers' pools before vouching.
    const recovering = !db.vouching;
    const core = new ConsensusCore({
      genesis,
      self,
      signer: new Signer(opts.privateKey),
      chain,
      safety: await db.loadSafety(),
      pool,
      replicated: await db.loadPoolReplicated(),
      mempool: new Mempool({ maxSize: opts.maxPoolSize, maxBytes: opts.maxPoolBytes }),
      ...(elections ? { elections } : {}),
      options: {
        epoch: randomInt(2 ** 47),
        recovering,
        maxBatchBytes: defaultNetworkOptions.maxTxBatchBytes,
        maxBatchTxs: defaultNetworkOptions.maxTxsPerMessage,
        poolPageBytes: Math.floor(defaultNetworkOptions.maxMessageBytes / 4),
        emptyBlockIntervalSlots: opts.emptyBlockIntervalSlots,
      },
    });
    prefetch.attach(core);
    boot.release();
    if (recovering && core.vouching) await db.apply([{ kind: 'vouching' }]);
    if (recovering && !core.vouching)
      log.warn(
        { node: this.nodeId },
        "no pool on disk (new or wiped data directory): reading every peer's pool before taking votes",
      );

    const network = await Network.create(networkOptions(opts, self, log));
    this.#network = network;
    const peerCount = (): number => network.connectedAuthorities().length;

    // Metrics: the node reports what the core's outputs say; the core itself never sees them.
    const metrics = new PromMetrics();
    let lastFinalizedSlot: number | undefined = chain.head.slot;
    const tracker = new TxTracker(db, core);
    const backfill = new Backfill({ genesis, db, network, logger: moduleLogger(log, 'backfill') });
    const health = new HealthPolicy({
      backfill: () => backfill.status(),
      genesis,
      nodeId: this.nodeId,
      db,
      core,
      peerCount,
      now,
      emptyBlockIntervalSlots: opts.emptyBlockIntervalSlots,
      logger: moduleLogger(log, 'health'),
    });
    const eventLog = moduleLogger(log, 'consensus');
    // Late-bound: the pipeline delivers to the submit queue and API backend composed after it.
    const deliver = (out: Output): void => {
      for (const s of out.send) {
        network.send(s.to, s.msg);
        metrics.p2pMessage('out', s.msg.type);
      }
      for (const e of out.events) {
        if (e.type === 'finalized') {
          const slot = e.block.header.slot;
          metrics.blockFinalized(
            e.block.header.height,
            lastFinalizedSlot === undefined ? undefined : slot - lastFinalizedSlot,
            (now() - e.block.header.timestamp) / 1000,
          );
          lastFinalizedSlot = slot;
        } else if (e.type === 'invalid-message') metrics.invalidMessage(e.code);
        tracker.onEvent(e);
        submits.onEvent(e);
        backend.onEvent(e);
        duties?.onEvent(e);
        logCoreEvent(eventLog, e);
        if (e.type === 'invalid-message') network.penalize(e.from, e.code);
      }
    };
    const timedDb = {
      apply: async (...args: Parameters<ChainDb['apply']>): Promise<void> => {
        const started = performance.now();
        await db.apply(...args);
        metrics.dbWrite((performance.now() - started) / 1000);
      },
    };
    const pipeline = new CommitPipeline({
      db: timedDb,
      deliver,
      onWriteStart: (out) => {
        // Pooled votes' state entries are hashed as they arrive, not when a block takes them.
        for (const op of out.persist) if (op.kind === 'pool-add') lattices.admit(op.txs);
        tracker.writeStarted(out);
      },
      onWriteEnd: (out) => {
        tracker.writeEnded(out);
        // Finalized votes on disk can leave memory (db.head() moves only once a batch is written).
        if (out.persist.some((op) => op.kind === 'finalize')) voters.settle(db.head().height);
      },
      afterStep: () => prefetch.stepDone(),
      onFatal: (e) => this.#fatal(e, opts.onFatal),
      logger: moduleLogger(log, 'commit'),
    });
    this.#running.push({ name: 'commit pipeline', stop: () => pipeline.stop() });
    const submits = new SubmitQueue({
      genesis,
      core,
      pipeline,
      load: (txs) => withBallots(prefetch.submission(txs), ballots?.verify(txs)),
      ackMode: opts.ackMode,
      ackTimeoutMs: opts.ackTimeoutMs,
      logger: moduleLogger(log, 'submit'),
    });
    this.#running.push({ name: 'submit queue', stop: () => submits.stop() });
    const verifier = new ChainVerifier(db, genesis);
    const countedSubmits = {
      submit: async (items: Parameters<SubmitQueue['submit']>[0]): ReturnType<SubmitQueue['submit']> => {
        const started = performance.now();
        const outcomes = await submits.submit(items);
        metrics.votesAnswered(
          outcomes.map((o) => (o.ok ? 'admitted' : o.code)),
          (performance.now() - started) / 1000,
        );
        return outcomes;
      },
    };
    const backend = new ApiBackend({
      nodeId: this.nodeId,
      options: opts,
      db,
      verifier,
      core,
      tracker,
      submits: countedSubmits,
      health,
      peerCount,
      ...(elections ? { elections } : {}),
    });
    // The trustee subsystem: this validator's key-ceremony and decryption transactions.
    if (elections !== undefined) {
      const store = new TrusteeFileStore(opts.trusteeDir ?? join(opts.dataDir, 'trustee'));
      const signer = new Signer(opts.privateKey);
      duties = new ElectionDuties({
        registry: elections,
        trustee: new Trustee({ genesis, self, signer, rng: defaultRng, store }),
        store,
        submit: (items) => countedSubmits.submit(items),
        logger: moduleLogger(log, 'trustee'),
      });
      const started = duties;
      this.#running.push({ name: 'election duties', stop: () => started.stop() });
    }
    metrics.bindGauges({
      finalizedHeight: () => db.head().height,
      headHeight: () => health.headHeight(),
      slot: () => slotAt(genesis, now()),
      poolSize: () => core.pool.size,
      poolBytes: () => core.pool.bytes,
      peers: peerCount,
      stateEntriesHashed: () => ({ ahead: lattices.counts.ahead, atFinality: lattices.counts.atTake }),
    });
    this.#running.push({ name: 'api backend', stop: () => backend.stop() });

    network.onMessage((from, msg) => {
      metrics.p2pMessage('in', msg.type);
      if (!health.observe(from, msg)) network.penalize(from, 'STATUS_HEIGHT_IMPOSSIBLE');
      pipeline.run(
        () => {
          const out = core.receive(from, msg);
          // A vote is acknowledged once a quorum holds it on disk: the peers wrote it before they
          // acknowledged, and this node before it sent it. Its own note of the fact (the step's
          // pool-replicated write, a hint for restarts) need not be on disk first, so the waiting
          // clients are answered now rather than behind this node's write queue (DURABILITY.md).
          for (const e of out.events) if (e.type === 'tx-replicated') submits.onEvent(e);
          return out;
        },
        withBallots(prefetch.message(msg), ballots?.message(msg)),
      );
    });
    // Read no more than one response frame can carry: the network trims the rest anyway.
    network.onSyncRequest(async (fromHeight, max) => {
      const blocks = await db.getFinalizedRange(fromHeight, Math.min(max, 256), { maxBytes: SYNC_READ_BYTES });
      metrics.syncServed(
        blocks.length,
        blocks.reduce((sum, fb) => sum + blockWireSize(fb.block), 0),
      );
      return blocks;
    });
    network.onBlockRequest((hash) => core.candidateBlock(hash));
    network.onSnapshotRequest(async () => {
      const reader = await db.openStateSnapshot();
      if (reader === undefined) return undefined;
      return { head: reader.head, entries: () => reader.entries(), close: () => reader.close() };
    });
    network.setTxLookup((hash) => core.pool.get(hash)?.tx);
    this.#running.push({ name: 'network', stop: () => network.stop() });
    await network.start();
    this.#running.push({ name: 'backfill', stop: () => backfill.stop() });
    await backfill.start();

    const api = new ApiServer(backend, {
      host: opts.rpcHost,
      port: opts.rpcPort,
      maxBodyBytes: opts.maxBodyBytes,
      logger: moduleLogger(log, 'api'),
      metrics,
    });
    this.#api = api;
    this.#running.push({ name: 'api', stop: () => api.stop() });
    await api.start();

    const ticker = new Ticker(genesis, () => pipeline.run(() => core.tick(now())));
    this.#running.push({ name: 'clock', stop: () => ticker.stop() });
    ticker.start();
    duties?.start();
    log.info(
      { node: this.nodeId, height: chain.head.height, pool: core.pool.size, rpcPort: this.rpcPort, p2p: this.p2pAddrs },
      'validator started',
    );
  }

  #fatal(e: unknown, onFatal: ((err: unknown) => void) | undefined): void {
    void this.close().finally(() => onFatal?.(e));
  }

  /** Stop every module in reverse order of starting: clock, API, network, submissions, pipeline, storage. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      let failure: { err: unknown } | undefined;
      for (const m of this.#running.reverse()) {
        try {
          await m.stop();
        } catch (e) {
          if (m.propagate) failure ??= { err: e };
          else this.#log.warn({ err: e }, `${m.name} stop failed`);
        }
      }
      if (failure) throw failure.err;
    })();
    return this.#closing;
  }

  get rpcPort(): number {
    return this.#api?.port ?? 0;
  }

  get p2pAddrs(): string[] {
    return this.#network?.listenAddrs() ?? [];
  }

  /** Read the API tokens file again (SIGHUP); undefined when the node has none or is not serving. */
  reloadApiTokens(reason = 'requested'): ReloadResult | undefined {
    return this.#api?.reloadApiTokens(reason);
  }
}

/** The p2p network of a validator (the snapshot sync's short-lived one and the main one alike). */
function networkOptions(opts: ValidatorNodeInit, self: number, log: Logger): NetworkOptions {
  return {
    genesis: opts.genesis,
    self,
    privateKey: opts.privateKey,
    listenHost: opts.p2pHost,
    listenPort: opts.p2pPort,
    peers: opts.peers,
    logger: log,
  };
}

/**
 * The election state at the finalized head, from the registry's entries of the committed state
 * (stored with the blocks that change them, or installed by a snapshot sync): no block is
 * replayed, and no ballot proof verified again.
 */
function restoreElections(genesis: Genesis, chain: ChainState, logger: Logger): ElectionRegistry {
  const entries = chain.commitment.keyedEntries();
  const elections = ElectionRegistry.fromStateEntries(genesis, chain.head.height, entries, { verify: false });
  logger.info(
    { height: chain.head.height, elections: elections.list().length, entries: entries.length },
    'election state restored from the committed state',
  );
  return elections;
}
