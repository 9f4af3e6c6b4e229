/**
 * The batch builder: what one group of consensus outputs writes, as one list of KvOps, computed
 * without I/O from the committed state and from the few values read for it beforehand (the
 * committed counts of the elections it counts votes in, the submission ids already bound). It
 * holds the storage rules: block and index layout, the tally rules, pool clean-up, the safety
 * state by reference, first-binding-wins submission ids. Group commit (writeQueue.ts) reads,
 * builds, writes, and only then makes `next` the committed state.
 */
import {
  type FinalizedBlock,
  type Hex,
  txCandidate,
  electionIdOf,
  evidenceId,
  txHash,
  voterKey,
  bytesToHex,
  stateEntryKey,
} from '@poa-vote/shared';
import type { PersistOp, SafetyState } from '../consensus/interface.js';
import type { ChainHead } from '../state/chainState.js';
import { isHashLike } from './buckets.js';
import { DbError, DbErrorCode } from './errors.js';
import type { ReplicationDelta, ReplicationRecords } from './replicationRecords.js';
import type { DbOp } from './repository.js';
import {
  type ChainRepositories,
  MetaKey,
  type StoredSafety,
  isStorableSubmissionId,
  txLocationOf,
} from './repositories/index.js';
import type { TallyStage } from './tallyCache.js';

/** The submission ids recorded with a batch (JSON-RPC request id -> tx hash). */
export interface SubmissionRecord {
  id: string;
  hash: Hex;
}

/** The committed state between batches that the next batch builds on. */
export interface CommittedState {
  head: ChainHead;
  poolSeq: number;
  vouching: boolean;
  /** Hash of the block the stored safety state's lock refers to. */
  storedLock: Hex | undefined;
  /** Blocks stored in the lockBlock bucket: hash -> height. */
  lockBlockHeights: ReadonlyMap<Hex, number>;
  /**
   * The pending transactions recorded as replicated: one object, changed in place by the write
   * queue once a batch is on disk (`commit` of the batch's `replication`), never by the builder.
   */
  replication: ReplicationRecords;
}

/** What a batch needs from storage, read before it is built. */
export interface BatchReads {
  /** A tally stage on the committed counts of every election in `electionsCounted(ops)`. */
  tally: TallyStage;
  /** Those of `submissionIdsOf(submissions)` already bound. */
  boundSubmissions: ReadonlySet<string>;
}

export interface BuiltBatch {
  writes: DbOp[];
  /** Whether the batch carries safety state or a finalized block: worth an fsync. */
  durable: boolean;
  /** The committed state once the writes are on disk. */
  next: CommittedState;
  /** The tally increments, to commit to the cache once on disk. */
  tally: TallyStage;
  /** The blocks finalized by the batch, in order. */
  finalized: FinalizedBlock[];
  /** The replication records' changes, to commit once on disk. */
  replication: ReplicationDelta;
}

/** Elections whose votes the ops count: their committed counts are the tally stage's base. */
export function electionsCounted(ops: readonly PersistOp[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) {
    if (op.kind !== 'finalize') continue;
    for (const tx of op.block.transactions) {
      const e = electionIdOf(tx.to);
      if (e !== undefined) out.add(e);
    }
  }
  return out;
}

/** First binding of each storable id in the batch (later ones and unstorable ids are skipped). */
export function submissionBindings(submissions: readonly SubmissionRecord[]): Map<string, Hex> {
  const bindings = new Map<string, Hex>();
  for (const s of submissions) {
    if (!isStorableSubmissionId(s.id) || !isHashLike(s.hash) || bindings.has(s.id)) continue;
    bindings.set(s.id, s.hash.toLowerCase() as Hex);
  }
  return bindings;
}

/**
 * The writes of `ops` (in order) and `submissions` on top of `state`. Throws DbError for an
 * output that would break the chain (a block out of order, a mismatched certificate, an unknown
 * op): nothing of the batch is written then.
 */
