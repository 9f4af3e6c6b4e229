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

export interface TallyCacheOptions {
  /** Tallies kept (least recently used evicted; an evicted election is recounted from genesis), default 64. */
  maxElections?: number;
}

export const DEFAULT_CLIENT_TALLY_ELECTIONS = 64;

/**
 * Tallies by (genesis, election), at most `maxElections` of them: each holds the set of its
 * voters, so an unbounded cache would grow with every election a long-lived client audits.
 * @example
 * const cache = new TallyCache({ maxElections: 16 });
 * await cache.exclusive(gh, '7', async () => cache.get(gh, '7'));
 */
export class TallyCache {
  /** Least recently used first (Map insertion order). */
  readonly #tallies = new Map<string, ElectionTally>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #max: number;

  constructor(opts: TallyCacheOptions = {}) {
    const max = opts.maxElections ?? DEFAULT_CLIENT_TALLY_ELECTIONS;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`maxElections must be a positive integer, got ${String(opts.maxElections)}`);
    this.#max = max;
  }

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
    const key = `${genesisHash}/${electionId}`;
    const t = this.#tallies.get(key);
    if (t) {
      this.#tallies.delete(key);
      this.#tallies.set(key, t);
    }
    return t;
  }

  /** Keep a tally, evicting the least recently used beyond `maxElections`. */
  set(genesisHash: Hex, electionId: string, tally: ElectionTally): void {
    const key = `${genesisHash}/${electionId}`;
    this.#tallies.delete(key);
    this.#tallies.set(key, tally);
    while (this.#tallies.size > this.#max) this.#tallies.delete(this.#tallies.keys().next().value as string);
  }

  /** Number of tallies kept. */
  get size(): number {
    return this.#tallies.size;
  }

  clear(): void {
    this.#tallies.clear();
  }
}
