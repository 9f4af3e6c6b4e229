/** Submit one vote, failing over to other validators when it is safe to. */
import { randomUUID } from 'node:crypto';
import type { Hex } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { InvalidResponseError } from '../errors.js';
import { withFailover } from '../pool/failover.js';
import { voteTransaction, type VoteInput } from '../utils/voteTransaction.js';
import { isOwnVote, toSubmitError } from './submitError.js';

export interface SubmitVoteParameters extends VoteInput {
  signal?: AbortSignal;
}

export interface SubmitVoteReturnType {
  /** Content hash of the vote (computed locally, confirmed by the validator). */
  hash: Hex;
  /** The JSON-RPC request id the vote was sent under. */
  submissionId: string;
  /** The validator that accepted it. */
  validator: string;
}

/**
 * Submit a vote. On a network error, timeout, HTTP 5xx/429 or POOL_FULL the same vote (same
 * hash, same submission id) goes to the next validator after an exponential backoff; this is
 * safe because the hash is derived from the content. A double vote or invalid vote throws
 * DoubleVoteError / InvalidVoteError at once; exhausting the attempts throws NoHealthyValidatorError.
 * @example
 * const { hash, validator } = await submitVote(client, { voterId: 'voter-42', electionId: 7, encryptedVote: '0xab12...' });
 */
export async function submitVote(client: ClientContext, params: SubmitVoteParameters): Promise<SubmitVoteReturnType> {
  const { tx, hash } = voteTransaction(params, client.genesis?.limits.maxTxBytes);
  const submissionId = params.transactionId ?? randomUUID();
  const { validator } = await withFailover(
    client.pool,
    'eth_sendTransaction',
    async (v, signal) => {
      let answer: unknown;
      try {
        answer = await v.transport.request('eth_sendTransaction', [tx], { id: submissionId, ...(signal ? { signal } : {}) });
      } catch (err) {
        const typed = toSubmitError(err, hash, v.nodeId);
        if (isOwnVote(typed, hash)) return hash;
        throw typed;
      }
      if (typeof answer !== 'string' || answer.toLowerCase() !== hash) {
        throw new InvalidResponseError(`eth_sendTransaction returned ${JSON.stringify(answer)}, the vote's hash is ${hash}`, { url: v.rpcUrl });
      }
      return hash;
    },
    { retry: client.retry, ...(params.signal ? { signal: params.signal } : {}) },
  );
  return { hash, submissionId, validator: validator.nodeId };
}
