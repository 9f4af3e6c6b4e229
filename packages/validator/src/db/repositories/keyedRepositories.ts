/** Repository bases for the three kinds of ids the chain uses: heights, hashes and strings. */
import type { Hex } from '@poa-vote/shared';
import { decodeHash, decodeHeight, encodeHash, encodeHeight } from '../buckets.js';
import { Repository } from '../repository.js';

/** Ids are heights, stored big-endian so that ranges are numeric. */
export abstract class HeightRepository<V> extends Repository<number, V> {
  protected encodeId(id: number): Buffer {
    return encodeHeight(id);
  }
  protected decodeId(suffix: Buffer): number {
    return decodeHeight(suffix);
  }
}

/** Ids are 32-byte hashes, stored raw. */
export abstract class HashRepository<V> extends Repository<Hex, V> {
  protected encodeId(id: Hex): Buffer {
    return encodeHash(id);
  }
  protected decodeId(suffix: Buffer): Hex {
    return decodeHash(suffix);
  }
}

/** Ids are strings, stored as UTF-8. */
export abstract class StringRepository<V> extends Repository<string, V> {
  protected encodeId(id: string): Buffer {
    return Buffer.from(id, 'utf8');
  }
  protected decodeId(suffix: Buffer): string {
    return suffix.toString('utf8');
  }
}
