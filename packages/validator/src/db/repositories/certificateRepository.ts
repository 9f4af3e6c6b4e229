/** Precommit certificates of finalized blocks, by height. */
import type { QuorumCertificate } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { HeightRepository } from './keyedRepositories.js';

export class CertificateRepository extends HeightRepository<QuorumCertificate> {
  constructor(level: ChainLevel) {
    super(level, Bucket.certificate);
  }
}
