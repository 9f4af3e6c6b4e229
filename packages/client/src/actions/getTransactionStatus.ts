/** Read where a vote stands: accepted, replicated, included, finalized, rejected or unknown. */
import type { ClientContext } from '../context.js';
import { formatTxStatus, type TxStatus } from '../formatters/txStatus.js';
import { withFailover } from '../pool/failover.js';
import { checkRef, failoverOptions, type ReadOptions } from './readOptions.js';

export type GetTransactionStatusParameters = ReadOptions;

export type GetTransactionStatusReturnType = TxStatus & {
  /** The validator that answered. */
  validator: string;
};

/**
 * Status of a vote by hash or submission id (poa_getTransactionStatus).
 * @example
 * const { state } = await getTransactionStatus(client, hash);
 */
export async function getTransactionStatus(
  client: ClientContext,
  hashOrSubmissionId: string,
  options: GetTransactionStatusParameters = {},
): Promise<GetTransactionStatusReturnType> {
  const ref = checkRef(hashOrSubmissionId);
  const { value, validator } = await withFailover(
    client.pool,
    'poa_getTransactionStatus',
    async (v, signal) =>
      formatTxStatus(
        await v.transport.request('poa_getTransactionStatus', [ref], signal ? { signal } : {}),
        `${v.rpcUrl}/rpc`,
      ),
    { retry: client.retry, ...failoverOptions(options) },
  );
  return { ...value, validator: validator.nodeId };
}
