/** Options of write access: who may write (credentials, open writes) and how fast. */
import type { ApiTokenSet } from './apiTokens.js';

export interface WriteAccessOptions {
  /** File of `name:token` lines; writes with `Authorization: Bearer <token>` are accepted. */
  apiTokensFile?: string;
  /** Fixed tokens instead of a file (embedding, tests). */
  apiTokens?: ApiTokenSet;
  /**
   * Accept writes without a credential (devnet, tests, the seed-compatible mode). A credential
   * that is sent must still be valid.
   */
  openWrites: boolean;
  /** Votes per second per credential; 0: unlimited. */
  ratePerCredential?: number;
  /** Most votes a credential may send at once. */
  burstPerCredential?: number;
  /** Votes per second per client address, for writes without a credential; 0: unlimited. */
  ratePerAddress?: number;
  /** Most votes an address may send at once. */
  burstPerAddress?: number;
}

/**
 * Generous for a backend (the benchmark's batched ceiling on one node is about 13,000 votes/s),
 * tight for an anonymous address.
 */
export const defaultWriteLimits = {
  ratePerCredential: 5000,
  burstPerCredential: 10_000,
  ratePerAddress: 200,
  burstPerAddress: 400,
} as const;

/**
 * What an ApiServer built without write options does: open writes with the default limits. The
 * CLI never relies on it: `poa-validator start` needs tokens or an explicit --insecure-open-writes.
 */
export const defaultApiWriteAccess: WriteAccessOptions = { openWrites: true };
