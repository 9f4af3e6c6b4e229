/** The public parameters of an encrypted election, recomputed from the chain (no validator is trusted for them). */
import type { ElectionParams } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { VerificationError } from '../errors.js';
import { verifyElection } from './verifyElection.js';

export interface GetElectionParamsParameters {
  genesis?: unknown;
  validator?: string;
  signal?: AbortSignal;
}

/**
 * Replay the configuration and the key ceremony of an encrypted election from the verified chain
 * and return its parameters (public key, verification keys, candidates, limits): what encryptBallot
 * needs. Throws VerificationError when the chain does not verify or the key ceremony has not finished.
 * @example
 * const params = await client.getElectionParams(7);
 */
export async function getElectionParams(
  client: ClientContext,
  electionId: string | number,
  options: GetElectionParamsParameters = {},
): Promise<ElectionParams> {
  const r = await verifyElection(client, electionId, { ...options, verifyBallots: false, compareResults: false });
  if (r.errors.length > 0) throw new VerificationError(r.errors, r.height);
  if (r.params === undefined)
    throw new VerificationError(
      [`election ${r.electionId} has no public key yet (phase ${r.phase ?? 'unconfigured'})`],
      r.height,
    );
  return r.params;
}
