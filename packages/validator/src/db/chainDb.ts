/**
 * The validator's storage: one LevelDB, one repository per entity, and the rule that everything
 * one consensus output changes is written in ONE atomic batch. A process killed at any moment
 * therefore reopens either before or after each output, never in between: a block is never
 * stored without its indexes, tallies, head pointer and pool clean-up.
 */
import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import {
  type ChainCursor,
  type Evidence,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type Transaction,
  TALLY_RULES_VERSION,
  ballotCandidate,
  countBallot,
  countsRecord,
  electionIdOf,
  evidenceId,
  genesisHash,
  txHash,
  voterKey,
} from '@poa-vote/shared';
import type { Lock, PersistOp, SafetyState } from '../consensus/interface.js';
import type { ChainHead, ChainStateSnapshot } from '../state/chainState.js';
import type { ElectionResults, Receipt } from '@poa-vote/shared';
import { decodeHeight, isHashLike } from './buckets.js';
import { DbError, DbErrorCode } from './errors.js';
import type { ChainLevel, DbOp } from './repository.js';
import {
  BlockHashRepository,
  BlockRepository,
  CertificateRepository,
  ElectionTotalRepository,
  EvidenceRepository,
  LockBlockRepository,
  MetaKey,
  MetaRepository,
  PoolRepository,
  PoolReplicatedRepository,
  SafetyRepository,
  type StoredSafety,
  SubmissionRepository,
  isStorableSubmissionId,
  TallyRepository,
  TxLocationRepository,
  type VerifiedCursor,
  VoterIndexRepository,
} from './repositories/index.js';
import { type CandidateCounts, TallyCache } from './tallyCache.js';
import { BlockCache } from './blockCache.js';

/**
 * Version of the key layout and value shapes; bumped on any incompatible change.
 * 2: txLocation values carry the voterKey (the voterIndex bucket is no longer written, only read
 *    for data written under version 1); the safety state refers to its lock's block by hash
 *    (Bucket.lockBlock). A version 1 database opens and is marked version 2, so that older
 *    software, which would misread the new values, refuses it.
 */
export const SCHEMA_VERSION = 2;
/** Older schema versions this software reads (and upgrades in place). */
const UPGRADABLE_SCHEMAS: readonly number[] = [1];

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
  /** Called after each batch that took at least `slowWriteMs`: for logs. */
  onSlowWrite?: (info: { ms: number; ops: number; sync: boolean }) => void;
  /** Threshold of onSlowWrite in ms (default 500). */
  slowWriteMs?: number;
  /** Elections whose candidate counts stay in memory (default 256); others are read on demand. */
  tallyCacheElections?: number;
}

export const DEFAULT_WRITE_BUFFER_BYTES = 32 * 1024 * 1024;

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

interface PendingApply {
  ops: readonly PersistOp[];
  submissions: readonly SubmissionRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** The submission ids recorded with a batch (JSON-RPC request id -> tx hash). */
export interface SubmissionRecord {
  id: string;
  hash: Hex;
}

export class ChainDb {
  readonly #level: ChainLevel;
  readonly #dir: string;
  readonly #sync: boolean;
  readonly #meta: MetaRepository;
  readonly #blocks: BlockRepository;
  readonly #blockHeights: BlockHashRepository;
  readonly #certificates: CertificateRepository;
  readonly #txLocations: TxLocationRepository;
  readonly #voters: VoterIndexRepository;
  readonly #submissions: SubmissionRepository;
  readonly #tallies: TallyRepository;
  readonly #totals: ElectionTotalRepository;
  readonly #evidence: EvidenceRepository;
  readonly #safety: SafetyRepository;
  readonly #pool: PoolRepository;
  readonly #poolReplicated: PoolReplicatedRepository;
  readonly #lockBlocks: LockBlockRepository;
  readonly #opts: ChainDbOptions;
  /** Blocks stored in the lockBlock bucket: hash -> height. */
  readonly #lockBlockHeights = new Map<Hex, number>();
  /** Hash of the block the stored safety state's lock refers to. */
  #storedLock: Hex | undefined;
  readonly #tallyCache: TallyCache;
  readonly #blockCache = new BlockCache();
  #head: ChainHead;
  #poolSeq = 0;
  #vouching = false;
  /** Writes run one at a time: each computes counters from the state the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Outputs waiting for the write in flight to finish; written together as one batch. */
  #group: PendingApply[] = [];
  #closed = false;

