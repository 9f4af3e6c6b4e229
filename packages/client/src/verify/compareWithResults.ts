/** Check a validator's published results against a recount of the verified chain. */
import { getResults } from '../actions/getResults.js';
import { checkElectionId } from '../actions/readOptions.js';
import type { ClientContext } from '../context.js';
import type { ElectionResults } from '../formatters/results.js';
import { tallyElection, type TallyElectionReturnType } from './tallyElection.js';

export interface CompareWithResultsParameters {
  genesis?: unknown;
  /** Validator whose /results are checked (default: the pool's choice). */
  validator?: string;
  signal?: AbortSignal;
}

export interface ResultDifference {
  candidate: string;
  /** Count from the verified chain. */
  tally: number;
  /** Count the validator published. */
  reported: number;
}

export interface CompareWithResultsReturnType {
  /** Published results equal the recount at the same height. */
  match: boolean;
  electionId: string;
  height: number;
  /** The validator whose results were checked. */
  validator: string;
  tally: TallyElectionReturnType;
  reported: ElectionResults;
  /** Candidates whose counts differ. */
  differences: ResultDifference[];
  totals: { tally: number; reported: number };
}

/**
 * Fetch /results, recount the election from the verified chain at the same height, and report
 * every difference. Throws VerificationError when the chain itself does not verify.
 * @example
 * const cmp = await compareWithResults(client, 7);
 * if (!cmp.match) console.error(`${cmp.validator} publishes wrong results`, cmp.differences);
 */
export async function compareWithResults(
  client: ClientContext,
  electionId: string | number,
  options: CompareWithResultsParameters = {},
): Promise<CompareWithResultsReturnType> {
  const id = checkElectionId(electionId);
  const reported = await getResults(client, id, {
    ...(options.validator !== undefined ? { validator: options.validator } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const tally = await tallyElection(client, id, {
    toHeight: reported.height,
    // Its own blocks first: it must hold every block up to the height it published.
    validator: reported.validator,
    ...(options.genesis !== undefined ? { genesis: options.genesis } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Maps, not property reads: a candidate named "constructor" must not read Object.prototype's.
  const counted = new Map(Object.entries(tally.counts));
  const published = new Map(Object.entries(reported.counts));
  const candidates = [...new Set([...counted.keys(), ...published.keys()])].sort();
  const differences = candidates
    .map((candidate) => ({ candidate, tally: counted.get(candidate) ?? 0, reported: published.get(candidate) ?? 0 }))
    .filter((d) => d.tally !== d.reported);
  const { validator, quorum: _q, ...results } = reported;
  return {
    match: differences.length === 0 && tally.total === reported.total,
    electionId: id,
    height: reported.height,
    validator,
    tally,
    reported: results,
    differences,
    totals: { tally: tally.total, reported: reported.total },
  };
}
