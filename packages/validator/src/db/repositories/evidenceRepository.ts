/** Equivocation evidence, by evidenceId. */
import type { Evidence } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

export class EvidenceRepository extends HashRepository<Evidence> {
  constructor(kv: KvStore) {
    super(kv, Bucket.evidence);
  }
}
