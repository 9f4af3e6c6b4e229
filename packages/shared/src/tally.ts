/**
 * The counting rule of an election's tally, shared by validators (/results) and clients
 * (recounts) so that both count every ballot under the same bucket. Candidate names are chosen
 * by voters, so the set of buckets is bounded by a protocol constant rather than a node setting:
 * a per-node limit would make honest validators publish different results.
 */
import { SEALED, ballotCandidate } from './ballot.js';

/**
 * Version of the counting rules. 1: names of up to 128 UTF-16 code units, no candidate limit.
 * 2: names of up to 128 UTF-8 bytes (MAX_CANDIDATE_NAME_BYTES), at most
 * MAX_CANDIDATES_PER_ELECTION names, later new names counted under OTHER.
 */
export const TALLY_RULES_VERSION = 2;

/** The bucket of ballots naming a new candidate once an election has MAX_CANDIDATES_PER_ELECTION. */
export const OTHER = 'other';

/**
 * Most distinct candidate names an election's tally holds, besides the reserved buckets SEALED
 * and OTHER: at most 1,002 buckets, names of at most 128 bytes (about 150 KB of JSON).
 */
export const MAX_CANDIDATES_PER_ELECTION = 1000;

/** SEALED and OTHER: always counted, never take one of the MAX_CANDIDATES_PER_ELECTION places. */
export function isReservedBucket(name: string): boolean {
  return name === SEALED || name === OTHER;
}

/**
 * The bucket a vote for `candidate` counts under, ballots being applied in chain order (block
 * height, then position in the block): the candidate itself if it is reserved, already in the
 * tally (`known`), or the tally holds fewer than MAX_CANDIDATES_PER_ELECTION other names
 * (`named`); otherwise OTHER.
 */
export function tallyBucket(candidate: string, known: boolean, named: number): string {
  if (known || isReservedBucket(candidate) || named < MAX_CANDIDATES_PER_ELECTION) return candidate;
  return OTHER;
}

/** Candidate names in a tally, not counting the reserved buckets. */
export function namedCandidates(counts: ReadonlyMap<string, number>): number {
  return counts.size - (counts.has(SEALED) ? 1 : 0) - (counts.has(OTHER) ? 1 : 0);
}

/**
 * Count one ballot into an election's tally (chain order) and return its bucket.
 * @example
 * const counts = new Map<string, number>();
 * for (const tx of electionTxs) countBallot(counts, tx.data);
 */
export function countBallot(counts: Map<string, number>, data: string): string {
  return countCandidate(counts, ballotCandidate(data));
}

/** countBallot for a ballot whose candidate is known (ballotCandidate of its data, or txCandidate). */
export function countCandidate(counts: Map<string, number>, c: string): string {
  const bucket = tallyBucket(c, counts.has(c), namedCandidates(counts));
  counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  return bucket;
}

/** Tally buckets in the protocol's listing order: sorted by UTF-16 code units. */
export function sortedBuckets(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A tally as a JSON-ready record without a prototype, in listing order: a candidate named
 * `__proto__` or `constructor` is an own property like any other (JSON.stringify writes it,
 * JSON.parse reads it back as an own property).
 */
export function countsRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [k, n] of sortedBuckets(counts)) out[k] = n;
  return out;
}
