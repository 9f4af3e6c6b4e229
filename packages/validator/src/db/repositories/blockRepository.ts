/** Finalized blocks by height. */
import type { Block } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { HeightRepository } from './keyedRepositories.js';

export class BlockRepository extends HeightRepository<Block> {
  constructor(level: ChainLevel) {
    super(level, Bucket.block);
  }
}
