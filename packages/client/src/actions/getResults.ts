/** Read an election's results, from one validator or compared across a quorum. */
import { at, canonicalize } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { formatResults, type ElectionResults } from '../formatters/results.js';
import { withFailover } from '../pool/failover.js';
import type { ValidatorHandle } from '../pool/validatorPool.js';
import { quorumRead, checkQuorum, type QuorumInfo } from './quorum.js';
import { checkElectionId, failoverOptions, type ReadOptions } from './readOptions.js';

export interface GetResultsParameters extends ReadOptions {
  /** Read from this many validators and require agreement (see quorum.ts for the comparison rules). */
  quorum?: number;
}

export type GetResultsReturnType = ElectionResults & {
  /** The validator whose answer this is (the highest height in a quorum read). */
  validator: string;
  /** Present for quorum reads. */
  quorum?: QuorumInfo;
};

async function readResults(
  v: ValidatorHandle,
  electionId: string,
  signal: AbortSignal | undefined,
): Promise<ElectionResults> {
  const path = `/results?election_id=${encodeURIComponent(electionId)}`;
  const { body } = await v.transport.get(path, signal ? { signal } : {});
  return formatResults(body, `${v.rpcUrl}${path}`);
}

/** Why results at a higher height cannot follow results at a lower one: a count went down. */
export function resultsInconsistency(lower: ElectionResults, higher: ElectionResults): string | undefined {
  if (higher.total < lower.total) return `total fell from ${lower.total} to ${higher.total}`;
  for (const [candidate, n] of Object.entries(lower.counts)) {
    if ((higher.counts[candidate] ?? 0) < n)
      return `votes for ${candidate} fell from ${n} to ${higher.counts[candidate] ?? 0}`;
  }
  return undefined;
}

/**
 * Results of an election as counted by validators over their finalized chain. With `quorum: k`
 * the answer is accepted only when k validators agree; otherwise QuorumDisagreementError.
 * @example
 * const r = await getResults(client, 7, { quorum: 2 });
 * console.log(r.counts, r.total, 'at height', r.height);
 */
export async function getResults(
  client: ClientContext,
  electionId: string | number,
  options: GetResultsParameters = {},
): Promise<GetResultsReturnType> {
  const id = checkElectionId(electionId);
  if (options.quorum === undefined) {
    const { value, validator } = await withFailover(
      client.pool,
      'GET /results',
      (v, signal) => readResults(v, id, signal),
      { retry: client.retry, ...failoverOptions(options) },
    );
    return { ...value, validator: validator.nodeId };
  }
  const k = checkQuorum(client, options.quorum);
  const { answers, quorum } = await quorumRead(client, {
    k,
    operation: 'GET /results',
    read: (v, signal) => readResults(v, id, signal),
    heightOf: (r) => r.height,
    keyOf: (r) => canonicalize({ counts: r.counts, total: r.total }),
    inconsistency: resultsInconsistency,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const best = at(answers, 0, 'quorum answer');
  return { ...best.value, validator: best.validator.nodeId, quorum };
}
