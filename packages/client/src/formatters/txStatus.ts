/** poa_getTransactionStatus answers. */
import type { Hex } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';
import { asObject, optString, pick, stringField, toNat } from './fields.js';

export type TxState = 'pending' | 'included' | 'finalized' | 'rejected' | 'unknown';

const STATES: readonly TxState[] = ['pending', 'included', 'finalized', 'rejected', 'unknown'];

export interface TxStatus {
  state: TxState;
  /** Null when the validator knows neither the hash nor the submission id asked about. */
  hash: Hex | null;
  blockHash?: Hex;
  blockNumber?: number;
  transactionIndex?: number;
  /** Why it was rejected. */
  reason?: string;
  /** The recorded vote it conflicts with (double vote). */
  conflictsWith?: Hex;
}

/** Normalize a transaction status. */
export function formatTxStatus(raw: unknown, url?: string): TxStatus {
  const o = asObject(raw, 'transaction status', url);
  const state = pick(o, 'state');
  if (!STATES.includes(state as TxState)) throw new InvalidResponseError(`transaction status.state must be one of ${STATES.join(', ')}, got ${JSON.stringify(state)}`, { url });
  const rawHash = pick(o, 'hash');
  const out: TxStatus = { state: state as TxState, hash: state === 'unknown' && (rawHash === null || rawHash === undefined) ? null : (stringField(o, 'transaction status', url, 'hash') as Hex) };
  const blockHash = optString(o, 'blockHash', 'block_hash');
  if (blockHash !== undefined) out.blockHash = blockHash as Hex;
  const blockNumber = toNat(pick(o, 'blockNumber', 'block_number'));
  if (blockNumber !== undefined) out.blockNumber = blockNumber;
  const index = toNat(pick(o, 'transactionIndex'));
  if (index !== undefined) out.transactionIndex = index;
  const reason = optString(o, 'reason');
  if (reason !== undefined) out.reason = reason;
  const conflictsWith = optString(o, 'conflictsWith', 'conflicts_with');
  if (conflictsWith !== undefined) out.conflictsWith = conflictsWith as Hex;
  if ((out.state === 'included' || out.state === 'finalized') && (out.blockHash === undefined || out.blockNumber === undefined)) {
    throw new InvalidResponseError(`transaction status "${out.state}" must carry blockHash and blockNumber`, { url });
  }
  return out;
}
