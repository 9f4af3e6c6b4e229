/** Number of finalized votes per election. */
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { StringRepository } from './keyedRepositories.js';

export class ElectionTotalRepository extends StringRepository<number> {
  constructor(kv: KvStore) {
    super(kv, Bucket.electionTotal);
  }
}
