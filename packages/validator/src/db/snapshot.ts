/**
 * Snapshot sync in storage (docs/DURABILITY.md, "Snapshot sync"): reading the committed state at
 * the head from one consistent view of the database (to serve it), writing a received one (to
 * start from it), and storing the blocks below it as they are backfilled.
 */
import {
  type FinalizedBlock,
  type Hex,
  LtHash,
  type StateEntry,
  bytesToHex,
  stateEntryKey,
  txHash,
} from '@poa-vote/shared';
import { DbError, DbErrorCode } from './errors.js';
import type { KvStore } from './kv/index.js';
import { type BackfillState, ChainRepositories, MetaKey, txLocationOf } from './repositories/index.js';
import type { DbOp } from './repository.js';

/** Entries per batch read from a snapshot view, and per batch written by an import or a discard. */
export const SNAPSHOT_BATCH_ENTRIES = 4096;

/** The committed state at a finalized height, read from a database snapshot. */
export interface StateSnapshotReader {
  /** The head block and its certificate: the state is the state after it. */
  head: FinalizedBlock;
  /** The stored lattice of that state (the serving node's own commitment, not sent: the receiver recomputes it). */
  lattice: LtHash;
  /** Every entry of the state, in batches of at most SNAPSHOT_BATCH_ENTRIES (voters, tallies, totals, then the registry's). */
  entries(): AsyncIterable<StateEntry[]>;
  /** Release the database snapshot. */
  close(): Promise<void>;
}

/** Open a consistent view of the state at the head; undefined at genesis (nothing to serve). */
export async function openStateSnapshot(kv: KvStore): Promise<StateSnapshotReader | undefined> {
  const view = kv.snapshot();
  try {
    const repos = new ChainRepositories(view);
    const [head, stored] = await Promise.all([repos.meta.read(MetaKey.head), repos.meta.read(MetaKey.stateLattice)]);
    if (head === undefined || head.height === 0) {
      await view.close();
      return undefined;
    }
    // A lattice of another height is recomputed at the next open; until then nothing is served.
    if (stored === undefined || stored.height !== head.height) {
      await view.close();
      return undefined;
    }
    const [block, certificate] = await Promise.all([
      repos.blocks.get(head.height),
      repos.certificates.get(head.height),
    ]);
    if (block === undefined || certificate === undefined)
      throw new DbError(DbErrorCode.CORRUPT, `the head block ${head.height} or its certificate is not stored`);
    return {
      head: { block, certificate },
      lattice: LtHash.fromHex(stored.lattice),
      entries: () => snapshotEntries(repos),
      close: () => view.close(),
    };
  } catch (e) {
    await view.close();
    throw e;
  }
}

async function* snapshotEntries(repos: ChainRepositories): AsyncGenerator<StateEntry[]> {
  let batch: StateEntry[] = [];
  for await (const [voterKey, hash] of repos.voters.entries()) {
    batch.push({ kind: 'voter', voterKey, txHash: hash });
    if (batch.length >= SNAPSHOT_BATCH_ENTRIES) {
      yield batch;
      batch = [];
    }
  }
  for await (const [{ electionId, candidate }, count] of repos.tallies.entries()) {
    batch.push({ kind: 'tally', election: electionId, candidate, count });
    if (batch.length >= SNAPSHOT_BATCH_ENTRIES) {
      yield batch;
      batch = [];
    }
  }
  for await (const [election, count] of repos.totals.entries()) batch.push({ kind: 'total', election, count });
  // The election registry's records are few and can be large: a batch of their own.
  if (batch.length > 0) yield batch;
  batch = [];
  for await (const [, entry] of repos.registryEntries.entries()) batch.push(entry);
  if (batch.length > 0) yield batch;
}

/** The writes storing received state entries (the head is not moved: see installSnapshotOps). */
export function importEntriesOps(repos: ChainRepositories, entries: readonly StateEntry[]): DbOp[] {
  const ops: DbOp[] = [];
  for (const e of entries) {
    switch (e.kind) {
      case 'voter':
        ops.push(repos.voters.put(e.voterKey, e.txHash));
        break;
      case 'tally':
        ops.push(repos.tallies.put({ electionId: e.election, candidate: e.candidate }, e.count));
        break;
      case 'total':
        ops.push(repos.totals.put(e.election, e.count));
        break;
      case 'election':
      case 'voted':
        ops.push(repos.registryEntries.put(stateEntryKey(e), e));
        break;
    }
  }
  return ops;
}

/** Delete every state entry (a refused snapshot's, imported before its check failed). */
export async function discardState(repos: ChainRepositories): Promise<void> {
  for (const repo of [repos.voters, repos.tallies, repos.totals, repos.registryEntries] as const) {
    let ops: DbOp[] = [];
    for await (const [key] of repos.kv.rawEntries(repo.range())) {
      ops.push({ type: 'del', key });
      if (ops.length >= SNAPSHOT_BATCH_ENTRIES) {
        await repos.kv.write(ops);
        ops = [];
      }
    }
    await repos.kv.write(ops);
  }
  await repos.kv.write([repos.meta.del(MetaKey.stateLattice)]);
}

/**
 * The writes that make a verified snapshot the database's state: the head block with its
 * certificate and transaction locations, the head, the lattice, and the backfill cursor.
 */
export function installSnapshotOps(repos: ChainRepositories, head: FinalizedBlock, lattice: LtHash): DbOp[] {
  const { block, certificate } = head;
  const h = block.header.height;
  const ops: DbOp[] = [
    repos.blocks.put(h, block),
    repos.certificates.put(h, certificate),
    repos.blockHeights.put(block.hash, h),
    ...block.transactions.map((tx, i) => repos.txLocations.put(txHash(tx), txLocationOf(h, i, tx))),
    repos.meta.write(MetaKey.head, { height: h, hash: block.hash, slot: block.header.slot }),
    repos.meta.write(MetaKey.stateLattice, { height: h, lattice: bytesToHex(lattice.bytes()) }),
    repos.meta.write(MetaKey.backfill, {
      snapshotHeight: h,
      lowest: h,
      lowestParentHash: block.header.parentHash,
    }),
  ];
  return ops;
}

/**
 * The writes storing backfilled blocks (descending heights, each the parent of the one before,
 * the first the parent of `state.lowest`): blocks, certificates, hashes and transaction
 * locations only; the state already holds their votes.
 */
export function backfillOps(repos: ChainRepositories, blocks: readonly FinalizedBlock[], next: BackfillState): DbOp[] {
  const ops: DbOp[] = [];
  for (const { block, certificate } of blocks) {
    const h = block.header.height;
    ops.push(repos.blocks.put(h, block), repos.certificates.put(h, certificate), repos.blockHeights.put(block.hash, h));
    for (const [i, tx] of block.transactions.entries())
      ops.push(repos.txLocations.put(txHash(tx), txLocationOf(h, i, tx)));
  }
  ops.push(repos.meta.write(MetaKey.backfill, next));
  return ops;
}

/** Hex of a lattice, as stored. */
export function latticeHex(lattice: LtHash): Hex {
  return bytesToHex(lattice.bytes());
}
