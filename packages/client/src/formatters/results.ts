/** GET /results answers. */
import { InvalidResponseError } from '../errors.js';
import { asObject, countsField, natField, pick } from './fields.js';

export interface ElectionResults {
  electionId: string;
  /** Votes by candidate over the finalized chain; unreadable ballots count under "sealed". */
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
  return { electionId: String(id), counts, total: natField(o, 'results', url, 'total'), height: natField(o, 'results', url, 'height') };
}
