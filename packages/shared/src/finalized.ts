/** A finalized block: the block and the precommit certificate that makes it irreversible. */
import type { Block } from './block.js';
import { checkBlockLinks, validateBlock } from './block.js';
import type { Genesis } from './genesis.js';
import { genesisHash } from './genesis.js';
import type { Hex } from './encoding.js';
import { type QuorumCertificate, verifyCertificate } from './vote.js';
import { ProtocolErrorCode, check } from './errors.js';

export interface FinalizedBlock {
  block: Block;
  certificate: QuorumCertificate;
}

/** Where a chain verification stands: the last verified block. */
export interface ChainCursor {
  height: number;
  hash: Hex;
  slot: number;
}

/** The cursor before block 1. */
export function genesisCursor(genesis: Genesis): ChainCursor {
  return { height: 0, hash: genesisHash(genesis), slot: 0 };
}

/**
 * Verify one finalized block from untrusted data against the genesis keys and the previous
 * verified block: block rules, hash link, leader schedule, and a quorum precommit certificate
 * for exactly this block. Returns the next cursor. Used by nodes syncing and by clients auditing.
 */
export function verifyFinalizedBlock(
  genesis: Genesis,
  prev: ChainCursor,
  input: { block: unknown; certificate: unknown },
): { block: Block; certificate: QuorumCertificate; cursor: ChainCursor } {
  check(
    typeof input === 'object' && input !== null,
    ProtocolErrorCode.BLOCK_INVALID,
    'finalized block must be an object with block and certificate',
  );
  const block = validateBlock(genesis, input.block);
  checkBlockLinks(block, prev);
  const certificate = verifyCertificate(genesis, input.certificate, {
    type: 'precommit',
    height: block.header.height,
    blockHash: block.hash,
  });
  return { block, certificate, cursor: { height: block.header.height, hash: block.hash, slot: block.header.slot } };
}
