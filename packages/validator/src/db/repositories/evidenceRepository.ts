/** Equivocation evidence, by evidenceId. */
import type { Evidence } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { HashRepository } from './keyedRepositories.js';

export class EvidenceRepository extends HashRepository<Evidence> {
  constructor(level: ChainLevel) {
    super(level, Bucket.evidence);
  }
}