  private constructor(level: ChainLevel, dir: string, genesisHead: ChainHead, opts: ChainDbOptions) {
    this.#level = level;
    this.#dir = dir;
    this.#sync = opts.sync ?? true;
    this.#opts = opts;
    this.#head = genesisHead;
    this.#tallyCache = new TallyCache(
      opts.tallyCacheElections === undefined ? {} : { maxElections: opts.tallyCacheElections },
    );
    this.#meta = new MetaRepository(level);
    this.#blocks = new BlockRepository(level);
    this.#blockHeights = new BlockHashRepository(level);
    this.#certificates = new CertificateRepository(level);
    this.#txLocations = new TxLocationRepository(level);
    this.#voters = new VoterIndexRepository(level);
    this.#submissions = new SubmissionRepository(level);
    this.#tallies = new TallyRepository(level);
    this.#totals = new ElectionTotalRepository(level);
    this.#evidence = new EvidenceRepository(level);
    this.#safety = new SafetyRepository(level);
    this.#pool = new PoolRepository(level);
    this.#poolReplicated = new PoolReplicatedRepository(level);
    this.#lockBlocks = new LockBlockRepository(level);
  }

  /** Open (creating if needed) the database in `dir` for a chain; refuses another chain's data. */
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
    const level: ChainLevel = new Level<Buffer, unknown>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'json',
      writeBufferSize,
    });
    try {
      await level.open();
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why =
        cause?.code === 'LEVEL_LOCKED' ? 'it is in use by another process' : (cause?.message ?? (e as Error).message);
      throw new DbError(DbErrorCode.OPEN_FAILED, `cannot open database at ${dir}: ${why}`, { cause: e });
    }
    const gHash = genesisHash(genesis);
    const db = new ChainDb(level, dir, { height: 0, hash: gHash, slot: 0 }, opts);
    try {
      await db.#load(gHash);
    } catch (e) {
      await level.close();
      throw e;
    }
    return db;
  }

  async #load(gHash: Hex): Promise<void> {
    const [storedGenesis, schema, head, poolSeq, vouching] = await Promise.all([
      this.#meta.read(MetaKey.genesisHash),
      this.#meta.read(MetaKey.schemaVersion),
      this.#meta.read(MetaKey.head),
      this.#meta.read(MetaKey.poolSeq),
      this.#meta.read(MetaKey.vouching),
    ]);
    this.#vouching = vouching === true;
    if (storedGenesis === undefined) {
      for await (const _ of this.#level.keys({ limit: 1 })) {
        throw new DbError(
          DbErrorCode.CORRUPT,
          `database at ${this.#dir} holds data but no genesis hash: not a chain database of this software`,
        );
      }
      await this.#level.batch(
        [
          this.#meta.write(MetaKey.schemaVersion, SCHEMA_VERSION),
          this.#meta.write(MetaKey.genesisHash, gHash),
          this.#meta.write(MetaKey.tallyRules, TALLY_RULES_VERSION),
        ],
        { sync: true },
      );
      return;
    }
    if (storedGenesis !== gHash) {
      throw new DbError(
        DbErrorCode.GENESIS_MISMATCH,
        `database at ${this.#dir} belongs to another chain: stored genesis hash ${storedGenesis}, this genesis hashes to ${gHash}`,
      );
    }
    if (schema !== SCHEMA_VERSION) {
      if (typeof schema !== 'number' || !UPGRADABLE_SCHEMAS.includes(schema)) {
        throw new DbError(
          DbErrorCode.SCHEMA_MISMATCH,
          `database at ${this.#dir} has schema version ${String(schema)}, this software reads versions ${[...UPGRADABLE_SCHEMAS, SCHEMA_VERSION].join(', ')}`,
        );
      }
      await this.#level.batch([this.#meta.write(MetaKey.schemaVersion, SCHEMA_VERSION)], { sync: true });
    }
    if (head !== undefined) {
      if ((await this.#blockHeights.get(head.hash)) !== head.height) {
        throw new DbError(
          DbErrorCode.CORRUPT,
          `database at ${this.#dir} head points at block ${head.hash} (height ${head.height}), which is not stored`,
        );
      }
      this.#head = { height: head.height, hash: head.hash, slot: head.slot };
    }
    this.#poolSeq = poolSeq ?? 0;
    if (vouching === undefined) {
      // Written by a version without pool recovery: its pool is intact (not a new directory).
      await this.#level.batch([this.#meta.write(MetaKey.vouching, true)], { sync: true });
      this.#vouching = true;
    }
    if ((await this.#meta.read(MetaKey.tallyRules)) !== TALLY_RULES_VERSION) await this.#recountTallies();
    // Candidate counts are read per election when first needed (TallyCache keeps the recent ones).
    for await (const [id, n] of this.#totals.entries()) this.#tallyCache.setTotal(id, n);
    for await (const [hash, block] of this.#lockBlocks.entries()) this.#lockBlockHeights.set(hash, block.header.height);
    const safety = await this.#safety.get();
    this.#storedLock = safety?.lock && 'blockHash' in safety.lock ? safety.lock.blockHash : undefined;
  }

  /** Whether this validator's pool is trustworthy (false for a new or wiped data directory until recovered). */
  get vouching(): boolean {
    return this.#vouching;
  }

  /** Directory of the database. */
  get dir(): string {
    return this.#dir;
  }

  /** Wait for pending writes and close; further calls fail with DB_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.#blockCache.clear();
    await this.#level.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new DbError(DbErrorCode.CLOSED, `database at ${this.#dir} is closed`);
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DbError(DbErrorCode.CLOSED, `database at ${this.#dir} is closed`));
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Apply all ops of one consensus output (and the submission ids it acknowledges) in ONE atomic
   * batch, in order. Outputs applied while an earlier write is in flight are grouped into one
   * batch (group commit: one LevelDB write and at most one fsync for all of them); each call still
   * resolves only once its ops are on disk, and a group that cannot be built falls back to one
   * batch per call, so a bad output fails alone.
   */
  apply(ops: readonly PersistOp[], submissions: readonly SubmissionRecord[] = []): Promise<void> {
    if (this.#closed) return Promise.reject(new DbError(DbErrorCode.CLOSED, `database at ${this.#dir} is closed`));
    return new Promise((resolve, reject) => {
      this.#group.push({ ops, submissions, resolve, reject });
      if (this.#group.length > 1) return;
      this.#serialize(async () => {
        const group = this.#group;
        this.#group = [];
        await this.#applyGroup(group);
      }).catch(() => undefined);
    });
  }

  async #applyGroup(group: PendingApply[]): Promise<void> {
    if (group.length > 1) {
      try {
        await this.#apply(
          group.flatMap((g) => g.ops),
          group.flatMap((g) => g.submissions),
        );
        for (const g of group) g.resolve();
        return;
      } catch {
        // Retry one by one below: the error then reaches only the call that caused it.
      }
    }
    for (const g of group) {
      try {
        await this.#apply(g.ops, g.submissions);
        g.resolve();
      } catch (e) {
        g.reject(e);
      }
    }
  }

  async #apply(ops: readonly PersistOp[], submissions: readonly SubmissionRecord[]): Promise<void> {
    const batch: (DbOp | undefined)[] = [];
    const tally = this.#tallyCache.stage(await this.#tallyBases(ops));
    const finalized: FinalizedBlock[] = [];
    let vouching = this.#vouching;
    let head = this.#head;
    let poolSeq = this.#poolSeq;
    let durable = false;
    // Only the last safety state of a batch reaches the disk: the others are overwritten in it.
    let safety: SafetyState | undefined;
    // Pool entries put by this batch, by hash: a removal in the same batch drops the put.
    const poolPuts = new Map<Hex, number>();
    const poolDel = (hash: Hex): void => {
      const at = poolPuts.get(hash);
      if (at !== undefined) {
        batch[at] = undefined;
        poolPuts.delete(hash);
      }
      batch.push(this.#pool.del(hash), this.#poolReplicated.del(hash));
    };
    for (const op of ops) {
      switch (op.kind) {
        case 'safety':
          safety = op.state;
          durable = true;
          break;
        case 'finalize': {
          const { block, certificate } = op;
          const h = block.header.height;
          if (h !== head.height + 1 || block.header.parentHash !== head.hash) {
            throw new DbError(
              DbErrorCode.OUT_OF_ORDER,
              `cannot store block ${block.hash} at height ${h} (parent ${block.header.parentHash}): the head is ${head.hash} at height ${head.height}`,
            );
          }
          if (certificate.type !== 'precommit' || certificate.height !== h || certificate.blockHash !== block.hash) {
            throw new DbError(
              DbErrorCode.OUT_OF_ORDER,
              `certificate (${certificate.type} for ${certificate.blockHash} at height ${certificate.height}) does not finalize block ${block.hash} at height ${h}`,
            );
          }
          batch.push(
            this.#blocks.put(h, block),
            this.#certificates.put(h, certificate),
            this.#blockHeights.put(block.hash, h),
          );
          const txs = block.transactions;
          for (let i = 0; i < txs.length; i++) {
            const tx = txs[i]!;
            const th = txHash(tx);
            // The location doubles as the one-vote index: its voterKey rebuilds ChainState at start.
            batch.push(this.#txLocations.put(th, [h, i, voterKey(tx)]));
            poolDel(th);
            const election = electionIdOf(tx.to);
            if (election !== undefined) tally.increment(election, ballotCandidate(tx.data));
          }
          head = { height: h, hash: block.hash, slot: block.header.slot };
          finalized.push({ block, certificate });
          durable = true;
          break;
        }
        case 'pool-add':
          for (const tx of op.txs) {
            const th = txHash(tx);
            poolPuts.set(th, batch.length);
            batch.push(this.#pool.put(th, { seq: poolSeq++, tx }));
          }
          break;
        case 'pool-remove':
          for (const hash of op.hashes) poolDel(hash);
          break;
        case 'pool-replicated':
          for (const hash of op.hashes) batch.push(this.#poolReplicated.put(hash, true));
          break;
        case 'evidence':
          batch.push(this.#evidence.put(evidenceId(op.evidence), op.evidence));
          break;
        case 'vouching':
          batch.push(this.#meta.write(MetaKey.vouching, true));
          vouching = true;
          break;
        default:
          throw new DbError(
            DbErrorCode.INVALID_ARGUMENT,
            `unknown persist op kind ${JSON.stringify((op as { kind?: unknown }).kind)}`,
          );
      }
    }
    // First binding wins: within the batch, and against what is stored (read in the write queue,
    // so no concurrent batch can slip in between). An id that cannot be stored is skipped: one
    // client's bad id must not fail the batch that carries everyone's votes.
    const bindings = new Map<string, Hex>();
    for (const s of submissions) {
      if (!isStorableSubmissionId(s.id) || !isHashLike(s.hash) || bindings.has(s.id)) continue;
      bindings.set(s.id, s.hash.toLowerCase() as Hex);
    }
    if (bindings.size > 0) {
      const ids = [...bindings.keys()];
      const stored = await this.#submissions.getMany(ids);
      ids.forEach((id, i) => {
        if (stored[i] === undefined) batch.push(this.#submissions.put(id, bindings.get(id) as Hex));
      });
    }
    for (const [election, counts] of tally.counts) {
      for (const [candidate, n] of counts) batch.push(this.#tallies.put({ electionId: election, candidate }, n));
    }
    for (const [election, n] of tally.totals) batch.push(this.#totals.put(election, n));
    if (head !== this.#head) batch.push(this.#meta.write(MetaKey.head, head));
    if (poolSeq !== this.#poolSeq) batch.push(this.#meta.write(MetaKey.poolSeq, poolSeq));
    const storedLock = safety === undefined ? this.#storedLock : safety.lock?.block.hash;
    const newLockBlock =
      safety?.lock && !this.#lockBlockHeights.has(safety.lock.block.hash) ? safety.lock.block : undefined;
    if (safety !== undefined) batch.push(...this.#safetyOps(safety, newLockBlock));
    // Lock blocks of decided heights are garbage, unless the stored state still points at one.
    const staleLockBlocks =
      head === this.#head
        ? []
        : [...this.#lockBlockHeights]
            .filter(([hash, height]) => height <= head.height && hash !== storedLock)
            .map(([hash]) => hash);
    for (const hash of staleLockBlocks) batch.push(this.#lockBlocks.del(hash));
    const writes = batch.filter((op): op is DbOp => op !== undefined);
    if (writes.length === 0) return;
    const sync = durable && this.#sync;
    const started = performance.now();
    // A chained batch: the array form re-spreads and re-validates every operation (abstract-level),
    // which costs about as much again as LevelDB's own write for small values.
    const chained = this.#level.batch();
    for (const op of writes) {
      if (op.type === 'put') chained.put(op.key, op.value);
      else chained.del(op.key);
    }
    await chained.write({ sync });
    const ms = performance.now() - started;
    if (this.#opts.onSlowWrite && ms >= (this.#opts.slowWriteMs ?? 500))
      this.#opts.onSlowWrite({ ms: Math.round(ms), ops: writes.length, sync });
    if (newLockBlock) this.#lockBlockHeights.set(newLockBlock.hash, newLockBlock.header.height);
    for (const hash of staleLockBlocks) this.#lockBlockHeights.delete(hash);
    this.#storedLock = storedLock;
    this.#head = head;
    this.#poolSeq = poolSeq;
    this.#vouching = vouching;
    this.#tallyCache.commit(tally);
    for (const fb of finalized) this.#blockCache.set(fb.block.header.height, fb);
  }

  /** The finalized head (genesis: height 0, the genesis hash, slot 0). */
  head(): ChainHead {
    return { ...this.#head };
  }

  /** Batch operations storing a safety state: the lock's block by reference, the block itself once. */
  #safetyOps(state: SafetyState, newLockBlock: FinalizedBlock['block'] | undefined): DbOp[] {
    const { lock, ...rest } = state;
    if (!lock) return [this.#safety.put(undefined, rest)];
    const stored: StoredSafety = { ...rest, lock: { slot: lock.slot, blockHash: lock.block.hash, polka: lock.polka } };
    return newLockBlock
      ? [this.#lockBlocks.put(newLockBlock.hash, newLockBlock), this.#safety.put(undefined, stored)]
      : [this.#safety.put(undefined, stored)];
  }

  /** The stored safety state, if this validator ever saved one. */
  async loadSafety(): Promise<SafetyState | undefined> {
    this.#assertOpen();
    const stored = await this.#safety.get();
    if (!stored?.lock || !('blockHash' in stored.lock)) return stored as SafetyState | undefined;
    const { slot, blockHash, polka } = stored.lock;
    const block = await this.#lockBlocks.get(blockHash);
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
    for await (const [, e] of this.#pool.entries()) entries.push(e);
    entries.sort((a, b) => a.seq - b.seq);
    return entries.map((e) => e.tx);
  }

  /** Hashes of pending transactions known to be held by a quorum. */
  async loadPoolReplicated(): Promise<Set<Hex>> {
    this.#assertOpen();
    const out = new Set<Hex>();
    for await (const [hash] of this.#poolReplicated.entries()) out.add(hash);
    return out;
  }

  /** A pending transaction by hash. */
  async getPoolTx(hash: Hex): Promise<Transaction | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    return (await this.#pool.get(hash))?.tx;
  }

  /** What ChainState needs to resume: the head and every (voterKey, tx hash). */
  async loadChainStateSnapshot(): Promise<ChainStateSnapshot> {
    this.#assertOpen();
    const voters: [string, Hex][] = [];
    // Version 1 data: the voter index; version 2 data: the voterKey in each tx location.
    for await (const e of this.#voters.entries()) voters.push(e);
    for await (const [hash, loc] of this.#txLocations.entries()) if (loc.length > 2) voters.push([loc[2]!, hash]);
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
    if (height === 0 || height > this.#head.height) return undefined;
    const cached = this.#blockCache.get(height);
    if (cached) return cached;
    const [block, certificate] = await Promise.all([this.#blocks.get(height), this.#certificates.get(height)]);
    if (!block || !certificate) return undefined;
    const fb = { block, certificate };
    this.#blockCache.set(height, fb);
    return fb;
  }

  /** A finalized block with its certificate, by block hash. */
  async getFinalizedByHash(hash: Hex): Promise<FinalizedBlock | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    const height = await this.#blockHeights.get(hash);
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
    const to = Math.min(this.#head.height, from + max - 1);
    if (max === 0 || to < from) return [];
    const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const blocks: { height: number; block: FinalizedBlock['block'] }[] = [];
    // Read as text: the size is known before parsing, so a byte budget stops the read early
    // (a sync answer of 64 full blocks would otherwise parse ~160 MB to send one 16 MB frame).
    let bytes = 0;
    const it = this.#level.iterator<Buffer, string>({
      gte: this.#blocks.key(from),
      lt: this.#blocks.key(to + 1),
      valueEncoding: 'utf8',
    });
    try {
      for await (const [key, text] of it) {
        const height = decodeHeight(key.subarray(1));
        if (height !== from + blocks.length) break;
        if (blocks.length > 0 && bytes + text.length > maxBytes) break;
        bytes += text.length;
        blocks.push({ height, block: JSON.parse(text) as FinalizedBlock['block'] });
      }
    } finally {
      await it.close();
    }
    const certs = await this.#certificates.getMany(blocks.map((b) => b.height));
    const out: FinalizedBlock[] = [];
    for (let i = 0; i < blocks.length; i++) {
      const certificate = certs[i];
      if (certificate === undefined) break;
      out.push({ block: blocks[i]!.block, certificate });
    }
    return out;
  }

  /** Height and index of a finalized transaction. */
  async getTxLocation(hash: Hex): Promise<TxLocation | undefined> {
    this.#assertOpen();
    if (!isHashLike(hash)) return undefined;
    const loc = await this.#txLocations.get(hash);
    return loc && { height: loc[0], index: loc[1] };
  }

  /** A finalized transaction with its place in the chain. */
  async getTransaction(hash: Hex): Promise<StoredTransaction | undefined> {
    const loc = await this.getTxLocation(hash);
    if (!loc) return undefined;
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

  /** The receipt of a finalized transaction. */
  async getReceipt(hash: Hex): Promise<Receipt | undefined> {
    const t = await this.getTransaction(hash);
    if (!t) return undefined;
    return {
      transactionHash: t.hash,
      transactionIndex: t.transactionIndex,
      blockHash: t.blockHash,
      blockNumber: t.blockNumber,
      from: t.tx.from,
      to: t.tx.to,
      status: 'success',
    };
  }

  /** The transaction hash recorded under a submission id. */
  async resolveSubmissionId(id: string): Promise<Hex | undefined> {
    this.#assertOpen();
    if (typeof id !== 'string' || id.length === 0) return undefined;
    return this.#submissions.get(id);
  }

  /**
   * Tally of an election over the finalized chain: from memory, or read from disk in the write
   * queue (so that the counts and the height are those of one committed state). Counts are a
   * prototype-free record in listing order.
   */
  async results(electionId: string): Promise<ElectionResults> {
    this.#assertOpen();
    const resident = this.#tallyCache.counts(electionId);
    if (resident)
      return {
        electionId,
        counts: countsRecord(resident),
        total: this.#tallyCache.total(electionId),
        height: this.#head.height,
      };
    return this.#serialize(async () => {
      const counts = this.#tallyCache.counts(electionId) ?? (await this.#loadElectionCounts(electionId));
      return {
        electionId,
        counts: countsRecord(counts),
        total: this.#tallyCache.total(electionId),
        height: this.#head.height,
      };
    });
  }

  /** Stored counts of an election, kept in the cache. Only inside the write queue: disk equals committed memory there. */
  async #loadElectionCounts(electionId: string): Promise<CandidateCounts> {
    const counts = await this.#tallies.election(electionId);
    this.#tallyCache.load(electionId, counts);
    return counts;
  }

  /** Committed counts of every election the ops finalize votes of: the base of the batch's tally stage. */
  async #tallyBases(ops: readonly PersistOp[]): Promise<Map<string, ReadonlyMap<string, number>>> {
    const bases = new Map<string, ReadonlyMap<string, number>>();
    for (const op of ops) {
      if (op.kind !== 'finalize') continue;
      for (const tx of op.block.transactions) {
        const e = electionIdOf(tx.to);
        if (e === undefined || bases.has(e)) continue;
        bases.set(e, this.#tallyCache.counts(e) ?? (await this.#loadElectionCounts(e)));
      }
    }
    return bases;
  }

  /**
   * Recount every stored block under the current counting rules (TALLY_RULES_VERSION), replacing
   * the stored tallies in one batch: tallies written by older software used older rules, and a
   * client recounting the chain applies the current ones. Runs once, at open.
   */
  async #recountTallies(): Promise<void> {
    const counts = new Map<string, CandidateCounts>();
    const totals = new Map<string, number>();
    for await (const [height, block] of this.#blocks.entries()) {
      if (height > this.#head.height) break;
      for (const tx of block.transactions) {
        const e = electionIdOf(tx.to);
        if (e === undefined) continue;
        let c = counts.get(e);
        if (!c) counts.set(e, (c = new Map()));
        countBallot(c, tx.data);
        totals.set(e, (totals.get(e) ?? 0) + 1);
      }
    }
    const chained = this.#level.batch();
    for await (const [id] of this.#tallies.entries()) chained.del(this.#tallies.key(id));
    for await (const [id] of this.#totals.entries()) chained.del(this.#totals.key(id));
    for (const [e, c] of counts)
      for (const [candidate, n] of c) chained.put(this.#tallies.key({ electionId: e, candidate }), n);
    for (const [e, n] of totals) chained.put(this.#totals.key(e), n);
    chained.put(this.#meta.key(MetaKey.tallyRules), TALLY_RULES_VERSION);
    await chained.write({ sync: true });
  }

  /** Number of finalized votes in an election. */
  electionVoteCount(electionId: string): number {
    return this.#tallyCache.total(electionId);
  }

  /** All stored equivocation evidence, by evidence id. */
  async listEvidence(): Promise<Evidence[]> {
    this.#assertOpen();
    const out: Evidence[] = [];
    for await (const [, ev] of this.#evidence.entries()) out.push(ev);
    return out;
  }

  /** Where the stored-chain verifier stopped, if it ever ran. */
  async getVerifiedCursor(): Promise<VerifiedCursor | undefined> {
    this.#assertOpen();
    return this.#meta.read(MetaKey.verifiedCursor);
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
    return this.#serialize(() => this.#level.batch([this.#meta.write(MetaKey.verifiedCursor, value)]));
  }
}
