/**
 * The validator's storage: repositories over one KvStore (LevelDB on disk, or memory), and the
 * rule that everything one consensus output changes is written in ONE atomic batch. A process
 * killed at any moment therefore reopens either before or after each output, never in between:
 * a block is never stored without its indexes, tallies, head pointer and pool clean-up.
 *
 * The jobs live apart: schema.ts checks and upgrades at open, batchBuilder.ts turns outputs into
 * writes (pure), writeQueue.ts is group commit, and this class is the facade and the reads.
 */
import { mkdir } from 'node:fs/promises';
import {
  type ChainCursor,
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type LtHash,
  type StateCommitment,
  type StateEntry,
  type Transaction,
  countsRecord,
  genesisHash,
} from '@poa-vote/shared';
import type { Lock, PersistOp, SafetyState } from '../consensus/interface.js';
import type { ChainHead, ChainStateSnapshot } from '../state/chainState.js';
import type { SubmissionRecord } from './batchBuilder.js';
import { BlockCache } from './blockCache.js';
import { decodeHeight, isHashLike } from './buckets.js';
import { DbError, DbErrorCode } from './errors.js';
import { type KvStore, LevelKv, MemoryKv, levelOpenFailure } from './kv/index.js';
import {
  type BackfillState,
  ChainRepositories,
  MetaKey,
  type VerifiedCursor,
  receiptParties,
  version2VoterKey,
} from './repositories/index.js';
import {
  type StateSnapshotReader,
  backfillOps,
  discardState,
  importEntriesOps,
  installSnapshotOps,
  openStateSnapshot,
} from './snapshot.js';
import { loadChain } from './schema.js';
import { type CandidateCounts, TallyCache } from './tallyCache.js';
import { WriteQueue } from './writeQueue.js';

export { SCHEMA_VERSION } from './schema.js';
export type { SubmissionRecord } from './batchBuilder.js';

export interface ChainDbOptions {
  /**
   * fsync batches that carry safety state or a finalized block (default true), so that even a
   * power loss cannot make this validator forget a vote it sent. Pool-only batches are never
   * fsynced: a killed process loses nothing either way, only a power loss can drop the newest.
   */
  sync?: boolean;
  /**
   * LevelDB write buffer (memtable) size in bytes, default 32 MiB. LevelDB's 4 MiB default turns
   * every few blocks into a level-0 file, and the compactions that follow stall writes for
   * hundreds of milliseconds under load: long enough to miss a slot.
   */
  writeBufferSize?: number;
  /**
   * Most files LevelDB keeps open, default 128 (LevelDB's own: 1,000; it takes no fewer than 74).
   * LevelDB reads an open table through a memory map, and the pages its reads touched (index,
   * filter, data, and their neighbours) stay resident while it is open, so with LevelDB's default
   * the validator's RSS grows with the chain (measured: 731 MB of file pages for a store of ten
   * million votes with scattered voter ids, 58 MB capped). A read of a table not open reopens it
   * (docs/PERFORMANCE.md, "LevelDB's open tables").
   */
  maxOpenFiles?: number;
  /** Called after each batch that took at least `slowWriteMs`: for logs. */
  onSlowWrite?: (info: { ms: number; ops: number; sync: boolean }) => void;
  /** Threshold of onSlowWrite in ms (default 500). */
  slowWriteMs?: number;
  /** Elections whose candidate counts stay in memory (default 256); others are read on demand. */
  tallyCacheElections?: number;
}

export const DEFAULT_WRITE_BUFFER_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_OPEN_FILES = 128;
/** LevelDB raises a smaller max_open_files to this (64 tables and its own ten files). */
export const MIN_MAX_OPEN_FILES = 74;

export interface TxLocation {
  height: number;
  index: number;
}

export interface StoredTransaction {
  tx: Transaction;
  hash: Hex;
  blockHash: Hex;
  blockNumber: number;
  transactionIndex: number;
}

/** What a receipt names of a finalized transaction (it carries no ballot). */
export interface StoredReceipt {
  hash: Hex;
  blockHash: Hex;
  blockNumber: number;
  transactionIndex: number;
  from: string;
  to: string;
}

/** An election's tally over the finalized chain (counts: a prototype-free record in listing order). */
export interface ElectionTally {
  electionId: string;
  counts: Record<string, number>;
  total: number;
  /** Finalized height the counts reflect. */
  height: number;
}

export class ChainDb {
  readonly #kv: KvStore;
  readonly #dir: string;
  readonly #repos: ChainRepositories;
  readonly #writes: WriteQueue;
  readonly #tallyCache: TallyCache;
  readonly #blockCache: BlockCache;
  readonly #commitment: StateCommitment;
  #closed = false;

