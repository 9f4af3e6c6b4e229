/** poa_getTransactionStatus answers. */
import type { Hex } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';
import { asObject, optString, pick, stringField, toNat } from './fields.js';

/**
 * Where a vote stands, as one validator sees it. `accepted`: in that validator's pool, not yet
 * known to be held by a quorum. `replicated`: held durably by a quorum of validators (what an
 * acknowledgement guarantees). `included`: in a block that gathered a quorum of prevotes.
 * `finalized`: in a finalized block. `rejected`: invalid or a double vote. `unknown`: this
 * validator does not know it.
 */
export type TxState = 'accepted' | 'replicated' | 'included' | 'finalized' | 'rejected' | 'unknown';

const STATES: readonly TxState[] = ['accepted', 'replicated', 'included', 'finalized', 'rejected', 'unknown'];

/** Wire states of older validators, and the state they mean now. */
const LEGACY_STATES: Readonly<Record<string, TxState>> = { pending: 'accepted' };

/** True once a vote is held by a quorum of validators or further along; it can no longer be lost. */
export function isReplicated(state: TxState): boolean {
  return state === 'replicated' || state === 'included' || state === 'finalized';
}

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

/** Normalize a transaction status; an older validator's `pending` reads as `accepted`. */
export function formatTxStatus(raw: unknown, url?: string): TxStatus {
  const o = asObject(raw, 'transaction status', url);
  const rawState = pick(o, 'state');
  const state = typeof rawState === 'string' ? (LEGACY_STATES[rawState] ?? rawState) : rawState;
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
