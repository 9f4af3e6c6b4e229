/** The election registry's state entries (election records, "voted" marks), by stateEntryKey. */
import type { StateEntry } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { StringRepository } from './keyedRepositories.js';

export class RegistryEntryRepository extends StringRepository<StateEntry> {
  constructor(kv: KvStore) {
    super(kv, Bucket.registryEntry);
  }
}
