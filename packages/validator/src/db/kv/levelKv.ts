/** The LevelDB implementation of KvStore: binary keys, JSON values. */
import { Level } from 'level';
import type { KvOp, KvRange, KvStore } from './interface.js';

export interface LevelKvOptions {
  /** LevelDB write buffer (memtable) size in bytes. */
  writeBufferSize?: number;
  /** Most files LevelDB keeps open (its table cache holds this many less ten tables). */
  maxOpenFiles?: number;
  /** Bytes LevelDB writes to one table file before it starts the next (its default: 2 MiB). */
  maxFileSize?: number;
}

/** Why a LevelDB open failed, in words (a locked directory is the usual case). */
export function levelOpenFailure(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code === 'LEVEL_LOCKED' ? 'it is in use by another process' : (cause?.message ?? (e as Error).message);
}

function rangeOf(range: KvRange): { gte?: Buffer; lt?: Buffer; limit?: number } {
  return {
    ...(range.gte === undefined ? {} : { gte: range.gte }),
    ...(range.lt === undefined ? {} : { lt: range.lt }),
    ...(range.limit === undefined ? {} : { limit: range.limit }),
  };
}

export class LevelKv implements KvStore {
  readonly #level: Level<Buffer, unknown>;

  private constructor(level: Level<Buffer, unknown>) {
    this.#level = level;
  }

  /** Open (creating if needed) a LevelDB in `dir`; rejects with LevelDB's error (see levelOpenFailure). */
  static async open(dir: string, opts: LevelKvOptions = {}): Promise<LevelKv> {
    const level = new Level<Buffer, unknown>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'json',
      ...(opts.writeBufferSize === undefined ? {} : { writeBufferSize: opts.writeBufferSize }),
      ...(opts.maxOpenFiles === undefined ? {} : { maxOpenFiles: opts.maxOpenFiles }),
      ...(opts.maxFileSize === undefined ? {} : { maxFileSize: opts.maxFileSize }),
    });
    await level.open();
    return new LevelKv(level);
  }

  get(key: Buffer): Promise<unknown> {
    return this.#level.get(key);
  }

  getMany(keys: readonly Buffer[]): Promise<unknown[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#level.getMany([...keys]);
  }
  getManySync(keys: readonly Buffer[]): unknown[] {
    return keys.map((k) => this.#level.getSync(k));
  }

  async *entries(range: KvRange): AsyncGenerator<[Buffer, unknown]> {
    const it = this.#level.iterator(rangeOf(range));
    try {
      for await (const e of it) yield e;
    } finally {
      await it.close();
    }
  }

  async *rawEntries(range: KvRange): AsyncGenerator<[Buffer, string]> {
    const it = this.#level.iterator<Buffer, string>({ ...rangeOf(range), valueEncoding: 'utf8' });
    try {
      for await (const e of it) yield e;
    } finally {
      await it.close();
    }
  }

  async write(ops: Iterable<KvOp>, opts: { sync?: boolean } = {}): Promise<void> {
    // A chained batch: the array form re-spreads and re-validates every operation (abstract-level),
    // which costs about as much again as LevelDB's own write for small values.
    const chained = this.#level.batch();
    for (const op of ops) {
      if (op.type === 'put') chained.put(op.key, op.value);
      else chained.del(op.key);
    }
    await chained.write({ sync: opts.sync === true });
  }

  snapshot(): KvStore {
    return new LevelSnapshotKv(this.#level, this.#level.snapshot());
  }

  close(): Promise<void> {
    return this.#level.close();
  }
}

type LevelSnapshot = ReturnType<Level<Buffer, unknown>['snapshot']>;

/** A LevelDB snapshot: every read sees the database as it was when the snapshot was taken. */
class LevelSnapshotKv implements KvStore {
  readonly #level: Level<Buffer, unknown>;
  readonly #snapshot: LevelSnapshot;

  constructor(level: Level<Buffer, unknown>, snapshot: LevelSnapshot) {
    this.#level = level;
    this.#snapshot = snapshot;
  }

  get(key: Buffer): Promise<unknown> {
    return this.#level.get(key, { snapshot: this.#snapshot });
  }

  getMany(keys: readonly Buffer[]): Promise<unknown[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#level.getMany([...keys], { snapshot: this.#snapshot });
  }

  async *entries(range: KvRange): AsyncGenerator<[Buffer, unknown]> {
    const it = this.#level.iterator({ ...rangeOf(range), snapshot: this.#snapshot });
    try {
      for await (const e of it) yield e;
    } finally {
      await it.close();
    }
  }

  async *rawEntries(range: KvRange): AsyncGenerator<[Buffer, string]> {
    const it = this.#level.iterator<Buffer, string>({
      ...rangeOf(range),
      valueEncoding: 'utf8',
      snapshot: this.#snapshot,
    });
    try {
      for await (const e of it) yield e;
    } finally {
      await it.close();
    }
  }

  async write(): Promise<void> {
    throw new Error('a database snapshot is read-only');
  }

  snapshot(): KvStore {
    return new LevelSnapshotKv(this.#level, this.#level.snapshot());
  }

  close(): Promise<void> {
    return this.#snapshot.close();
  }
}
