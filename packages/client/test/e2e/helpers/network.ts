/**
 * Glue between the validator test harness (real processes) and the client: the pool
 * configuration of a test network, ballots, and acknowledged votes in the form the harness's
 * chain audit takes.
 */
import type { Hex } from '@poa-vote/shared';
import { type AckedVote, type TestNetwork, ballot } from '@poa-vote/test-utils';
import { type ValidatorConfig, type VoteInput, voteTransaction } from '../../../src/index.js';

export { ballot };

/** The client's view of a network: validator-i at its own URL, or at `urlOf(i)` (a proxy). */
export function validatorsOf(
  net: TestNetwork,
  urlOf: (i: number) => string | undefined = () => undefined,
): ValidatorConfig[] {
  return net.clientConfig(urlOf);
}

/** Index of a validator id ("validator-2" -> 1). */
export function indexOf(nodeId: string): number {
  const m = /^validator-(\d+)$/.exec(nodeId);
  if (!m) throw new Error(`not a test validator id: ${nodeId}`);
  return Number(m[1]) - 1;
}

/** A vote acknowledged through the client, as the harness's auditNetwork counts it. */
export function ackedVote(vote: VoteInput, candidate: string, validator: string, at: number, attempts = 1): AckedVote {
  const { tx, hash } = voteTransaction(vote);
  return { hash: hash as Hex, tx, candidate, via: indexOf(validator), at, attempts };
}
