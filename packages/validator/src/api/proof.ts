/**
 * Inclusion proofs of finalized votes, answered by GET /transactions/:hash/proof and
 * poa_getProof: the RFC 6962 audit path of the vote's hash up to its block's txRoot
 * (docs/PROTOCOL.md section 3.1). A verifier checks the path against the txRoot of a header it
 * verified itself (block hash and quorum certificate), so nothing here needs to be trusted.
 */
import { type Hex, isHex, merkleProof, txHash } from '@poa-vote/shared';
import type { NodeApiBackend, TxState } from './interface.js';

/** The wire form of an inclusion proof. */
export interface TransactionProof {
  /** The vote's hash: the Merkle leaf item. */
  transactionHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  /** The vote's position in its block. */
  index: number;
  /** Transactions in the block (its header's txCount). */
  treeSize: number;
  /** Same as transactionHash: the item whose leaf hash is H(0x00 || leaf). */
  leaf: Hex;
  /** Sibling hashes from the leaf up, RFC 6962 order. */
  siblings: Hex[];
  /** The block header's txRoot the path leads to. */
  root: Hex;
  /** How to check it: "rfc6962-sha256". */
  algorithm: 'rfc6962-sha256';
}

/** Why there is no proof: the vote is unknown, or not (yet) in a finalized block. */
export type ProofOutcome =
  | { ok: true; proof: TransactionProof }
  | { ok: false; reason: 'unknown' | 'not-finalized'; hash?: Hex; state?: TxState };

/** The inclusion proof of a vote by hash or submission id. */
export async function transactionProof(backend: NodeApiBackend, ref: string): Promise<ProofOutcome> {
  const lower = ref.toLowerCase();
  const hash: Hex | undefined =
    (await backend.resolveTxRef(isHex(lower, 32) ? lower : ref)) ?? (isHex(lower, 32) ? (lower as Hex) : undefined);
  if (!hash) return { ok: false, reason: 'unknown' };
  const found = await backend.getTransaction(hash);
  const fb = found?.blockNumber !== undefined ? await backend.getFinalizedBlock(found.blockNumber) : undefined;
  if (!found || !fb || found.transactionIndex === undefined) {
    const state = await backend.getTxState(hash);
    return { ok: false, reason: state.state === 'unknown' ? 'unknown' : 'not-finalized', hash, state };
  }
  const proof = merkleProof(fb.block.transactions.map(txHash), found.transactionIndex);
  // The stored location must name this vote, and the path lead to the stored header's root.
  if (proof.leaf !== hash)
    throw new Error(
      `transaction ${hash} is recorded at index ${found.transactionIndex} of block ${fb.block.header.height}, which holds ${proof.leaf}`,
    );
  return {
    ok: true,
    proof: {
      transactionHash: hash,
      blockNumber: fb.block.header.height,
      blockHash: fb.block.hash,
      index: proof.index,
      treeSize: proof.treeSize,
      leaf: proof.leaf,
      siblings: proof.siblings,
      root: fb.block.header.txRoot,
      algorithm: 'rfc6962-sha256',
    },
  };
}
