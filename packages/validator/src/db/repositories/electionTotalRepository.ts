/** Number of finalized votes per election. */
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { StringRepository } from './keyedRepositories.js';

export class ElectionTotalRepository extends StringRepository<number> {
  constructor(level: ChainLevel) {
    super(level, Bucket.electionTotal);
  }
}
