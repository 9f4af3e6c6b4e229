/** Where a finalized transaction is: [height, index in block], by tx hash. */
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { HashRepository } from './keyedRepositories.js';

/** [height, index]: a pair, not an object, because there is one per finalized vote. */
export type StoredTxLocation = [number, number];

export class TxLocationRepository extends HashRepository<StoredTxLocation> {
  constructor(level: ChainLevel) {
    super(level, Bucket.txLocation);
  }
}
