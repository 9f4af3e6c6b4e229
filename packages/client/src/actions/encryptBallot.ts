/**
 * Encrypt a ballot for an encrypted election: one ElGamal ciphertext per candidate with its
 * 0-or-1 proof and the proof that the selections are within the election's limits, bound to the
 * voter id (a ballot copied to another voter fails). Returns the transaction's `data`.
 */
import {
  type ElectionParams,
  type Rng,
  ballotToData,
  defaultRng,
  encryptBallot as encryptWithParams,
} from '@poa-vote/shared';
import { InvalidArgumentError } from '../errors.js';

/** Candidate names or indexes (one for a one-choice election, or a list). */
export type BallotChoice = string | number | readonly (string | number)[];

export interface EncryptBallotParameters {
  /** The voter id the ballot is for: the transaction's `from`. */
  voterId: string;
  /** Randomness (tests only; default: the platform CSPRNG). */
  rng?: Rng;
}

/**
 * The encrypted ballot (a transaction `data`) of `voterId` for `choice` in the election with
 * `params` (from getElectionParams, which recomputes them from the chain).
 * @example
 * const params = await client.getElectionParams(7);
 * const data = encryptBallot(params, 'bob', { voterId: 'voter-42' });
 * await client.submitVote({ voterId: 'voter-42', electionId: 7, encryptedVote: data });
 */
export function encryptBallot(params: ElectionParams, choice: BallotChoice, options: EncryptBallotParameters): string {
  const candidates = params.setup.candidates;
  const list = Array.isArray(choice) ? choice : [choice];
  const indexes = list.map((c, k) => {
    const i = typeof c === 'number' ? c : candidates.indexOf(c);
    if (!Number.isInteger(i) || i < 0 || i >= candidates.length)
      throw new InvalidArgumentError(
        `choice${Array.isArray(choice) ? `[${k}]` : ''}`,
        `names no candidate of ${JSON.stringify(candidates)}`,
      );
    return i;
  });
  // One name or index: that candidate; a list: the 0/1 vector of the selected candidates.
  const selection = Array.isArray(choice)
    ? candidates.map((_, i) => (indexes.includes(i) ? 1 : 0))
    : (indexes[0] ?? -1);
  try {
    return ballotToData(encryptWithParams(params, options.voterId, selection, options.rng ?? defaultRng));
  } catch (err) {
    if (err instanceof RangeError) throw new InvalidArgumentError('choice', err.message);
    throw err;
  }
}