  private constructor(
    kv: KvStore,
    dir: string,
    repos: ChainRepositories,
    writes: WriteQueue,
    caches: { tallies: TallyCache; blocks: BlockCache },
    commitment: StateCommitment,
  ) {
    this.#commitment = commitment;
    this.#kv = kv;
    this.#dir = dir;
    this.#repos = repos;
    this.#writes = writes;
    this.#tallyCache = caches.tallies;
    this.#blockCache = caches.blocks;
  }

  /** Open (creating if needed) the LevelDB database in `dir` for a chain; refuses another chain's data. */
  static async open(dir: string, genesis: Genesis, opts: ChainDbOptions = {}): Promise<ChainDb> {
    if (typeof dir !== 'string' || dir.length === 0)
      throw new DbError(DbErrorCode.INVALID_ARGUMENT, 'database directory must be a non-empty path');
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new DbError(DbErrorCode.OPEN_FAILED, `cannot create database directory ${dir}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const writeBufferSize = opts.writeBufferSize ?? DEFAULT_WRITE_BUFFER_BYTES;
    if (!Number.isSafeInteger(writeBufferSize) || writeBufferSize < 64 * 1024) {
      throw new DbError(
        DbErrorCode.INVALID_ARGUMENT,
        `writeBufferSize must be an integer of at least 65536 bytes, got ${String(opts.writeBufferSize)}`,
      );
    }
    const maxOpenFiles = opts.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES;
    if (!Number.isSafeInteger(maxOpenFiles) || maxOpenFiles < MIN_MAX_OPEN_FILES) {
      throw new DbError(
        DbErrorCode.INVALID_ARGUMENT,
        `maxOpenFiles must be an integer of at least ${MIN_MAX_OPEN_FILES}, got ${String(opts.maxOpenFiles)}`,
      );
    }
    let kv: LevelKv;
    try {
      kv = await LevelKv.open(dir, { writeBufferSize, maxOpenFiles });
    } catch (e) {
      throw new DbError(DbErrorCode.OPEN_FAILED, `cannot open database at ${dir}: ${levelOpenFailure(e)}`, {
        cause: e,
      });
    }
    return ChainDb.openKv(kv, genesis, opts, dir);
  }

  /** A database held in memory (tests, tools, the simulator); `kv` to reopen one. */
  static inMemory(genesis: Genesis, opts: ChainDbOptions = {}, kv: KvStore = new MemoryKv()): Promise<ChainDb> {
    return ChainDb.openKv(kv, genesis, opts, '(memory)');
  }

  /** Open a chain database on any KvStore; `name` names it in errors. Closes `kv` if the open fails. */
  static async openKv(kv: KvStore, genesis: Genesis, opts: ChainDbOptions, name: string): Promise<ChainDb> {
    const repos = new ChainRepositories(kv);
    const genesisHead: ChainHead = { height: 0, hash: genesisHash(genesis), slot: 0 };
    let loaded: Awaited<ReturnType<typeof loadChain>>;
    try {
      loaded = await loadChain(repos, name, genesisHead, genesis.electionOperator !== undefined);
    } catch (e) {
      await kv.close();
      throw e;
    }
    const tallies = new TallyCache(
      opts.tallyCacheElections === undefined ? {} : { maxElections: opts.tallyCacheElections },
    );
    for (const [id, n] of loaded.totals) tallies.setTotal(id, n);
    const blocks = new BlockCache();
    const writes = new WriteQueue({
      kv,
      repos,
      state: loaded.state,
      stageTally: async (elections) => {
        const bases = new Map<string, ReadonlyMap<string, number>>();
        for (const e of elections) bases.set(e, tallies.counts(e) ?? (await loadElectionCounts(repos, tallies, e)));
        return tallies.stage(bases);
      },
      onCommitted: (built) => {
        tallies.commit(built.tally);
        for (const fb of built.finalized) blocks.set(fb.block.header.height, fb);
      },
      sync: opts.sync ?? true,
      onSlowWrite: opts.onSlowWrite,
      slowWriteMs: opts.slowWriteMs ?? 500,
      closedError: () => new DbError(DbErrorCode.CLOSED, `database at ${name} is closed`),
    });
    return new ChainDb(kv, name, repos, writes, { tallies, blocks }, loaded.commitment);
  }

  /**
   * The state commitment at the head as loaded at open: the consensus core takes it over (and
   * advances it), so this is read once, when the node starts.
   */
  get loadedCommitment(): StateCommitment {
    return this.#commitment;
  }

  /** Whether this validator's pool is trustworthy (false for a new or wiped data directory until recovered). */
  get vouching(): boolean {
    return this.#writes.state.vouching;
  }

  /** Directory of the database. */
  get dir(): string {
    return this.#dir;
  }

  /** Wait for pending writes and close; further calls fail with DB_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes.close();
    this.#blockCache.clear();
    await this.#kv.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new DbError(DbErrorCode.CLOSED, `database at ${this.#dir} is closed`);
  }

  /**
   * Apply all ops of one consensus output (and the submission ids it acknowledges) in ONE atomic
   * batch, in order. Outputs applied while an earlier write is in flight are grouped into one
   * batch (group commit, see writeQueue.ts); each call resolves once its ops are on disk.
   */
  apply(ops: readonly PersistOp[], submissions: readonly SubmissionRecord[] = []): Promise<void> {
    return this.#writes.apply(ops, submissions);
  }

  /** The finalized head (genesis: height 0, the genesis hash, slot 0). */
  head(): ChainHead {
    return { ...this.#writes.state.head };
  }

  /** The stored safety state, if this validator ever saved one. */
  async loadSafety(): Promise<SafetyState | undefined> {
    this.#assertOpen();
    const stored = await this.#repos.safety.get();
    if (!stored?.lock || !('blockHash' in stored.lock)) return stored as SafetyState | undefined;
    const { slot, blockHash, polka } = stored.lock;
    const block = await this.#repos.lockBlocks.get(blockHash);
    if (!block)
      throw new DbError(
        DbErrorCode.CORRUPT,
        `database at ${this.#dir}: the safety state is locked on block ${blockHash}, which is not stored`,
      );
    const lock: Lock = { slot, block, polka };
    return { ...stored, lock };
  }

  /** Pending transactions, in the order they were accepted. */
  async loadPool(): Promise<Transaction[]> {
    this.#assertOpen();
    const entries: { seq: number; tx: Transaction }[] = [];
    for await (const [, e] of this.#repos.pool.entries()) entries.push(e);
    entries.sort((a, b) => a.seq - b.seq);
    return entries.map((e) => e.tx);
  }

  /** Hashes of pending transactions known to be held by a quorum (as committed: on disk). */
  async loadPoolReplicated(): Promise<Set<Hex>> {
    this.#assertOpen();
    return this.#writes.state.replication.hashes();
  }

  /** A pending transaction by hash. */
  async getPoolTx(hash: Hex): Promise<Transaction | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    return (await this.#repos.pool.get(hash))?.tx;
  }

  /** The finalized transaction of each voterKey (the one-vote index on disk; VoterCache's source). */
  async voterTxs(voterKeys: readonly string[]): Promise<(Hex | undefined)[]> {
    this.#assertOpen();
    return this.#repos.voters.getMany(voterKeys);
  }

  /** voterTxs answered on this thread (undefined when the store cannot): a step's few voters, read before it runs. */
  voterTxsSync(voterKeys: readonly string[]): (Hex | undefined)[] | undefined {
    this.#assertOpen();
    return this.#repos.voters.getManySync(voterKeys);
  }

  /** Every (voterKey, tx hash) and the head: a whole ChainState in memory (tools, tests; a validator reads on demand). */
  async loadChainStateSnapshot(): Promise<ChainStateSnapshot> {
    this.#assertOpen();
    const voters: [string, Hex][] = [];
    // Versions 1 and 3 write the voter index; version 2 wrote the voterKey in each tx location
    // (a version 2 database upgraded at open has both: the same pair twice).
    for await (const e of this.#repos.voters.entries()) voters.push(e);
    for await (const [hash, loc] of this.#repos.txLocations.entries()) {
      const key = version2VoterKey(loc);
      if (key !== undefined) voters.push([key, hash]);
    }
    return { head: this.head(), voters };
  }

  #checkHeight(height: number, what: string): void {
    if (!Number.isSafeInteger(height) || height < 0)
      throw new DbError(DbErrorCode.INVALID_ARGUMENT, `${what} must be a non-negative integer, got ${String(height)}`);
  }

  /** A finalized block with its certificate (height >= 1). */
  async getFinalized(height: number): Promise<FinalizedBlock | undefined> {
    this.#assertOpen();
    this.#checkHeight(height, 'height');
    if (height === 0 || height > this.#writes.state.head.height) return undefined;
    const cached = this.#blockCache.get(height);
    if (cached) return cached;
    const [block, certificate] = await Promise.all([
      this.#repos.blocks.get(height),
      this.#repos.certificates.get(height),
    ]);
    if (!block || !certificate) return undefined;
    const fb = { block, certificate };
    this.#blockCache.set(height, fb);
    return fb;
  }

  /** A finalized block with its certificate, by block hash. */
  async getFinalizedByHash(hash: Hex): Promise<FinalizedBlock | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    const height = await this.#repos.blockHeights.get(hash);
    return height === undefined ? undefined : this.getFinalized(height);
  }

  /**
   * Up to `max` finalized blocks from `fromHeight`, ascending and contiguous, read from disk
   * (never from the cache: the verifier audits what is stored). Serves sync requests. With
   * `maxBytes`, stops before the block that would take the blocks' stored JSON past it (the
   * first block is always returned).
   */
  async getFinalizedRange(
    fromHeight: number,
    max: number,
    opts: { maxBytes?: number } = {},
  ): Promise<FinalizedBlock[]> {
    this.#assertOpen();
    this.#checkHeight(fromHeight, 'fromHeight');
    this.#checkHeight(max, 'max');
    const from = Math.max(1, fromHeight);
    const to = Math.min(this.#writes.state.head.height, from + max - 1);
    if (max === 0 || to < from) return [];
    const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const blocks: { height: number; block: FinalizedBlock['block'] }[] = [];
    // Read as text: the size is known before parsing, so a byte budget stops the read early
    // (a sync answer of 64 full blocks would otherwise parse ~160 MB to send one 16 MB frame).
    let bytes = 0;
    for await (const [key, text] of this.#kv.rawEntries({
      gte: this.#repos.blocks.key(from),
      lt: this.#repos.blocks.key(to + 1),
    })) {
      const height = decodeHeight(key.subarray(1));
      if (height !== from + blocks.length) break;
      if (blocks.length > 0 && bytes + text.length > maxBytes) break;
      bytes += text.length;
      blocks.push({ height, block: JSON.parse(text) as FinalizedBlock['block'] });
    }
    const certs = await this.#repos.certificates.getMany(blocks.map((b) => b.height));
    const out: FinalizedBlock[] = [];
    for (const [i, { block }] of blocks.entries()) {
      const certificate = certs[i];
      if (certificate === undefined) break;
      out.push({ block, certificate });
    }
    return out;
  }

  /** Height and index of a finalized transaction. */
  async getTxLocation(hash: Hex): Promise<TxLocation | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    const loc = await this.#repos.txLocations.get(hash);
    return loc && { height: loc[0], index: loc[1] };
  }

  /** A finalized transaction with its place in the chain. */
  async getTransaction(hash: Hex): Promise<StoredTransaction | undefined> {
    const loc = await this.getTxLocation(hash);
    return loc && this.#transactionAt(hash, loc);
  }

  /** The transaction at `loc`, read from its block. */
  async #transactionAt(hash: Hex, loc: TxLocation): Promise<StoredTransaction | undefined> {
    const fb = await this.getFinalized(loc.height);
    const tx = fb?.block.transactions[loc.index];
    if (!fb || !tx) return undefined;
    return {
      tx,
      hash: hash.toLowerCase() as Hex,
      blockHash: fb.block.hash,
      blockNumber: loc.height,
      transactionIndex: loc.index,
    };
  }

  /**
   * What the receipt of a finalized transaction names. From its location and its block's
   * certificate (two small reads) when the location carries from and to (written by schema
   * version 5); else, or when the block is cached, from its block (which a long chain's receipts
   * would otherwise each read and parse whole: ~1 MB for a block of 3,500 votes).
   */
  async getReceipt(hash: Hex): Promise<StoredReceipt | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    const loc = await this.#repos.txLocations.get(hash);
    if (!loc) return undefined;
    const [height, index] = loc;
    const parties = receiptParties(loc);
    if (parties === undefined || this.#blockCache.get(height) !== undefined) {
      const t = await this.#transactionAt(hash, { height, index });
      if (!t) return undefined;
      const { tx, ...place } = t;
      return { ...place, from: tx.from, to: tx.to };
    }
    // As getFinalized: nothing above the committed head (its batch may be readable a moment before).
    if (height === 0 || height > this.#writes.state.head.height) return undefined;
    const certificate = await this.#repos.certificates.get(height);
    if (!certificate) return undefined;
    const key = hash.toLowerCase() as Hex;
    return { hash: key, blockHash: certificate.blockHash, blockNumber: height, transactionIndex: index, ...parties };
  }

  /** The transaction hash recorded under a submission id. */
  async resolveSubmissionId(id: string): Promise<Hex | undefined> {
    this.#assertOpen();
    if (typeof id !== 'string' || id.length === 0) return undefined;
    return this.#repos.submissions.get(id);
  }

  /**
   * Tally of an election over the finalized chain: from memory, or read from disk in the write
   * queue (so that the counts and the height are those of one committed state).
   */
  async results(electionId: string): Promise<ElectionTally> {
    this.#assertOpen();
    const tally = (counts: ReadonlyMap<string, number>): ElectionTally => ({
      electionId,
      counts: countsRecord(counts),
      total: this.#tallyCache.total(electionId),
      height: this.#writes.state.head.height,
    });
    const resident = this.#tallyCache.counts(electionId);
    if (resident) return tally(resident);
    return this.#writes.serialize(async () =>
      tally(
        this.#tallyCache.counts(electionId) ?? (await loadElectionCounts(this.#repos, this.#tallyCache, electionId)),
      ),
    );
  }

