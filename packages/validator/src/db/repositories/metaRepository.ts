/** Single values under named keys; each key has its own value type. */
import type { ChainCursor, Hex } from '@poa-vote/shared';
import type { ChainHead } from '../../state/chainState.js';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { type DbOp, Repository } from '../repository.js';

/** Progress of the stored-chain verifier. `errors` makes a failure survive restarts. */
export interface VerifiedCursor extends ChainCursor {
  checkedBlocks: number;
  errors?: string[];
}

export enum MetaKey {
  schemaVersion = 'schemaVersion',
  genesisHash = 'genesisHash',
  head = 'head',
  verifiedCursor = 'verifiedCursor',
  /** Next pool sequence number; stored so open needs no pool scan. */
  poolSeq = 'poolSeq',
  /** Version of the ballot counting rules the stored tallies were computed with (TALLY_RULES_VERSION). */
  tallyRules = 'tallyRules',
  /**
   * Set once this validator's pool is trustworthy: at once for a data directory of an older
   * version, after reading every peer's pool for a new or wiped one (docs/DURABILITY.md).
   */
  vouching = 'vouching',
  /**
   * The state commitment's lattice (0x-hex of 2,048 bytes) after the block at `height`, written
   * with each finalized block; at open it is recomputed from the stored state when its height is
   * not the head's (an older schema, or a batch that carried no lattice).
   */
  stateLattice = 'stateLattice',
  /** Snapshot sync: the verified snapshot height and how far back the blocks are stored (docs/PROTOCOL.md). */
  backfill = 'backfill',
}

/** Progress of the background download of the blocks below a snapshot. */
export interface BackfillState {
  /** Height of the verified snapshot the node started from. */
  snapshotHeight: number;
  /** Lowest height stored so far (blocks lowest..snapshotHeight are stored); 1 once complete. */
  lowest: number;
  /** Hash of the block at `lowest` (the next block down must be its parent). */
  lowestParentHash: Hex;
}

interface MetaValues {
  [MetaKey.schemaVersion]: number;
  [MetaKey.genesisHash]: Hex;
  [MetaKey.head]: ChainHead;
  [MetaKey.verifiedCursor]: VerifiedCursor;
  [MetaKey.poolSeq]: number;
  [MetaKey.tallyRules]: number;
  [MetaKey.vouching]: boolean;
  [MetaKey.stateLattice]: { height: number; lattice: Hex };
  [MetaKey.backfill]: BackfillState;
}

export class MetaRepository extends Repository<MetaKey, unknown> {
  constructor(kv: KvStore) {
    super(kv, Bucket.meta);
  }
  protected encodeId(id: MetaKey): Buffer {
    return Buffer.from(id, 'utf8');
  }
  protected decodeId(suffix: Buffer): MetaKey {
    return suffix.toString('utf8') as MetaKey;
  }
  /** Typed read of one meta value. */
  async read<K extends MetaKey>(key: K): Promise<MetaValues[K] | undefined> {
    return (await this.get(key)) as MetaValues[K] | undefined;
  }
  /** Typed batch write of one meta value. */
  write<K extends MetaKey>(key: K, value: MetaValues[K]): DbOp {
    return this.put(key, value);
  }
}
