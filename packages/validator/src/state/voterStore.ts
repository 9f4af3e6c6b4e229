/**
 * How the consensus core reads the one-vote-per-(voter, election) index: synchronously, from a
 * store that either holds every finalized vote (VoterIndex: tests and the simulator by default)
 * or holds what the driver loaded for the step at hand (VoterCache: a validator, whose index
 * lives on disk). See docs/PERFORMANCE.md, "Memory that does not grow with the chain".
 */
import type { Hex } from '@poa-vote/shared';

export interface VoterStore {
  /** The finalized transaction of a voterKey; throws VoterNotLoadedError when the store cannot answer now. */
  get(voterKey: string): Hex | undefined;
  /** Record the finalized transaction of a voterKey (of the block at `height`). */
  set(voterKey: string, txHash: Hex, height: number): void;
  /** Forget a voterKey (only the simulator's broken "revert a final block" variant does). */
  delete(voterKey: string): boolean;
  /** Finalized votes this store knows of (all of them for VoterIndex; those finalized since open for VoterCache). */
  readonly size: number;
}

export enum VoterStoreErrorCode {
  /** The core read a voter its driver did not load first: a bug in the driver, never bad input. */
  NOT_LOADED = 'VOTER_NOT_LOADED',
}

/** A read the store cannot answer synchronously: the step must not go on with a guess. */
export class VoterNotLoadedError extends Error {
  override readonly name = 'VoterNotLoadedError';
  readonly code = VoterStoreErrorCode.NOT_LOADED;
  constructor(readonly voterKey: string) {
    super(`voter ${JSON.stringify(voterKey)} was not loaded before the consensus step that read it`);
  }
}
