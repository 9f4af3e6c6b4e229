/**
 * Transaction hash of a submission id (the JSON-RPC request id a vote came under). The first
 * binding wins: ChainDb writes a binding only for an id that has none (it reads the batch's ids
 * first, inside its serialized write queue), so a later vote can never take over an id. Ids with
 * lone surrogates cannot be stored faithfully in UTF-8 and never resolve.
 */
import type { Hex } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { StringRepository } from './keyedRepositories.js';

const LONE_SURROGATE = /\p{Cs}/u;

/** Whether an id can be bound: non-empty, and representable in UTF-8. */
export function isStorableSubmissionId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && !LONE_SURROGATE.test(id);
}

export class SubmissionRepository extends StringRepository<Hex> {
  /** Lookups asked within one turn of the event loop, answered by one getMany. */
  #queued: { id: string; resolve: (h: Hex | undefined) => void; reject: (e: unknown) => void }[] = [];

  constructor(kv: KvStore) {
    super(kv, Bucket.submission);
  }

  /**
   * One id's binding. Every vote submitted under an id is checked against it, one request at a
   * time: lookups of one event-loop turn go to LevelDB as one getMany (a get each cost about as
   * much CPU as the rest of a vote's admission).
   */
  override get(id: string): Promise<Hex | undefined> {
    if (!isStorableSubmissionId(id)) return Promise.resolve(undefined);
    // A store that answers on this thread (LevelDB's getSync: a missing id is answered from the
    // bloom filters) needs no batching: that costs less than one thread-pool round trip.
    try {
      const now = this.getManySync([id]);
      if (now !== undefined) return Promise.resolve(now[0]);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) setImmediate(() => this.#drain());
      this.#queued.push({ id, resolve, reject });
    });
  }

  #drain(): void {
    const queued = this.#queued;
    this.#queued = [];
    super.getMany(queued.map((q) => q.id)).then(
      (found) => {
        for (const [i, q] of queued.entries()) q.resolve(found[i]);
      },
      (e: unknown) => {
        for (const q of queued) q.reject(e);
      },
    );
  }

  override async getMany(ids: readonly string[]): Promise<(Hex | undefined)[]> {
    const storable = ids.map((id) => isStorableSubmissionId(id));
    const wanted = ids.filter((_, i) => storable[i]);
    const found = wanted.length === 0 ? [] : (this.getManySync(wanted) ?? (await super.getMany(wanted)));
    let k = 0;
    return storable.map((ok) => (ok ? found[k++] : undefined));
  }
}