export function buildBatch(
  repos: ChainRepositories,
  state: CommittedState,
  ops: readonly PersistOp[],
  submissions: readonly SubmissionRecord[],
  reads: BatchReads,
): BuiltBatch {
  const batch: (DbOp | undefined)[] = [];
  const { tally } = reads;
  const finalized: FinalizedBlock[] = [];
  let { vouching, head, poolSeq } = state;
  let durable = false;
  // Only the last safety state of a batch reaches the disk: the others are overwritten in it.
  let safety: SafetyState | undefined;
  // Pool entries put by this batch, by hash: a removal in the same batch drops the put.
  const poolPuts = new Map<Hex, number>();
  const replication = state.replication.plan();
  const poolDel = (hash: Hex): void => {
    const at = poolPuts.get(hash);
    if (at !== undefined) {
      batch[at] = undefined;
      poolPuts.delete(hash);
    }
    batch.push(repos.pool.del(hash));
    replication.remove(hash);
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
          repos.blocks.put(h, block),
          repos.certificates.put(h, certificate),
          repos.blockHeights.put(block.hash, h),
        );
        const txs = block.transactions;
        for (let i = 0; i < txs.length; i++) {
          const tx = txs[i];
          if (tx === undefined) continue;
          const th = txHash(tx);
          // The one-vote index is read by voterKey, a few entries per consensus step (state/voterCache.ts).
          batch.push(repos.txLocations.put(th, txLocationOf(h, i, tx)), repos.voters.put(voterKey(tx), th));
          poolDel(th);
          const election = electionIdOf(tx.to);
          if (election !== undefined) tally.increment(election, txCandidate(tx));
        }
        head = { height: h, hash: block.hash, slot: block.header.slot };
        if (op.lattice !== undefined)
          batch.push(repos.meta.write(MetaKey.stateLattice, { height: h, lattice: bytesToHex(op.lattice) }));
        for (const e of op.registryEntries ?? []) batch.push(repos.registryEntries.put(stateEntryKey(e), e));
        finalized.push({ block, certificate });
        durable = true;
        break;
      }
      case 'pool-add':
        for (const tx of op.txs) {
          const th = txHash(tx);
          poolPuts.set(th, batch.length);
          batch.push(repos.pool.put(th, { seq: poolSeq++, tx }));
        }
        break;
      case 'pool-remove':
        for (const hash of op.hashes) poolDel(hash);
        break;
      case 'pool-replicated':
        // One record for the whole batch, written below (replicationRecords.ts).
        replication.add(op.hashes);
        break;
      case 'evidence':
        batch.push(repos.evidence.put(evidenceId(op.evidence), op.evidence));
        break;
      case 'vouching':
        batch.push(repos.meta.write(MetaKey.vouching, true));
        vouching = true;
        break;
      default: {
        // Compile time: every persist op kind has a case. Run time: still a named error, not a silent skip.
        const unknown: never = op;
        throw new DbError(
          DbErrorCode.INVALID_ARGUMENT,
          `unknown persist op kind ${JSON.stringify((unknown as { kind?: unknown }).kind)}`,
        );
      }
    }
  }
  // First binding wins: within the batch, and against what is stored (read before the build, in
  // the write queue, so no concurrent batch can slip in between). An id that cannot be stored is
  // skipped: one client's bad id must not fail the batch that carries everyone's votes.
  for (const [id, hash] of submissionBindings(submissions))
    if (!reads.boundSubmissions.has(id)) batch.push(repos.submissions.put(id, hash));
  for (const [election, counts] of tally.counts) {
    for (const [candidate, n] of counts) batch.push(repos.tallies.put({ electionId: election, candidate }, n));
  }
  for (const [election, n] of tally.totals) batch.push(repos.totals.put(election, n));
  const replicated = replication.finish();
  if (replicated.record !== undefined)
    batch.push(repos.poolReplicatedRecords.put(replicated.record.id, replicated.record.hashes));
  for (const id of replicated.deadRecords) batch.push(repos.poolReplicatedRecords.del(id));
  if (head !== state.head) batch.push(repos.meta.write(MetaKey.head, head));
  if (poolSeq !== state.poolSeq) batch.push(repos.meta.write(MetaKey.poolSeq, poolSeq));
  const storedLock = safety === undefined ? state.storedLock : safety.lock?.block.hash;
  const newLockBlock =
    safety?.lock && !state.lockBlockHeights.has(safety.lock.block.hash) ? safety.lock.block : undefined;
  if (safety !== undefined) batch.push(...safetyOps(repos, safety, newLockBlock));
  // Lock blocks of decided heights are garbage, unless the stored state still points at one.
  const lockBlockHeights = new Map(state.lockBlockHeights);
  if (newLockBlock) lockBlockHeights.set(newLockBlock.hash, newLockBlock.header.height);
  if (head !== state.head) {
    for (const [hash, height] of state.lockBlockHeights) {
      if (height > head.height || hash === storedLock) continue;
      batch.push(repos.lockBlocks.del(hash));
      lockBlockHeights.delete(hash);
    }
  }
  return {
    writes: batch.filter((op): op is DbOp => op !== undefined),
    durable,
    next: { head, poolSeq, vouching, storedLock, lockBlockHeights, replication: state.replication },
    tally,
    finalized,
    replication: replicated,
  };
}

/** Batch operations storing a safety state: the lock's block by reference, the block itself once. */
function safetyOps(
  repos: ChainRepositories,
  state: SafetyState,
  newLockBlock: FinalizedBlock['block'] | undefined,
): DbOp[] {
  const { lock, ...rest } = state;
  if (!lock) return [repos.safety.put(undefined, rest)];
  const stored: StoredSafety = { ...rest, lock: { slot: lock.slot, blockHash: lock.block.hash, polka: lock.polka } };
  return newLockBlock
    ? [repos.lockBlocks.put(newLockBlock.hash, newLockBlock), repos.safety.put(undefined, stored)]
    : [repos.safety.put(undefined, stored)];
}
