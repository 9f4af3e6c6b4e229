/** Candidate blocks referenced by the stored lock, by block hash (see Bucket.lockBlock). */
import type { Block } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

export class LockBlockRepository extends HashRepository<Block> {
  constructor(kv: KvStore) {
    super(kv, Bucket.lockBlock);
  }
}
