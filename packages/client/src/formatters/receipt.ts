/** eth_getTransactionReceipt answers. */
import type { Hex } from '@poa-vote/shared';
import { asObject, natField, optString, pick, stringField, toNat } from './fields.js';

export interface Receipt {
  transactionHash: Hex;
  transactionIndex: number;
  blockHash: Hex;
  blockNumber: number;
  /** The voter id. */
  from: string;
  /** "election-<id>". */
  to: string;
  gasUsed: string;
  status: 'success' | 'reverted';
}

function electionTo(id: string | undefined): string | undefined {
  return id === undefined ? undefined : `election-${id}`;
}

/** Normalize a receipt (hex quantities become numbers). */
export function formatReceipt(raw: unknown, url?: string): Receipt {
  const o = asObject(raw, 'receipt', url);
  const status = pick(o, 'status');
  return {
    transactionHash: stringField(o, 'receipt', url, 'transactionHash') as Hex,
    transactionIndex: toNat(pick(o, 'transactionIndex')) ?? 0,
    blockHash: stringField(o, 'receipt', url, 'blockHash') as Hex,
    blockNumber: natField(o, 'receipt', url, 'blockNumber'),
    // Validators answer derived addresses in from/to and the ids in voterId/electionId.
    from: optString(o, 'voterId') ?? optString(o, 'from') ?? '',
    to: electionTo(optString(o, 'electionId')) ?? optString(o, 'to') ?? '',
    gasUsed: optString(o, 'gasUsed') ?? '0x0',
    status: status === '0x0' || status === 'reverted' || status === 0 ? 'reverted' : 'success',
  };
}
