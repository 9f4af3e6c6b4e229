/** Pending transactions by hash, with an arrival sequence number to restore the pool's order. */
import type { Transaction } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

export interface StoredPoolEntry {
  seq: number;
  tx: Transaction;
}

export class PoolRepository extends HashRepository<StoredPoolEntry> {
  constructor(kv: KvStore) {
    super(kv, Bucket.pool);
  }
}

/** Pending transactions known to be held by a quorum (the flag of docs/DURABILITY.md). */
export class PoolReplicatedRepository extends HashRepository<true> {
  constructor(kv: KvStore) {
    super(kv, Bucket.poolReplicated);
  }
}
