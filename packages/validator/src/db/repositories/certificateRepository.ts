/** Precommit certificates of finalized blocks, by height. */
import type { QuorumCertificate } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HeightRepository } from './keyedRepositories.js';

export class CertificateRepository extends HeightRepository<QuorumCertificate> {
  constructor(kv: KvStore) {
    super(kv, Bucket.certificate);
  }
}
