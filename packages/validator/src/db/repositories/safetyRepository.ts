/** The validator's safety state: a single value, overwritten. */
import type { SafetyState } from '../../consensus/interface.js';
import { Bucket } from '../buckets.js';
import { Repository, type ChainLevel } from '../repository.js';

export class SafetyRepository extends Repository<void, SafetyState> {
  constructor(level: ChainLevel) {
    super(level, Bucket.safety);
  }
  protected encodeId(): Buffer {
    return Buffer.alloc(0);
  }
  protected decodeId(): void {}
}
