/** Read a validator's summary of its chain, from one validator or compared across a quorum. */
import { at, canonicalize } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { formatBlockchain, type BlockchainInfo } from '../formatters/blockchain.js';
import { withFailover } from '../pool/failover.js';
import type { ValidatorHandle } from '../pool/validatorPool.js';
import { quorumRead, checkQuorum, type QuorumInfo } from './quorum.js';
import { checkElectionId, failoverOptions, type ReadOptions } from './readOptions.js';

export interface GetBlockchainParameters extends ReadOptions {
  /** Count votes of this election in `voteCount`. */
  electionId?: string | number;
  /** Read from this many validators and require agreement on the finalized data. */
  quorum?: number;
}

export type GetBlockchainReturnType = BlockchainInfo & {
  validator: string;
  quorum?: QuorumInfo;
};

async function readBlockchain(
  v: ValidatorHandle,
  electionId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<BlockchainInfo> {
  const path = electionId === undefined ? '/blockchain' : `/blockchain?election_id=${encodeURIComponent(electionId)}`;
  const { body } = await v.transport.get(path, signal ? { signal } : {});
  return formatBlockchain(body, `${v.rpcUrl}${path}`);
}

function authorityKey(b: BlockchainInfo): string {
  return canonicalize(b.authorities.map((a) => a.id));
}

/**
 * Chain summary (heights, authorities, vote count, the validator's own verification claim,
 * which verifyBlockchainIntegrity never trusts). With `quorum: k`, the finalized data of k
 * validators is compared: chain id, authorities, finalized block and vote count.
 * Only finalized data is compared: the head above it legitimately differs between validators.
 * @example
 * const chain = await getBlockchain(client, { electionId: 7, quorum: 3 });
 * console.log(chain.finalizedHeight, chain.voteCount);
 */
export async function getBlockchain(
  client: ClientContext,
  options: GetBlockchainParameters = {},
): Promise<GetBlockchainReturnType> {
  const id = options.electionId === undefined ? undefined : checkElectionId(options.electionId);
  if (options.quorum === undefined) {
    const { value, validator } = await withFailover(
      client.pool,
      'GET /blockchain',
      (v, signal) => readBlockchain(v, id, signal),
      { retry: client.retry, ...failoverOptions(options) },
    );
    return { ...value, validator: validator.nodeId };
  }
  const k = checkQuorum(client, options.quorum);
  const { answers, quorum } = await quorumRead(client, {
    k,
    operation: 'GET /blockchain',
    read: (v, signal) => readBlockchain(v, id, signal),
    heightOf: (b) => b.finalizedHeight,
    keyOf: (b) =>
      canonicalize({
        chainId: b.chainId,
        authorities: authorityKey(b),
        finalizedHeight: b.finalizedHeight,
        voteCount: b.voteCount,
      }),
    inconsistency: (lower, higher) => {
      if (lower.chainId !== higher.chainId) return `chain ${lower.chainId} vs chain ${higher.chainId}`;
      if (authorityKey(lower) !== authorityKey(higher)) return 'different authorities';
      if (higher.voteCount < lower.voteCount) return `vote count fell from ${lower.voteCount} to ${higher.voteCount}`;
      return undefined;
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const best = at(answers, 0, 'quorum answer');
  return { ...best.value, validator: best.validator.nodeId, quorum };
}
