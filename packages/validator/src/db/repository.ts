/**
 * The generic repository (lodestar style): an entity in one bucket, with an id codec, over a
 * KvStore. Writes are returned as batch operations, never performed, so that everything one
 * consensus output changes goes to disk in a single atomic batch.
 */
import { type Bucket, bucketEnd, bucketStart } from './buckets.js';
import type { KvOp, KvStore } from './kv/index.js';

/** A batch operation (see KvOp). */
export type DbOp = KvOp;

export abstract class Repository<I, V> {
  readonly #prefix: Buffer;

  constructor(
    protected readonly kv: KvStore,
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

  /** Id of a full key of this bucket. */
  idOf(key: Buffer): I {
    return this.decodeId(key.subarray(1));
  }

  /** Stored value, or undefined. */
  async get(id: I): Promise<V | undefined> {
    return (await this.kv.get(this.key(id))) as V | undefined;
  }

  /** Stored values of several ids, undefined where missing. */
  async getMany(ids: readonly I[]): Promise<(V | undefined)[]> {
    if (ids.length === 0) return [];
    return (await this.kv.getMany(ids.map((id) => this.key(id)))) as (V | undefined)[];
  }

  /** The same on the caller's thread, or undefined when the store cannot (KvStore.getManySync). */
  getManySync(ids: readonly I[]): (V | undefined)[] | undefined {
    if (this.kv.getManySync === undefined) return undefined;
    return this.kv.getManySync(ids.map((id) => this.key(id))) as (V | undefined)[];
  }

  /** Batch operation storing a value. */
  put(id: I, value: V): DbOp {
    return { type: 'put', key: this.key(id), value };
  }

  /** Batch operation deleting an id. */
  del(id: I): DbOp {
    return { type: 'del', key: this.key(id) };
  }

  /** The key range of ids from `gte` (inclusive) to `lt` (exclusive), whole bucket by default. */
  range(range: { gte?: I; lt?: I; limit?: number } = {}): { gte: Buffer; lt: Buffer; limit?: number } {
    return {
      gte: range.gte === undefined ? this.#prefix : this.key(range.gte),
      lt: range.lt === undefined ? bucketEnd(this.bucket) : this.key(range.lt),
      ...(range.limit === undefined ? {} : { limit: range.limit }),
    };
  }

  /** Entries in key order, from `gte` (inclusive) to `lt` (exclusive), whole bucket by default. */
  async *entries(range: { gte?: I; lt?: I; limit?: number } = {}): AsyncGenerator<[I, V]> {
    for await (const [k, v] of this.kv.entries(this.range(range))) yield [this.idOf(k), v as V];
  }
}
