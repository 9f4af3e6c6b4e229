/** Height of a finalized block, by its hash. */
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { HashRepository } from './keyedRepositories.js';

export class BlockHashRepository extends HashRepository<number> {
  constructor(level: ChainLevel) {
    super(level, Bucket.blockHeightByHash);
  }
}
