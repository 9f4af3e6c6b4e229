/**
 * What a chain database holds before the first batch: checked, upgraded and loaded at open. A
 * new directory gets the schema version, the genesis hash and the tally rules version; an existing
 * one must belong to this chain and to a schema this software reads, and is upgraded in place.
 */
import {
  type Hex,
  LtHash,
  StateCommitment,
  type StateEntry,
  TALLY_RULES_VERSION,
  bytesToHex,
  countBallot,
  electionIdOf,
} from '@poa-vote/shared';
import type { CommittedState } from './batchBuilder.js';
import { DbError, DbErrorCode } from './errors.js';
import { ReplicationRecords } from './replicationRecords.js';
import type { DbOp } from './repository.js';
import { type ChainRepositories, MetaKey, version2VoterKey } from './repositories/index.js';
import type { CandidateCounts } from './tallyCache.js';
import type { ChainHead } from '../state/chainState.js';

/**
 * Version of the key layout and value shapes; bumped on any incompatible change.
 * 2: txLocation values carry the voterKey (the voterIndex bucket is no longer written, only read
 *    for data written under version 1); the safety state refers to its lock's block by hash
 *    (Bucket.lockBlock). A version 1 database opens and is marked version 2, so that older
 *    software, which would misread the new values, refuses it.
 * 3: the one-vote index is read from disk by voterKey (the node no longer holds it in memory):
 *    every finalized vote has its voterIndex entry again, and txLocation values are [height,
 *    index]. Opening a version 1 or 2 database writes the voterIndex entries its tx locations
 *    name (version 1's own entries are already there), then marks it version 3.
 * 4: block headers carry a stateRoot and the meta bucket the state commitment's lattice
 *    (MetaKey.stateLattice). Opening an older database computes the lattice from the stored
 *    voter index and tallies once (as it does whenever the stored lattice is not the head's).
 * 5: txLocation values carry the transaction's from and to ([height, index, from, to]), so that a
 *    receipt is read without its block. Locations written before keep [height, index] (their
 *    receipts read the block); nothing is rewritten. A version 4 database opens and is marked
 *    version 5, so that older software, which would take `from` for a version 2 voterKey,
 *    refuses it.
 * 6: the election registry's records are part of the committed state (Bucket.registryEntry,
 *    written with the finalized blocks that change them, and in the lattice). A version 5 database
 *    opens and is marked version 6, except on a chain with an election operator past its genesis:
 *    its stored state lacks the records, so it is refused at open (SCHEMA_MISMATCH), and such a
 *    validator is started from an empty data directory and syncs again.
 * 7: which pending transactions a quorum holds is stored as records, one per write that learned
 *    of some (Bucket.poolReplicatedRecord, db/replicationRecords.ts), instead of a key per
 *    transaction (Bucket.poolReplicated). Opening an older database turns its keys into one
 *    record, and marks it version 7, so that older software, which would not read the records and
 *    so forget what a quorum holds, refuses it.
 */
export const SCHEMA_VERSION = 7;
/** Older schema versions this software reads (and upgrades in place). */
const UPGRADABLE_SCHEMAS: readonly number[] = [1, 2, 3, 4, 5, 6];
/** Index entries written per batch by the upgrade to version 3 (bounded memory on a long chain). */
const UPGRADE_CHUNK = 50_000;

/** What open loads: the committed state, and every election's total of finalized votes. */
export interface LoadedChain {
  state: CommittedState;
  totals: Map<string, number>;
  /** The commitment of the state at the head (stateRoot of the next block). */
  commitment: StateCommitment;
}

/**
 * Check, upgrade and load the database in `dir` (named in errors) for the chain of `gHash`;
 * `elections`: the chain has an election operator (its registry is part of the state).
 */
