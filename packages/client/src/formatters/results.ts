/** GET /results answers. */
import { MAX_CANDIDATES_PER_ELECTION } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';
import { asObject, countsField, natField, pick } from './fields.js';

export interface ElectionResults {
  electionId: string;
  /**
   * Votes by candidate over the finalized chain; unreadable ballots count under "sealed", new
   * names beyond MAX_CANDIDATES_PER_ELECTION under "other". A record without prototype: read it
   * with `counts[name] ?? 0` or Object.entries, any name (even `__proto__`) is an own property.
   */
  counts: Record<string, number>;
  total: number;
  /** Finalized height the counts reflect. */
  height: number;
}

/** Normalize /results (`results` is the tally; `counts` is accepted as its other name). */
export function formatResults(raw: unknown, url?: string): ElectionResults {
  const o = asObject(raw, 'results', url);
  const id = pick(o, 'election_id', 'electionId');
  if (typeof id !== 'string' && typeof id !== 'number') throw new InvalidResponseError('results.election_id is missing', { url });
  const r = pick(o, 'results');
  const counts = countsField(typeof r === 'object' && r !== null ? r : pick(o, 'counts'), 'results.results', url);
  // The counting rule bounds the buckets: a longer list cannot be an honest tally.
  const buckets = Object.keys(counts).length;
  if (buckets > MAX_CANDIDATES_PER_ELECTION + 2) {
    throw new InvalidResponseError(`results.results lists ${buckets} candidates, more than the ${MAX_CANDIDATES_PER_ELECTION} names plus "sealed" and "other" a tally can hold`, { url });
  }
  return { electionId: String(id), counts, total: natField(o, 'results', url, 'total'), height: natField(o, 'results', url, 'height') };
}
