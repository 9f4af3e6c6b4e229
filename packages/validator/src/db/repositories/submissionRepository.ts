/** Transaction hash of a submission id (the JSON-RPC request id a vote came under). */
import type { Hex } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { ChainLevel } from '../repository.js';
import { StringRepository } from './keyedRepositories.js';

export class SubmissionRepository extends StringRepository<Hex> {
  constructor(level: ChainLevel) {
    super(level, Bucket.submission);
  }
}