export async function loadChain(
  repos: ChainRepositories,
  dir: string,
  genesisHead: ChainHead,
  elections = false,
): Promise<LoadedChain> {
  const { kv, meta } = repos;
  const gHash = genesisHead.hash;
  const [storedGenesis, schema, head, poolSeq, vouching] = await Promise.all([
    meta.read(MetaKey.genesisHash),
    meta.read(MetaKey.schemaVersion),
    meta.read(MetaKey.head),
    meta.read(MetaKey.poolSeq),
    meta.read(MetaKey.vouching),
  ]);
  const state: CommittedState = {
    head: genesisHead,
    poolSeq: 0,
    vouching: vouching === true,
    storedLock: undefined,
    lockBlockHeights: new Map(),
    replication: new ReplicationRecords(),
  };
  const totals = new Map<string, number>();
  if (storedGenesis === undefined) {
    for await (const _ of kv.entries({ limit: 1 })) {
      throw new DbError(
        DbErrorCode.CORRUPT,
        `database at ${dir} holds data but no genesis hash: not a chain database of this software`,
      );
    }
    await kv.write(
      [
        meta.write(MetaKey.schemaVersion, SCHEMA_VERSION),
        meta.write(MetaKey.genesisHash, gHash),
        meta.write(MetaKey.tallyRules, TALLY_RULES_VERSION),
        // Stored as false, not left absent: absent means "written by a version without pool
        // recovery" (below), and a new directory reopened before its recovery finished (a crash,
        // or the reopen after a snapshot sync) must still not vouch.
        meta.write(MetaKey.vouching, false),
      ],
      { sync: true },
    );
    return { state, totals, commitment: new StateCommitment() };
  }
  if (storedGenesis !== gHash) {
    throw new DbError(
      DbErrorCode.GENESIS_MISMATCH,
      `database at ${dir} belongs to another chain: stored genesis hash ${storedGenesis}, this genesis hashes to ${gHash}`,
    );
  }
  if (schema !== SCHEMA_VERSION) {
    if (typeof schema !== 'number' || !UPGRADABLE_SCHEMAS.includes(schema)) {
      throw new DbError(
        DbErrorCode.SCHEMA_MISMATCH,
        `database at ${dir} has schema version ${String(schema)}, this software reads versions ${[...UPGRADABLE_SCHEMAS, SCHEMA_VERSION].join(', ')}`,
      );
    }
    if (schema < 6 && elections && head !== undefined && head.height > 0)
      throw new DbError(
        DbErrorCode.SCHEMA_MISMATCH,
        `database at ${dir} has schema version ${schema}, whose state does not hold the election registry (version 6) ` +
          'on this chain with an election operator: start this validator from an empty data directory to sync it again',
      );
    if (schema < 3) await indexVoters(repos);
    await kv.write([meta.write(MetaKey.schemaVersion, SCHEMA_VERSION)], { sync: true });
  }
  if (head !== undefined) {
    if ((await repos.blockHeights.get(head.hash)) !== head.height) {
      throw new DbError(
        DbErrorCode.CORRUPT,
        `database at ${dir} head points at block ${head.hash} (height ${head.height}), which is not stored`,
      );
    }
    state.head = { height: head.height, hash: head.hash, slot: head.slot };
  }
  state.poolSeq = poolSeq ?? 0;
  if (vouching === undefined) {
    // Written by a version without pool recovery: its pool is intact (not a new directory).
    await kv.write([meta.write(MetaKey.vouching, true)], { sync: true });
    state.vouching = true;
  }
  if ((await meta.read(MetaKey.tallyRules)) !== TALLY_RULES_VERSION) await recountTallies(repos, state.head);
  // Candidate counts are read per election when first needed (TallyCache keeps the recent ones).
  for await (const [id, n] of repos.totals.entries()) totals.set(id, n);
  const lockBlockHeights = new Map<Hex, number>();
  for await (const [hash, block] of repos.lockBlocks.entries()) lockBlockHeights.set(hash, block.header.height);
  state.lockBlockHeights = lockBlockHeights;
  const safety = await repos.safety.get();
  state.storedLock = safety?.lock && 'blockHash' in safety.lock ? safety.lock.blockHash : undefined;
  state.replication = await loadReplication(repos);
  return { state, totals, commitment: await loadCommitment(repos, state.head.height, totals) };
}

/**
 * The replication records, each reduced to the transactions still in the pool. Writes remove a
 * record with its last pending transaction, so nothing is expected to be left over; a record that
 * is is deleted here. The per-transaction keys of older versions become one record (those of
 * transactions still pending) and are deleted, in one write.
 */
async function loadReplication(repos: ChainRepositories): Promise<ReplicationRecords> {
  const records: [number, Hex[]][] = [];
  const ops: DbOp[] = [];
  let nextId = 0;
  const inPool = async (hashes: readonly Hex[]): Promise<Hex[]> => {
    const found = hashes.length === 0 ? [] : await repos.pool.getMany(hashes);
    return hashes.filter((_, i) => found[i] !== undefined);
  };
  for await (const [id, hashes] of repos.poolReplicatedRecords.entries()) {
    nextId = id + 1;
    const pending = await inPool(hashes);
    if (pending.length > 0) records.push([id, pending]);
    else ops.push(repos.poolReplicatedRecords.del(id));
  }
  const flagged: Hex[] = [];
  for await (const [hash] of repos.poolReplicated.entries()) {
    flagged.push(hash);
    ops.push(repos.poolReplicated.del(hash));
  }
  const pendingFlagged = await inPool(flagged);
  if (pendingFlagged.length > 0) {
    records.push([nextId, pendingFlagged]);
    ops.push(repos.poolReplicatedRecords.put(nextId, pendingFlagged));
  }
  if (ops.length > 0) await repos.kv.write(ops, { sync: true });
  return new ReplicationRecords(records);
}

