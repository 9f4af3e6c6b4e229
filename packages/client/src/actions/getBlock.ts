/** Read one finalized block with its certificate, as a validator serves it (unverified). */
import type { Block, QuorumCertificate } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import { InvalidResponseError } from '../errors.js';
import { withFailover } from '../pool/failover.js';
import type { ValidatorHandle } from '../pool/validatorPool.js';
import type { HttpRequestOptions } from '../transport/http.js';
import { checkHeight, failoverOptions, type ReadOptions } from './readOptions.js';

export type GetBlockParameters = ReadOptions;

/** The block and its precommit certificate as served: not verified (verify/ does that), null when missing. */
export type GetBlockReturnType = { block: Block; certificate: QuorumCertificate; validator: string } | null;

/** GET /blocks/:n from one validator: the raw answer, or null on 404. */
export async function fetchBlock(
  v: ValidatorHandle,
  height: number,
  options: HttpRequestOptions = {},
): Promise<{ block: unknown; certificate: unknown } | null> {
  const { status, body } = await v.transport.get<{ block?: unknown; certificate?: unknown }>(`/blocks/${height}`, {
    ...options,
    acceptStatus: [404],
  });
  if (status === 404) return null;
  if (typeof body !== 'object' || body === null || body.block === undefined || body.certificate === undefined) {
    throw new InvalidResponseError(`/blocks/${height} must be {block, certificate}`, {
      url: `${v.rpcUrl}/blocks/${height}`,
    });
  }
  return { block: body.block, certificate: body.certificate };
}

/**
 * Finalized block at a height with its certificate (unverified; use verifyBlockchainIntegrity to check).
 * @example
 * const b = await getBlock(client, 12);
 * console.log(b?.block.hash, b?.certificate.signatures.length);
 */
export async function getBlock(
  client: ClientContext,
  height: number,
  options: GetBlockParameters = {},
): Promise<GetBlockReturnType> {
  checkHeight(height, 'height');
  const { value, validator } = await withFailover(
    client.pool,
    `GET /blocks/${height}`,
    (v, signal) => fetchBlock(v, height, signal ? { signal } : {}),
    {
      retry: client.retry,
      ...failoverOptions(options),
    },
  );
  return (
    value && {
      block: value.block as Block,
      certificate: value.certificate as QuorumCertificate,
      validator: validator.nodeId,
    }
  );
}
