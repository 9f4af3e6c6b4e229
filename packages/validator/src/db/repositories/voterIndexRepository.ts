/** The finalized transaction of each (voter, election), by voterKey. */
import type { Hex } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { StringRepository } from './keyedRepositories.js';

export class VoterIndexRepository extends StringRepository<Hex> {
  constructor(kv: KvStore) {
    super(kv, Bucket.voterIndex);
  }
}
