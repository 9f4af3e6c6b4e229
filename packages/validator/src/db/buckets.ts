/**
 * Key layout: every key starts with one bucket byte, so each entity lives in its own sorted
 * range. The numbers are on disk: never renumber, and never reuse a retired number.
 */
import { type Hex, bytesToHex, isHex } from '@poa-vote/shared';
import { DbError, DbErrorCode } from './errors.js';

export enum Bucket {
  /** Single values: schema version, genesis hash, head, verified cursor, pool sequence. */
  meta = 0,
  /** height -> Block. */
  block = 1,
  /** block hash -> height. */
  blockHeightByHash = 2,
  /** height -> precommit QuorumCertificate. */
  certificate = 3,
  /** tx hash -> [height, index] ([height, index, voterKey] under schema 2). */
  txLocation = 4,
  /** voterKey -> tx hash (the one-vote-per-(voter, election) index); written by schemas 1 and 3, see txLocation. */
  voterIndex = 5,
  /** submission id (JSON-RPC request id) -> tx hash. */
  submission = 6,
  /** election id 0x00 candidate -> count. */
  tally = 7,
  /** election id -> number of finalized votes. */
  electionTotal = 8,
  /** evidence id -> Evidence. */
  evidence = 9,
  /** (no suffix) -> SafetyState. */
  safety = 10,
  /** tx hash -> { seq, tx }: pending transactions, so an acknowledged vote survives a crash. */
  pool = 11,
  /**
   * block hash -> Block: the candidate block the stored safety state's lock refers to, written
   * once per block rather than inside every safety write (a locked validator re-persists its
   * safety state several times per slot, and the block can be megabytes).
   */
  lockBlock = 12,
  /**
   * tx hash -> true: a pending transaction known to be held by a quorum of validators, so that
   * this knowledge survives a restart (a recovering peer relies on it; docs/DURABILITY.md).
   * Written by versions before the replication records (poolReplicatedRecord): opening such a
   * database turns these keys into one record (db/schema.ts).
   */
  poolReplicated = 13,
  /**
   * stateEntryKey -> StateEntry: the election registry's entries of the committed state (election
   * records, "voted" marks) at the head, written with each finalized block that changes them.
   */
  registryEntry = 14,
  /**
   * record number -> tx hashes: pending transactions known to be held by a quorum, one record per
   * write that learned of some (db/replicationRecords.ts), deleted with the last of them.
   */
  poolReplicatedRecord = 15,
}

/** Fixed-width big-endian height, so keys sort numerically. */
export function encodeHeight(height: number): Buffer {
  if (!Number.isSafeInteger(height) || height < 0)
    throw new DbError(
      DbErrorCode.INVALID_ARGUMENT,
      `height must be a non-negative safe integer, got ${String(height)}`,
    );
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt(height));
  return b;
}

/** Inverse of encodeHeight. */
export function decodeHeight(b: Buffer): number {
  return Number(b.readBigUInt64BE(0));
}

/** 32 raw bytes of a 0x-hex hash (uppercase digits accepted). */
export function encodeHash(hash: string): Buffer {
  const h = typeof hash === 'string' ? hash.toLowerCase() : hash;
  if (!isHex(h, 32))
    throw new DbError(DbErrorCode.INVALID_ARGUMENT, `not a 32-byte 0x-hex hash: ${String(hash).slice(0, 80)}`);
  return Buffer.from(h.slice(2), 'hex');
}

/** Inverse of encodeHash. */
export function decodeHash(b: Buffer): Hex {
  return bytesToHex(b);
}

/** True when a value can be looked up as a hash (lookups by bad hashes simply find nothing). */
export function isHashLike(v: unknown): v is string {
  return typeof v === 'string' && isHex(v.toLowerCase(), 32);
}

/** The first key of a bucket's range. */
export function bucketStart(bucket: Bucket): Buffer {
  return Buffer.from([bucket]);
}

/** The first key past a bucket's range. */
export function bucketEnd(bucket: Bucket): Buffer {
  return Buffer.from([bucket + 1]);
}
