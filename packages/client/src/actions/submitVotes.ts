/** Submit many votes in JSON-RPC batches, failing over only the votes that need it. */
import { randomUUID } from 'node:crypto';
import { at, must, type Hex, type Transaction } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import {
  BaseError,
  type FailedAttempt,
  InvalidArgumentError,
  InvalidResponseError,
  InvalidVoteError,
  NoHealthyValidatorError,
} from '../errors.js';
import { isRetryable, withFailover } from '../pool/failover.js';
import type { JsonRpcOutcome } from '../transport/http.js';
import { voteTransaction, type VoteInput } from '../utils/voteTransaction.js';
import { isOwnVote, toSubmitError } from './submitError.js';
import type { SubmitVoteReturnType } from './submitVote.js';

export interface SubmitVotesParameters {
  signal?: AbortSignal;
  /** Votes per JSON-RPC batch request (default 500). */
  batchSize?: number;
}

/** The outcome of one vote of a batch. */
export type SubmitVoteResult =
  | ({ ok: true } & SubmitVoteReturnType)
  | { ok: false; hash: Hex | undefined; submissionId: string | undefined; error: BaseError };

/** One result per vote, in input order. */
export type SubmitVotesReturnType = SubmitVoteResult[];

interface Item {
  index: number;
  tx: Transaction;
  hash: Hex;
  submissionId: string;
}

/** Some votes of a batch need another validator; internal to the failover loop. */
class BatchIncompleteError extends BaseError {
  override name = 'BatchIncompleteError';
}

function asBaseError(err: unknown): BaseError {
  return err instanceof BaseError
    ? err
    : new BaseError(err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * Submit votes in JSON-RPC batches. Each vote gets its own result: accepted, or a typed error
 * (DoubleVoteError, InvalidVoteError, NoHealthyValidatorError...). Votes that failed in a way
 * another validator might not (POOL_FULL, or the whole request failing) are sent again, as a
 * smaller batch, to the next validator with exponential backoff; the others are not resent.
 * @example
 * const results = await submitVotes(client, [
 *   { voterId: 'voter-1', electionId: 7, encryptedVote: '0x01' },
 *   { voterId: 'voter-2', electionId: 7, encryptedVote: '0x02' },
 * ]);
 * const failed = results.filter((r) => !r.ok);
 */
export async function submitVotes(
  client: ClientContext,
  votes: readonly VoteInput[],
  params: SubmitVotesParameters = {},
): Promise<SubmitVotesReturnType> {
  if (!Array.isArray(votes))
    throw new InvalidArgumentError('votes', 'must be an array of {voterId, electionId, encryptedVote}');
  const batchSize = params.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new InvalidArgumentError('batchSize', `must be a positive integer, got ${JSON.stringify(params.batchSize)}`);
  const results: (SubmitVoteResult | undefined)[] = new Array(votes.length);
  const items: Item[] = [];
  const ids = new Set<string>();
  votes.forEach((vote, index) => {
    const submissionId = vote?.transactionId ?? randomUUID();
    try {
      const { tx, hash } = voteTransaction(vote, client.genesis?.limits.maxTxBytes);
      if (ids.has(submissionId)) {
        results[index] = {
          ok: false,
          hash,
          submissionId,
          error: new InvalidVoteError(`transactionId ${submissionId} appears twice in this batch`),
        };
        return;
      }
      ids.add(submissionId);
      items.push({ index, tx, hash, submissionId });
    } catch (err) {
      results[index] = { ok: false, hash: undefined, submissionId, error: asBaseError(err) };
    }
  });
  for (let i = 0; i < items.length; i += batchSize)
    await submitChunk(client, items.slice(i, i + batchSize), results, params.signal);
  return results as SubmitVoteResult[];
}

async function submitChunk(
  client: ClientContext,
  chunk: Item[],
  results: (SubmitVoteResult | undefined)[],
  signal: AbortSignal | undefined,
): Promise<void> {
  let remaining = chunk;
  const failures = new Map<number, FailedAttempt[]>(chunk.map((it) => [it.index, []]));
  const fail = (it: Item, validator: string, error: unknown): void => {
    must(failures.get(it.index), `failures of vote ${it.index}`).push({ validator, error: asBaseError(error) });
  };
  try {
    await withFailover(
      client.pool,
      `a batch of ${chunk.length} votes`,
      async (v, sig) => {
        const calls = remaining.map((it) => ({ method: 'eth_sendTransaction', params: [it.tx], id: it.submissionId }));
        let outcomes: JsonRpcOutcome[];
        try {
          outcomes = await v.transport.batch(calls, sig ? { signal: sig } : {});
        } catch (err) {
          for (const it of remaining) fail(it, v.nodeId, err);
          throw err;
        }
        const again: Item[] = [];
        outcomes.forEach((o, k) => {
          const it = at(remaining, k, 'submitted vote');
          const accepted = { ok: true as const, hash: it.hash, submissionId: it.submissionId, validator: v.nodeId };
          if (o.ok) {
            if (typeof o.result === 'string' && o.result.toLowerCase() === it.hash) results[it.index] = accepted;
            else {
              fail(
                it,
                v.nodeId,
                new InvalidResponseError(
                  `eth_sendTransaction returned ${JSON.stringify(o.result)}, the vote's hash is ${it.hash}`,
                  { url: v.rpcUrl },
                ),
              );
              again.push(it);
            }
            return;
          }
          const typed = toSubmitError(o.error, it.hash, v.nodeId);
          if (isOwnVote(typed, it.hash)) results[it.index] = accepted;
          else if (isRetryable(typed)) {
            fail(it, v.nodeId, typed);
            again.push(it);
          } else
            results[it.index] = { ok: false, hash: it.hash, submissionId: it.submissionId, error: asBaseError(typed) };
        });
        remaining = again;
        if (again.length > 0)
          throw new BatchIncompleteError(`${again.length} of ${outcomes.length} votes need another validator`);
      },
      {
        retry: client.retry,
        ...(signal ? { signal } : {}),
        retryable: (e) => e instanceof BatchIncompleteError || isRetryable(e),
      },
    );
  } catch (err) {
    for (const it of remaining) {
      const error =
        err instanceof NoHealthyValidatorError
          ? new NoHealthyValidatorError(must(failures.get(it.index), `failures of vote ${it.index}`), {
              operation: `vote ${it.hash}`,
            })
          : asBaseError(err);
      results[it.index] = { ok: false, hash: it.hash, submissionId: it.submissionId, error };
    }
  }
}
