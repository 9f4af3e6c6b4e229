/** Verified tallies kept between calls so that each tally only verifies the blocks added since. */
import type { ChainCursor, Hex } from '@poa-vote/shared';

/** A tally of one election over the verified chain up to `cursor`. */
export interface ElectionTally {
  cursor: ChainCursor;
  counts: Map<string, number>;
  total: number;
  /** Voters already counted: the one-vote-per-voter rule, re-applied rather than trusted. */
  voters: Set<string>;
  /** Later votes of an already counted voter (a certified chain should have none). */
  duplicateVotes: number;
}

/**
 * Tallies by (genesis, election).
 * @example
 * const cache = new TallyCache();
 * await cache.exclusive(gh, '7', async () => cache.get(gh, '7'));
 */
export class TallyCache {
  readonly #tallies = new Map<string, ElectionTally>();
  readonly #locks = new Map<string, Promise<unknown>>();

  /** Run `fn` after every earlier `fn` of the same election finished: tallies are extended in place. */
  async exclusive<T>(genesisHash: Hex, electionId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${genesisHash}/${electionId}`;
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(key, tail);
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    });
    return run;
  }

  /** The tally of an election, if one was computed against this genesis. */
  get(genesisHash: Hex, electionId: string): ElectionTally | undefined {
    return this.#tallies.get(`${genesisHash}/${electionId}`);
  }

  set(genesisHash: Hex, electionId: string, tally: ElectionTally): void {
    this.#tallies.set(`${genesisHash}/${electionId}`, tally);
  }

  clear(): void {
    this.#tallies.clear();
  }
}
