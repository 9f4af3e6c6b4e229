/** Finalized blocks by height. */
import type { Block } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HeightRepository } from './keyedRepositories.js';

export class BlockRepository extends HeightRepository<Block> {
  constructor(kv: KvStore) {
    super(kv, Bucket.block);
  }
}
