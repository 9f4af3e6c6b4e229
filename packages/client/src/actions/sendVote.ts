/** One vote sent with failover: what submitVote and waitForConfirmation's re-send share. */
import type { Hex, Transaction } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { InvalidResponseError } from '../errors.js';
import { withFailover } from '../pool/failover.js';
import { isOwnVote, toSubmitError } from './submitError.js';

export interface SendVoteOptions {
  signal?: AbortSignal;
  /** Try this validator first (when healthy). */
  prefer?: string;
}

/**
 * Send `tx` with eth_sendTransaction under `submissionId`, failing over on anything another
 * validator might answer differently (NotReplicatedError and RECOVERING included); resolves with
 * the validator that acknowledged it. Safe to repeat: a validator that already holds the vote
 * answers the same hash, and an own-vote "double vote" counts as an acknowledgement.
 */
export async function sendVote(
  client: ClientContext,
  tx: Transaction,
  hash: Hex,
  submissionId: string,
  options: SendVoteOptions = {},
): Promise<string> {
  const { validator } = await withFailover(
    client.pool,
    'eth_sendTransaction',
    async (v, signal) => {
      let answer: unknown;
      try {
        answer = await v.transport.request('eth_sendTransaction', [tx], {
          id: submissionId,
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        const typed = toSubmitError(err, hash, v.nodeId);
        if (isOwnVote(typed, hash)) return hash;
        throw typed;
      }
      if (typeof answer !== 'string' || answer.toLowerCase() !== hash) {
        throw new InvalidResponseError(
          `eth_sendTransaction returned ${JSON.stringify(answer)}, the vote's hash is ${hash}`,
          { url: v.rpcUrl },
        );
      }
      return hash;
    },
    {
      retry: client.retry,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.prefer !== undefined ? { prefer: options.prefer } : {}),
    },
  );
  return validator.nodeId;
}
