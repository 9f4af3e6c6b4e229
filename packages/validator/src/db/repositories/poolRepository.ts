/** Pending transactions by hash, with an arrival sequence number to restore the pool's order. */
import type { Hex, Transaction } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository, HeightRepository } from './keyedRepositories.js';

export interface StoredPoolEntry {
  seq: number;
  tx: Transaction;
}

export class PoolRepository extends HashRepository<StoredPoolEntry> {
  constructor(kv: KvStore) {
    super(kv, Bucket.pool);
  }
}

/**
 * Pending transactions known to be held by a quorum (the flag of docs/DURABILITY.md), one key per
 * transaction, as versions before the replication records wrote them: turned into a record at open.
 */
export class PoolReplicatedRepository extends HashRepository<true> {
  constructor(kv: KvStore) {
    super(kv, Bucket.poolReplicated);
  }
}

/**
 * Pending transactions known to be held by a quorum, one record per write that learned of some:
 * record number (8 bytes, big-endian) -> their hashes (db/replicationRecords.ts).
 */
export class PoolReplicatedRecordRepository extends HeightRepository<Hex[]> {
  constructor(kv: KvStore) {
    super(kv, Bucket.poolReplicatedRecord);
  }
}
