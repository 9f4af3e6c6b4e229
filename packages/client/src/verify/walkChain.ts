/**
 * Walking the finalized chain block by block from untrusted validators, verifying each block
 * against the trusted genesis and the previous verified block (verifyFinalizedBlock). Blocks are
 * fetched a window at a time in parallel and verified in order; the walk stops at the first block
 * that does not verify, because nothing after a broken link can be tied to the genesis.
 */
import {
  ProtocolError,
  genesisCursor,
  validateBlock,
  verifyCertificate,
  verifyFinalizedBlock,
  type Block,
  type ChainCursor,
  type Genesis,
  type QuorumCertificate,
} from '@poa-vote/shared';
import { fetchBlock } from '../actions/getBlock.js';
import type { ClientContext } from '../context.js';
import { InvalidResponseError } from '../errors.js';
import { formatHealth } from '../formatters/health.js';
import { withFailover } from '../pool/failover.js';

export interface WalkChainParameters {
  genesis: Genesis;
  /** Verified cursor to continue from (its height + 1 is the first block checked). */
  from: ChainCursor | { height: number };
  toHeight: number;
  /** Fetch from this validator first. */
  validator?: string;
  signal?: AbortSignal;
  /** Blocks fetched in parallel (default 8). */
  concurrency?: number;
  /** Called for each block once it has verified, in height order. */
  onBlock?: (block: Block, certificate: QuorumCertificate, cursor: ChainCursor) => void;
}

export interface WalkChainResult {
  valid: boolean;
  checkedBlocks: number;
  /** Height of the last verified block. */
  height: number;
  cursor: ChainCursor;
  errors: string[];
  /** Validators that served the blocks. */
  validators: string[];
}

function describe(err: unknown): string {
  return err instanceof ProtocolError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);
}

/**
 * Finalized height of a validator (from /health), the default end of a walk, and who said so:
 * the walk then fetches from that validator first, which surely holds every block up to it.
 */
export async function finalizedHeight(
  client: ClientContext,
  validator: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ height: number; validator: string }> {
  const { value, validator: v } = await withFailover(
    client.pool,
    'GET /health',
    async (v, sig) => {
      const { status, body } = await v.transport.get('/health', {
        acceptStatus: [503],
        ...(sig ? { signal: sig } : {}),
      });
      return formatHealth(body, status, `${v.rpcUrl}/health`).finalizedHeight;
    },
    { retry: client.retry, ...(validator !== undefined ? { prefer: validator } : {}), ...(signal ? { signal } : {}) },
  );
  return { height: value, validator: v.nodeId };
}

/** Walk and verify blocks from `from` to `toHeight`; unreachable blocks throw NoHealthyValidatorError. */
export async function walkChain(client: ClientContext, p: WalkChainParameters): Promise<WalkChainResult> {
  const concurrency = p.concurrency ?? 8;
  const served = new Set<string>();
  const errors: string[] = [];
  let checkedBlocks = 0;

  const fetch = async (height: number): Promise<{ block: unknown; certificate: unknown; validator: string }> => {
    const { value, validator } = await withFailover(
      client.pool,
      `GET /blocks/${height}`,
      async (v, signal) => {
        const b = await fetchBlock(v, height, signal ? { signal } : {});
        if (!b)
          throw new InvalidResponseError(`${v.nodeId} has no finalized block ${height}`, {
            url: `${v.rpcUrl}/blocks/${height}`,
          });
        return b;
      },
      {
        retry: client.retry,
        ...(p.validator !== undefined ? { prefer: p.validator } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
      },
    );
    served.add(validator.nodeId);
    return { ...value, validator: validator.nodeId };
  };

  let cursor: ChainCursor;
  if ('hash' in p.from) cursor = p.from;
  else if (p.from.height === 0) cursor = genesisCursor(p.genesis);
  else {
    // A start above genesis is anchored on a block trusted through its own quorum certificate.
    const h = p.from.height;
    const raw = await fetch(h);
    try {
      const block = validateBlock(p.genesis, raw.block);
      verifyCertificate(p.genesis, raw.certificate, { type: 'precommit', height: h, blockHash: block.hash });
      cursor = { height: h, hash: block.hash, slot: block.header.slot };
    } catch (err) {
      errors.push(`block ${h} (anchor, from ${raw.validator}): ${describe(err)}`);
      return {
        valid: false,
        checkedBlocks,
        height: h - 1,
        cursor: { height: h - 1, hash: '0x', slot: 0 },
        errors,
        validators: [...served],
      };
    }
  }

  for (let start = cursor.height + 1; start <= p.toHeight; start += concurrency) {
    const heights = Array.from({ length: Math.min(concurrency, p.toHeight - start + 1) }, (_, i) => start + i);
    const blocks = await Promise.all(heights.map(fetch));
    for (const raw of blocks) {
      try {
        const r = verifyFinalizedBlock(p.genesis, cursor, raw);
        cursor = r.cursor;
        checkedBlocks++;
        p.onBlock?.(r.block, r.certificate, cursor);
      } catch (err) {
        errors.push(`block ${cursor.height + 1} (from ${raw.validator}): ${describe(err)}`);
        return { valid: false, checkedBlocks, height: cursor.height, cursor, errors, validators: [...served] };
      }
    }
  }
  return { valid: true, checkedBlocks, height: cursor.height, cursor, errors, validators: [...served] };
}
