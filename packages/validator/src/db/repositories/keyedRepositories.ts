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
  /** The bucket byte and the hash in one buffer (several keys per vote: one allocation each, not three). */
  override key(id: Hex): Buffer {
    const b = Buffer.allocUnsafe(33);
    // Node's hex decoder takes either case and stops at the first pair that is not hex: 32 bytes
    // from the 64 characters after "0x" is a well-formed hash, checked without a regular
    // expression (several keys per vote). Anything else goes the generic way, which names it.
    if (
      typeof id === 'string' &&
      id.length === 66 &&
      id.charCodeAt(0) === 48 /* 0 */ &&
      id.charCodeAt(1) === 120 /* x */ &&
      b.write(id.slice(2), 1, 32, 'hex') === 32
    ) {
      b[0] = this.bucket;
      return b;
    }
    return super.key(id);
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
  /** The bucket byte and the UTF-8 id in one buffer. */
  override key(id: string): Buffer {
    const n = Buffer.byteLength(id, 'utf8');
    const b = Buffer.allocUnsafe(1 + n);
    b[0] = this.bucket;
    b.write(id, 1, n, 'utf8');
    return b;
  }
  protected decodeId(suffix: Buffer): string {
    return suffix.toString('utf8');
  }
}
