/** The validator's safety state: a single value, overwritten. */
import type { Hex, QuorumCertificate } from '@poa-vote/shared';
import type { Lock, SafetyState } from '../../consensus/interface.js';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { Repository } from '../repository.js';

/** The lock as stored: the block by hash (its body lives in the lockBlock bucket). */
export interface StoredLockRef {
  slot: number;
  blockHash: Hex;
  polka: QuorumCertificate;
}

/** The stored safety state; older databases hold the whole lock (block included) inline. */
export type StoredSafety = Omit<SafetyState, 'lock'> & { lock?: StoredLockRef | Lock };

export class SafetyRepository extends Repository<void, StoredSafety> {
  constructor(kv: KvStore) {
    super(kv, Bucket.safety);
  }
  protected encodeId(): Buffer {
    return Buffer.alloc(0);
  }
  protected decodeId(): void {}
}
