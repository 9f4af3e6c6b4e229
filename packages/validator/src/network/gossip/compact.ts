/**
 * Compact proposals: on the wire, a proposal's block may list its transactions by hash
 * (`block.txHashes`) instead of carrying them (`block.transactions`). Every vote a leader proposes
 * is replicated, so the other authorities almost always hold it already in their pools: the
 * receiver rebuilds the block from its pool and validates the result exactly as a full proposal
 * (block hash, transaction root, signatures), so a wrong or missing hash can only make the block
 * fail validation, never change it. A receiver missing some transactions fetches the whole block
 * from the sender (the `block` request method) and validates that instead.
 *
 * What it saves (docs/PERFORMANCE.md): a proposal of n votes is ~70 bytes per vote instead of
 * ~300, and the receiver neither parses nor hashes the votes again (the pool's objects keep their
 * cached hash), which was the largest synchronous step of a validator under load.
 */
import type { Hex, Proposal, Transaction } from '@poa-vote/shared';
import { isHex, txHash } from '@poa-vote/shared';

/** Proposals with fewer transactions travel whole (the hashes would save nothing worth a lookup). */
export const COMPACT_MIN_TXS = 8;

/** The wire form of a proposal: compact when it carries at least COMPACT_MIN_TXS transactions. */
export function proposalWireForm(p: Proposal): unknown {
  const { transactions, ...block } = p.block;
  if (transactions.length < COMPACT_MIN_TXS) return p;
  return { ...p, block: { ...block, txHashes: transactions.map((tx) => txHash(tx)) } };
}

/** What expanding a proposal gave: the proposal to validate, or why it cannot be. */
export type Expanded =
  | { ok: true; proposal: unknown }
  | { ok: false; missing: number; blockHash: string }
  | { ok: false; malformed: string };

/**
 * A proposal as received, with a compact block expanded from `lookup`; a full block is returned
 * as is. Nothing here trusts the hashes: the expanded block is validated like any other.
 */
export function expandProposal(
  input: unknown,
  lookup: ((hash: Hex) => Transaction | undefined) | undefined,
  maxTxs: number,
): Expanded {
  if (typeof input !== 'object' || input === null) return { ok: true, proposal: input };
  const p = input as Record<string, unknown>;
  const block = p.block;
  if (typeof block !== 'object' || block === null || !('txHashes' in block)) return { ok: true, proposal: input };
  const { txHashes, ...rest } = block as Record<string, unknown>;
  if ('transactions' in rest) return { ok: false, malformed: 'proposal.block carries both transactions and txHashes' };
  if (!Array.isArray(txHashes) || txHashes.length > maxTxs)
    return { ok: false, malformed: `proposal.block.txHashes must be an array of at most ${maxTxs} hashes` };
  const transactions: Transaction[] = [];
  let missing = 0;
  for (const [i, h] of txHashes.entries()) {
    if (!isHex(h, 32)) return { ok: false, malformed: `proposal.block.txHashes[${i}] must be a 32-byte hash` };
    const tx = lookup?.(h);
    if (tx === undefined) missing++;
    else transactions.push(tx);
  }
  if (missing > 0) return { ok: false, missing, blockHash: String(rest.hash) };
  return { ok: true, proposal: { ...p, block: { ...rest, transactions } } };
}
