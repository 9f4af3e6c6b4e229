/** Submit one vote, failing over to other validators when it is safe to; optionally wait until it is final. */
import { randomUUID } from 'node:crypto';
import type { Hex } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { NoHealthyValidatorError, NotReplicatedError } from '../errors.js';
import { voteTransaction, type VoteInput } from '../utils/voteTransaction.js';
import { sendVote } from './sendVote.js';
import {
  waitForConfirmation,
  type WaitForConfirmationParameters,
  type WaitForConfirmationReturnType,
} from './waitForConfirmation.js';

export interface SubmitVoteParameters extends VoteInput {
  signal?: AbortSignal;
  /**
   * Also wait until the vote is 'finalized' (or 'included') before resolving, re-sending the
   * identical vote elsewhere if the validator that took it dies (see waitForConfirmation).
   * Without it, submitVote resolves at the acknowledgement.
   */
  until?: 'finalized' | 'included';
  /** Options of the wait when `until` is set. */
  confirmation?: Pick<WaitForConfirmationParameters, 'timeoutMs' | 'pollIntervalMs' | 'resendAfterMs' | 'maxResends'>;
}

export interface SubmitVoteReturnType {
  /** Content hash of the vote (computed locally, confirmed by the validator). */
  hash: Hex;
  /** The JSON-RPC request id the vote was sent under. */
  submissionId: string;
  /** The validator that acknowledged it. */
  validator: string;
  /** With `until`: the status that ended the wait (finalized or included). */
  status?: WaitForConfirmationReturnType;
}

/**
 * Submit a vote. The validator answers with the hash only once a quorum of validators holds the
 * vote on disk. On a network error, timeout, HTTP 5xx/429, POOL_FULL, RECOVERING (-32002) or
 * TX_NOT_REPLICATED (-32012) the same vote (same hash, same submission id) goes to the next
 * validator after an exponential backoff; this is safe because the hash is derived from the
 * content. A double vote or invalid vote throws DoubleVoteError / InvalidVoteError at once;
 * exhausting the attempts throws NoHealthyValidatorError. With `until`, it then waits for the
 * vote to be final, re-sending it when needed; a submission whose every attempt ended in -32012
 * is not abandoned then, since some validator took the vote: the wait carries on from there.
 * @example
 * const { hash, validator } = await submitVote(client, { voterId: 'voter-42', electionId: 7, encryptedVote: '0xab12...' });
 * const { status } = await submitVote(client, { ...vote, until: 'finalized' });
 */
export async function submitVote(client: ClientContext, params: SubmitVoteParameters): Promise<SubmitVoteReturnType> {
  const { tx, hash } = voteTransaction(params, client.genesis?.limits.maxTxBytes);
  const submissionId = params.transactionId ?? randomUUID();
  let validator: string;
  try {
    validator = await sendVote(client, tx, hash, submissionId, params.signal ? { signal: params.signal } : {});
  } catch (err) {
    const tookIt =
      params.until !== undefined && err instanceof NoHealthyValidatorError
        ? err.attempts.find((a) => a.error instanceof NotReplicatedError)
        : undefined;
    if (!tookIt) throw err;
    validator = tookIt.validator;
  }
  if (params.until === undefined) return { hash, submissionId, validator };
  const status = await waitForConfirmation(client, hash, {
    ...params.confirmation,
    until: params.until,
    validator,
    vote: {
      voterId: params.voterId,
      electionId: params.electionId,
      encryptedVote: params.encryptedVote,
      transactionId: submissionId,
    },
    ...(params.signal ? { signal: params.signal } : {}),
  });
  return { hash, submissionId, validator: status.acknowledgedBy ?? validator, status };
}