/**
 * The state commitment at the head: the stored lattice when it is the head's, else recomputed
 * from the stored voter index, tallies and totals (and stored). The tallies are read whole: the
 * commitment needs every counter's current value (memory per election, not per vote).
 */
export async function loadCommitment(
  repos: ChainRepositories,
  height: number,
  totals: ReadonlyMap<string, number>,
): Promise<StateCommitment> {
  const counts = new Map<string, Map<string, number>>();
  for await (const [{ electionId, candidate }, n] of repos.tallies.entries()) {
    let c = counts.get(electionId);
    if (!c) {
      c = new Map();
      counts.set(electionId, c);
    }
    c.set(candidate, n);
  }
  const registry: StateEntry[] = [];
  for await (const [, entry] of repos.registryEntries.entries()) registry.push(entry);
  const stored = await repos.meta.read(MetaKey.stateLattice);
  // At height 0 the state is empty unless an unfinished snapshot sync left entries: always
  // recomputed there, so that they show (node.ts removes them).
  if (stored !== undefined && stored.height === height && height > 0)
    return new StateCommitment(LtHash.fromHex(stored.lattice), counts, new Map(totals), registry);
  const lattice = new LtHash();
  for (const entry of registry) lattice.addEntry(entry);
  for await (const [voterKey, txHash] of repos.voters.entries()) lattice.addEntry({ kind: 'voter', voterKey, txHash });
  for (const [election, c] of counts)
    for (const [candidate, count] of c) lattice.addEntry({ kind: 'tally', election, candidate, count });
  for (const [election, count] of totals) lattice.addEntry({ kind: 'total', election, count });
  if (height > 0)
    await repos.kv.write([repos.meta.write(MetaKey.stateLattice, { height, lattice: bytesToHex(lattice.bytes()) })], {
      sync: true,
    });
  return new StateCommitment(lattice, counts, new Map(totals), registry);
}

/** Upgrade to version 3: a voterIndex entry for every tx location that names its voterKey (version 2 data). */
async function indexVoters(repos: ChainRepositories): Promise<void> {
  let ops = [];
  for await (const [hash, loc] of repos.txLocations.entries()) {
    const key = version2VoterKey(loc);
    if (key === undefined) continue;
    ops.push(repos.voters.put(key, hash));
    if (ops.length >= UPGRADE_CHUNK) {
      await repos.kv.write(ops);
      ops = [];
    }
  }
  await repos.kv.write(ops, { sync: true });
}

/**
 * Recount every stored block under the current counting rules (TALLY_RULES_VERSION), replacing
 * the stored tallies in one batch: tallies written by older software used older rules, and a
 * client recounting the chain applies the current ones. Runs once, at open.
 */
async function recountTallies(repos: ChainRepositories, head: ChainHead): Promise<void> {
  const counts = new Map<string, CandidateCounts>();
  const totals = new Map<string, number>();
  for await (const [height, block] of repos.blocks.entries()) {
    if (height > head.height) break;
    for (const tx of block.transactions) {
      const e = electionIdOf(tx.to);
      if (e === undefined) continue;
      let c = counts.get(e);
      if (!c) {
        c = new Map();
        counts.set(e, c);
      }
      countBallot(c, tx.data);
      totals.set(e, (totals.get(e) ?? 0) + 1);
    }
  }
  const ops = [];
  for await (const [id] of repos.tallies.entries()) ops.push(repos.tallies.del(id));
  for await (const [id] of repos.totals.entries()) ops.push(repos.totals.del(id));
  for (const [e, c] of counts)
    for (const [candidate, n] of c) ops.push(repos.tallies.put({ electionId: e, candidate }, n));
  for (const [e, n] of totals) ops.push(repos.totals.put(e, n));
  ops.push(repos.meta.write(MetaKey.tallyRules, TALLY_RULES_VERSION));
  await repos.kv.write(ops, { sync: true });
}
