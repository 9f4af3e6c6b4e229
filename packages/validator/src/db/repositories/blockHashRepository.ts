/** Height of a finalized block, by its hash. */
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

export class BlockHashRepository extends HashRepository<number> {
  constructor(kv: KvStore) {
    super(kv, Bucket.blockHeightByHash);
  }
}
