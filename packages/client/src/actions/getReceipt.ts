/** Read a vote's receipt. */
import type { ClientContext } from '../context.js';
import { formatReceipt, type Receipt } from '../formatters/receipt.js';
import { withFailover } from '../pool/failover.js';
import { checkRef, failoverOptions, type ReadOptions } from './readOptions.js';

export type GetReceiptParameters = ReadOptions;

/** The receipt once the vote is in a finalized block; null while it is not (or the validator does not know it). */
export type GetReceiptReturnType = Receipt | null;

/**
 * Receipt of a vote by hash or submission id. A submission id is known to the validator that
 * received it: pass `validator` from submitVote's answer.
 * @example
 * const receipt = await getReceipt(client, hash);
 * if (receipt) console.log('in block', receipt.blockNumber);
 */
export async function getReceipt(
  client: ClientContext,
  hashOrSubmissionId: string,
  options: GetReceiptParameters = {},
): Promise<GetReceiptReturnType> {
  const ref = checkRef(hashOrSubmissionId);
  const { value } = await withFailover(
    client.pool,
    'eth_getTransactionReceipt',
    async (v, signal) => {
      const raw = await v.transport.request('eth_getTransactionReceipt', [ref], signal ? { signal } : {});
      return raw === null || raw === undefined ? null : formatReceipt(raw, `${v.rpcUrl}/rpc`);
    },
    { retry: client.retry, ...failoverOptions(options) },
  );
  return value;
}
