/** Where a finalized transaction is, and what its receipt names, by tx hash. */
import type { Transaction } from '@poa-vote/shared';
import { Bucket } from '../buckets.js';
import type { KvStore } from '../kv/index.js';
import { HashRepository } from './keyedRepositories.js';

/**
 * [height, index in block, from, to]: an array, not an object, because there is one per
 * finalized vote. `from` and `to` are what a receipt holds besides the place (it carries no
 * ballot), so a receipt is read without its block (schema version 5). Written before: [height,
 * index] (versions 3-4: the receipt reads the block), and [height, index, voterKey] (version 2,
 * whose one-vote index was rebuilt from them).
 */
export type StoredTxLocation = [number, number] | [number, number, string] | [number, number, string, string];

/** The stored location of transaction `tx`, index `index` of the block at `height`. */
export function txLocationOf(height: number, index: number, tx: Pick<Transaction, 'from' | 'to'>): StoredTxLocation {
  return [height, index, tx.from, tx.to];
}

/** The voterKey a schema version 2 location names (three elements), else undefined. */
export function version2VoterKey(loc: StoredTxLocation): string | undefined {
  return loc.length === 3 ? loc[2] : undefined;
}

/** The receipt's from and to, when the location carries them (written by schema version 5). */
export function receiptParties(loc: StoredTxLocation): { from: string; to: string } | undefined {
  return loc.length === 4 ? { from: loc[2], to: loc[3] } : undefined;
}

export class TxLocationRepository extends HashRepository<StoredTxLocation> {
  constructor(kv: KvStore) {
    super(kv, Bucket.txLocation);
  }
}
