/** Vote counters per (election, candidate). Election ids never contain NUL, so it separates. */
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { Repository } from '../repository.js';

export interface TallyId {
  electionId: string;
  candidate: string;
}

export class TallyRepository extends Repository<TallyId, number> {
  constructor(kv: KvStore) {
    super(kv, Bucket.tally);
  }
  protected encodeId(id: TallyId): Buffer {
    return Buffer.from(`${id.electionId}\u0000${id.candidate}`, 'utf8');
  }
  protected decodeId(suffix: Buffer): TallyId {
    const s = suffix.toString('utf8');
    const i = s.indexOf('\u0000');
    return { electionId: s.slice(0, i), candidate: s.slice(i + 1) };
  }
  /** The stored counts of one election (a Map: any candidate name is an ordinary key). */
  async election(electionId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // Keys "<id>\0<candidate>" sort before "<id>\u0001": the range holds exactly this election.
    for await (const [id, n] of this.entries({
      gte: { electionId, candidate: '' },
      lt: { electionId: `${electionId}\u0001`, candidate: '' },
    }))
      out.set(id.candidate, n);
    return out;
  }
}
