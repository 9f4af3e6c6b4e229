/**
 * The key-value contract the repositories are written against (lodestar's `db/interface.ts`: the
 * methods name no engine). Keys are binary (a bucket byte, then the id); values are JSON values,
 * stored as their JSON text. Two implementations: LevelDB for a validator (`levelKv.ts`) and
 * memory for tests, tools and the simulator (`memoryKv.ts`).
 */

/** One write of a batch. */
export type KvOp = { type: 'put'; key: Buffer; value: unknown } | { type: 'del'; key: Buffer };

/** A key range in byte order: `gte` inclusive, `lt` exclusive, at most `limit` entries. */
export interface KvRange {
  gte?: Buffer;
  lt?: Buffer;
  limit?: number;
}

export interface KvStore {
  /** The value stored under `key`, or undefined. */
  get(key: Buffer): Promise<unknown>;
  /** The values of several keys, undefined where missing (one round trip). */
  getMany(keys: readonly Buffer[]): Promise<unknown[]>;
  /**
   * The same, answered on the caller's thread (absent: the store cannot). For a few keys on a hot
   * path: LevelDB answers a key that is not there from its bloom filters in microseconds, while a
   * round trip through libuv's thread pool (a snapshot, a worker woken, a promise) costs more than
   * the read and, on a busy machine, hands the core to the woken worker.
   */
  getManySync?(keys: readonly Buffer[]): unknown[];
  /** Entries of a range in key order, values decoded. */
  entries(range: KvRange): AsyncIterable<[Buffer, unknown]>;
  /** Entries of a range in key order, each value as its stored JSON text (its size is known before parsing). */
  rawEntries(range: KvRange): AsyncIterable<[Buffer, string]>;
  /** Apply every op atomically, in order; `sync` waits until the batch is on stable storage. */
  write(ops: Iterable<KvOp>, opts?: { sync?: boolean }): Promise<void>;
  /**
   * A consistent read-only view of the store as it is now (LevelDB: an explicit snapshot): later
   * writes do not show in it, and its own writes are refused. Close it to release what it pins.
   */
  snapshot(): KvStore;
  close(): Promise<void>;
}
