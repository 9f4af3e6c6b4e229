/** Where a finalized transaction is: [height, index in block], by tx hash. */
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

/**
 * [height, index]: an array, not an object, because there is one per finalized vote. Schema
 * version 2 stored [height, index, voterKey] (its one-vote index was rebuilt from them at start).
 */
export type StoredTxLocation = [number, number, string?];

export class TxLocationRepository extends HashRepository<StoredTxLocation> {
  constructor(kv: KvStore) {
    super(kv, Bucket.txLocation);
  }
}
