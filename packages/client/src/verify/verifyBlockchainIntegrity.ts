/** Verify the finalized chain from the trusted genesis, never trusting a validator's own verdict. */
import type { Hex } from '@poa-vote/shared';
import { checkHeight } from '../actions/readOptions.js';
import type { ClientContext } from '../context.js';
import { InvalidArgumentError } from '../errors.js';
import { trustedGenesis } from './genesis.js';
import { finalizedHeight, walkChain } from './walkChain.js';

export interface VerifyBlockchainIntegrityParameters {
  /** Genesis to verify against (defaults to the client's). A raw document is validated first. */
  genesis?: unknown;
  /** First block to check (default 1). Above 1, the block before it is trusted through its quorum certificate. */
  fromHeight?: number;
  /** Last block to check (default: a validator's finalized height). */
  toHeight?: number;
  /** Fetch blocks from this validator first. */
  validator?: string;
  signal?: AbortSignal;
  /** Blocks fetched in parallel (default 8). */
  concurrency?: number;
}

export interface VerifyBlockchainIntegrityReturnType {
  /** Every block in the range verified. */
  valid: boolean;
  checkedBlocks: number;
  /** Height of the last block that verified. */
  height: number;
  /** Hash of the block at `height` (the genesis hash at 0). */
  headHash: Hex;
  /** What failed, with the block height and the validator that served it. */
  errors: string[];
  /** Validators that served blocks. */
  validators: string[];
}

/**
 * Fetch every finalized block in the range from the validators and check each with
 * verifyFinalizedBlock against the configured genesis: block rules, proposer signature, leader
 * schedule, transaction root, hash link to the previous block, and a quorum precommit
 * certificate. The validators' `chain_valid` is never consulted. Stops at the first failure.
 * Throws NoHealthyValidatorError when a block cannot be fetched from any validator.
 * @example
 * const report = await verifyBlockchainIntegrity(client, { genesis });
 * if (!report.valid) console.error(report.errors);
 */
export async function verifyBlockchainIntegrity(
  client: ClientContext,
  options: VerifyBlockchainIntegrityParameters = {},
): Promise<VerifyBlockchainIntegrityReturnType> {
  const genesis = trustedGenesis(client, options.genesis);
  const fromHeight = options.fromHeight === undefined ? 1 : checkHeight(options.fromHeight, 'fromHeight');
  if (fromHeight < 1) throw new InvalidArgumentError('fromHeight', 'must be at least 1 (height 0 is the genesis)');
  const head =
    options.toHeight === undefined ? await finalizedHeight(client, options.validator, options.signal) : undefined;
  const toHeight = head ? head.height : checkHeight(options.toHeight, 'toHeight');
  const validator = options.validator ?? head?.validator;
  const concurrency = options.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new InvalidArgumentError(
      'concurrency',
      `must be an integer from 1 to 256, got ${JSON.stringify(options.concurrency)}`,
    );
  const r = await walkChain(client, {
    genesis,
    from: { height: fromHeight - 1 },
    toHeight,
    concurrency,
    ...(validator !== undefined ? { validator } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return {
    valid: r.valid,
    checkedBlocks: r.checkedBlocks,
    height: r.height,
    headHash: r.cursor.hash,
    errors: r.errors,
    validators: r.validators,
  };
}
