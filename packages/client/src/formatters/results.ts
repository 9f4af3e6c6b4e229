/** GET /results answers. */
import { MAX_CANDIDATES_PER_ELECTION, resultsBodySchema } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';
import { parseAnswer } from './parse.js';

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

/** Parse /results with the shared contract (`results` is the tally; counts come back prototype-free). */
export function formatResults(raw: unknown, url?: string): ElectionResults {
  const b = parseAnswer(resultsBodySchema, raw, 'results', url);
  // The counting rule bounds the buckets: a longer list cannot be an honest tally.
  const buckets = Object.keys(b.results).length;
  if (buckets > MAX_CANDIDATES_PER_ELECTION + 2) {
    throw new InvalidResponseError(
      `results.results lists ${buckets} candidates, more than the ${MAX_CANDIDATES_PER_ELECTION} names plus "sealed" and "other" a tally can hold`,
      { url },
    );
  }
  return { electionId: b.election_id, counts: b.results, total: b.total, height: b.height };
}
