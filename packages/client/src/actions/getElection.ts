/** Read an election's finalized vote count (poa_getElection). */
import { type RpcResult, rpcContract } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { parseAnswer } from '../formatters/parse.js';
import { withFailover } from '../pool/failover.js';
import { checkElectionId, failoverOptions, type ReadOptions } from './readOptions.js';

export type GetElectionParameters = ReadOptions;

export type GetElectionReturnType = RpcResult<'poa_getElection'> & {
  /** The validator that answered. */
  validator: string;
};

/**
 * An election's id, its finalized vote count and the finalized height that count reflects.
 * @example
 * const { voteCount, finalizedHeight } = await getElection(client, 7);
 */
export async function getElection(
  client: ClientContext,
  electionId: string | number,
  options: GetElectionParameters = {},
): Promise<GetElectionReturnType> {
  const id = checkElectionId(electionId);
  const { value, validator } = await withFailover(
    client.pool,
    'poa_getElection',
    async (v, signal) =>
      parseAnswer(
        rpcContract.poa_getElection.result,
        await v.transport.request('poa_getElection', [id], signal ? { signal } : {}),
        'election',
        `${v.rpcUrl}/rpc`,
      ),
    { retry: client.retry, ...failoverOptions(options) },
  );
  return { ...value, validator: validator.nodeId };
}