  /** Number of finalized votes in an election. */
  electionVoteCount(electionId: string): number {
    return this.#tallyCache.total(electionId);
  }

  /** All stored equivocation evidence, by evidence id. */
  async listEvidence(): Promise<Evidence[]> {
    this.#assertOpen();
    const out: Evidence[] = [];
    for await (const [, ev] of this.#repos.evidence.entries()) out.push(ev);
    return out;
  }

  /** The committed state at the head from one consistent view of the database (undefined at genesis). */
  openStateSnapshot(): Promise<StateSnapshotReader | undefined> {
    this.#assertOpen();
    return openStateSnapshot(this.#kv);
  }

  #assertEmpty(what: string): void {
    if (this.#writes.state.head.height !== 0)
      throw new DbError(
        DbErrorCode.INVALID_ARGUMENT,
        `${what}: the database at ${this.#dir} already holds blocks (head ${this.#writes.state.head.height})`,
      );
  }

  /** Store received state entries (a database at genesis only; the head does not move until installSnapshot). */
  importStateEntries(entries: readonly StateEntry[]): Promise<void> {
    this.#assertOpen();
    this.#assertEmpty('cannot import a snapshot');
    return this.#writes.serialize(() => this.#kv.write(importEntriesOps(this.#repos, entries)));
  }

  /** Delete every imported state entry (a refused snapshot). */
  discardImportedState(): Promise<void> {
    this.#assertOpen();
    this.#assertEmpty('cannot discard a snapshot');
    return this.#writes.serialize(() => discardState(this.#repos));
  }

  /**
   * Make the imported entries the state at `head` (verified by the caller): stores the block, its
   * certificate, the head, the lattice and the backfill cursor in one synced batch. The database
   * must be reopened afterwards (its in-memory head, tallies and commitment are those of genesis).
   */
  installSnapshot(head: FinalizedBlock, lattice: LtHash): Promise<void> {
    this.#assertOpen();
    this.#assertEmpty('cannot install a snapshot');
    return this.#writes.serialize(() => this.#kv.write(installSnapshotOps(this.#repos, head, lattice), { sync: true }));
  }

  /** Progress of the backfill below the snapshot this node started from (undefined: it replayed from genesis). */
  async backfillState(): Promise<BackfillState | undefined> {
    this.#assertOpen();
    return this.#repos.meta.read(MetaKey.backfill);
  }

  /** Store backfilled blocks (verified by the caller) and the new cursor, in one batch. */
  writeBackfill(blocks: readonly FinalizedBlock[], next: BackfillState): Promise<void> {
    this.#assertOpen();
    return this.#writes.serialize(() => this.#kv.write(backfillOps(this.#repos, blocks, next)));
  }

  /** Where the stored-chain verifier stopped, if it ever ran. */
  async getVerifiedCursor(): Promise<VerifiedCursor | undefined> {
    this.#assertOpen();
    return this.#repos.meta.read(MetaKey.verifiedCursor);
  }

  /** Record the verifier's progress. */
  setVerifiedCursor(cursor: ChainCursor & { checkedBlocks: number; errors?: string[] }): Promise<void> {
    const value: VerifiedCursor = {
      height: cursor.height,
      hash: cursor.hash,
      slot: cursor.slot,
      checkedBlocks: cursor.checkedBlocks,
      ...(cursor.errors?.length ? { errors: [...cursor.errors] } : {}),
    };
    return this.#writes.serialize(() => this.#kv.write([this.#repos.meta.write(MetaKey.verifiedCursor, value)]));
  }
}

/** Stored counts of an election, kept in the cache. Only inside the write queue: disk equals committed memory there. */
async function loadElectionCounts(
  repos: ChainRepositories,
  tallies: TallyCache,
  electionId: string,
): Promise<CandidateCounts> {
  const counts = await repos.tallies.election(electionId);
  tallies.load(electionId, counts);
  return counts;
}
