/** poa_getTransactionStatus answers. */
import { type Hex, TX_STATES, txStateSchema } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';
import { asObject } from './fields.js';
import { parseAnswer } from './parse.js';

/**
 * Where a vote stands, as one validator sees it. `accepted`: in that validator's pool, not yet
 * known to be held by a quorum. `replicated`: held durably by a quorum of validators (what an
 * acknowledgement guarantees). `included`: in a block that gathered a quorum of prevotes.
 * `finalized`: in a finalized block. `rejected`: invalid or a double vote. `unknown`: this
 * validator does not know it.
 */
export type TxState = (typeof TX_STATES)[number];

const STATES: readonly TxState[] = TX_STATES;

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

/** Parse a transaction status with the shared contract; an older validator's `pending` reads as `accepted`. */
export function formatTxStatus(raw: unknown, url?: string): TxStatus {
  const o = asObject(raw, 'transaction status', url);
  const rawState = o.state;
  const state = typeof rawState === 'string' ? (LEGACY_STATES[rawState] ?? rawState) : rawState;
  if (!STATES.includes(state as TxState))
    throw new InvalidResponseError(
      `transaction status.state must be one of ${STATES.join(', ')}, got ${JSON.stringify(state)}`,
      { url },
    );
  const s = parseAnswer(txStateSchema, { ...o, state }, `transaction status "${String(state)}"`, url);
  switch (s.state) {
    case 'accepted':
    case 'replicated':
      return { state: s.state, hash: s.hash };
    case 'included':
      return { state: s.state, hash: s.hash, blockHash: s.blockHash, blockNumber: s.blockNumber };
    case 'finalized':
      return {
        state: s.state,
        hash: s.hash,
        blockHash: s.blockHash,
        blockNumber: s.blockNumber,
        transactionIndex: s.transactionIndex,
      };
    case 'rejected':
      return {
        state: s.state,
        hash: s.hash,
        reason: s.reason,
        ...(s.conflictsWith !== undefined ? { conflictsWith: s.conflictsWith } : {}),
      };
    case 'unknown':
      return { state: s.state, hash: s.hash };
    default: {
      const unhandled: never = s;
      throw new InvalidResponseError(`transaction status ${JSON.stringify(unhandled)} is not handled`, { url });
    }
  }
}
