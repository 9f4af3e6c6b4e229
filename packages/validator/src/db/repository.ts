/**
 * The generic repository (lodestar style): an entity in one bucket, with an id codec. Writes are
 * returned as batch operations, never performed, so that everything one consensus output
 * changes goes to disk in a single atomic batch.
 */
import type { Level } from 'level';
import { type Bucket, bucketEnd, bucketStart } from './buckets.js';

/** The LevelDB handle: binary keys (bucket byte + id), JSON values. */
export type ChainLevel = Level<Buffer, unknown>;

export type DbOp = { type: 'put'; key: Buffer; value: unknown } | { type: 'del'; key: Buffer };

export abstract class Repository<I, V> {
  readonly #prefix: Buffer;

  constructor(
    protected readonly level: ChainLevel,
    readonly bucket: Bucket,
  ) {
    this.#prefix = bucketStart(bucket);
  }

  /** Key suffix of an id. */
  protected abstract encodeId(id: I): Buffer;
  /** Id of a key suffix. */
  protected abstract decodeId(suffix: Buffer): I;

  /** Full key of an id. */
  key(id: I): Buffer {
    return Buffer.concat([this.#prefix, this.encodeId(id)]);
  }

  /** Stored value, or undefined. */
  async get(id: I): Promise<V | undefined> {
    return (await this.level.get(this.key(id))) as V | undefined;
  }

  /** Stored values of several ids, undefined where missing. */
  async getMany(ids: readonly I[]): Promise<(V | undefined)[]> {
    if (ids.length === 0) return [];
    return (await this.level.getMany(ids.map((id) => this.key(id)))) as (V | undefined)[];
  }

  /** Batch operation storing a value. */
  put(id: I, value: V): DbOp {
    return { type: 'put', key: this.key(id), value };
  }

  /** Batch operation deleting an id. */
  del(id: I): DbOp {
    return { type: 'del', key: this.key(id) };
  }

  /** Entries in key order, from `gte` (inclusive) to `lt` (exclusive), whole bucket by default. */
  async *entries(range: { gte?: I; lt?: I; limit?: number } = {}): AsyncGenerator<[I, V]> {
    const it = this.level.iterator({
      gte: range.gte === undefined ? this.#prefix : this.key(range.gte),
      lt: range.lt === undefined ? bucketEnd(this.bucket) : this.key(range.lt),
      ...(range.limit === undefined ? {} : { limit: range.limit }),
    });
    try {
      for await (const [k, v] of it) yield [this.decodeId(k.subarray(1)), v as V];
    } finally {
      await it.close();
    }
  }
}
