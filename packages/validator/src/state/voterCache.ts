/**
 * The one-vote index as a bounded, prefetched view of an index kept elsewhere (on disk, in a
 * validator). The consensus core reads it synchronously and does no I/O, so its driver loads
 * the voters a step will read before running the step (`load`), and the view keeps them until
 * the step is done. What a step reads, and why it is enough, is in docs/PERFORMANCE.md:
 * - the voters of the transactions the step brings (a gossip batch, a proposal's block, a block
 *   or sync response, a pool page, client submissions): loaded for the step (consensus/reads.ts);
 * - the voters of pooled transactions and of blocks the core holds for later (deferred
 *   proposals, candidate blocks): loaded when they arrived, and never evicted while held
 *   (`retain`);
 * - votes the core finalized: held as "unsettled" until their block is on disk (`settle`), so a
 *   read never goes to a disk that does not have them yet.
 * Everything else is a cache bounded in bytes, least recently loaded out first. A read of a
 * voter that is not there throws VoterNotLoadedError: a driver bug stops the node rather than
 * let the core guess.
 */
import type { Hex } from '@poa-vote/shared';
import { VoterNotLoadedError, type VoterStore } from './voterStore.js';

/** Where the finalized (voterKey -> tx hash) pairs are: answers now (memory) or later (disk). */
export interface VoterSource {
  getMany(voterKeys: readonly string[]): Promise<readonly (Hex | undefined)[]> | readonly (Hex | undefined)[];
}

export interface VoterCacheOptions {
  /**
   * Bytes of cached entries (estimated) kept beyond what is pinned or retained; default 8 MiB.
   * Pooled voters are retained anyway, and a proposal's voters were loaded when their votes
   * arrived by gossip: beyond that the cache serves resubmissions and double votes only.
   */
  maxBytes?: number;
  /**
   * Voters that must stay loaded: asked at each trim for a predicate (pooled voters and the
   * voters of blocks the core holds). Default: none.
   */
  retain?: () => (voterKey: string) => boolean;
}

export const DEFAULT_VOTER_CACHE_BYTES = 8 * 1024 * 1024;

/** Estimated heap bytes of an entry: key string, map slot, and the hash string when present. */
const entryBytes = (key: string, hash: Hex | null): number => 64 + key.length + (hash === null ? 0 : 88);

/** The voters of one step, loaded and pinned until `release`. `ready` is undefined when all were resident. */
export interface VoterLease {
  readonly ready: Promise<void> | undefined;
  release(): void;
}

export interface VoterCacheStats {
  entries: number;
  bytes: number;
  unsettled: number;
  pinned: number;
  loads: number;
  loadedKeys: number;
  evictions: number;
}

export class VoterCache implements VoterStore {
  readonly #source: VoterSource;
  readonly #maxBytes: number;
  #retain: (() => (voterKey: string) => boolean) | undefined;
  /** Finalized by the core, not yet known to be on disk: voterKey -> [tx hash, height]. */
  readonly #unsettled = new Map<string, [Hex, number]>();
  /** Loaded or settled entries, least recently loaded first; null: known to have no finalized vote. */
  readonly #entries = new Map<string, Hex | null>();
  readonly #pins = new Map<string, number>();
  #bytes = 0;
  #trimAt: number;
  #finalized = 0;
  #loads = 0;
  #loadedKeys = 0;
  #evictions = 0;

  constructor(source: VoterSource, opts: VoterCacheOptions = {}) {
    const max = opts.maxBytes ?? DEFAULT_VOTER_CACHE_BYTES;
    if (!Number.isSafeInteger(max) || max < 0)
      throw new RangeError(`maxBytes must be a non-negative integer, got ${String(opts.maxBytes)}`);
    this.#source = source;
    this.#maxBytes = max;
    this.#retain = opts.retain;
    this.#trimAt = max;
  }

  get size(): number {
    return this.#finalized;
  }

  /** Set the rule for voters that must stay loaded (see VoterCacheOptions.retain). */
  retainWith(retain: () => (voterKey: string) => boolean): void {
    this.#retain = retain;
  }

  get stats(): VoterCacheStats {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      unsettled: this.#unsettled.size,
      pinned: this.#pins.size,
      loads: this.#loads,
      loadedKeys: this.#loadedKeys,
      evictions: this.#evictions,
    };
  }

  get(voterKey: string): Hex | undefined {
    const u = this.#unsettled.get(voterKey);
    if (u !== undefined) return u[0];
    const e = this.#entries.get(voterKey);
    if (e === undefined) throw new VoterNotLoadedError(voterKey);
    return e ?? undefined;
  }

  set(voterKey: string, txHash: Hex, height: number): void {
    if (!this.#unsettled.has(voterKey)) this.#finalized++;
    this.#unsettled.set(voterKey, [txHash, height]);
  }

  delete(voterKey: string): boolean {
    const had = this.#unsettled.delete(voterKey) || typeof this.#entries.get(voterKey) === 'string';
    // Known to have no vote from now on (only the simulator's broken "revert" variant gets here).
    this.#put(voterKey, null);
    return had;
  }

  /** Whether a read of `voterKey` would be answered now. */
  has(voterKey: string): boolean {
    return this.#unsettled.has(voterKey) || this.#entries.has(voterKey);
  }

  /**
   * Load (from the source, where not resident) and pin the voters a step reads. Run the step
   * once `ready` settles (at once when it is undefined), then `release`.
   */
  load(voterKeys: Iterable<string>): VoterLease {
    const pinned: string[] = [];
    const missing: string[] = [];
    for (const k of voterKeys) {
      pinned.push(k);
      this.#pins.set(k, (this.#pins.get(k) ?? 0) + 1);
      if (!this.#unsettled.has(k) && !this.#entries.has(k)) missing.push(k);
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const k of pinned) {
        const n = (this.#pins.get(k) ?? 1) - 1;
        if (n <= 0) this.#pins.delete(k);
        else this.#pins.set(k, n);
      }
      if (this.#bytes > this.#trimAt) this.trim();
    };
    if (missing.length === 0) return { ready: undefined, release };
    const keys = [...new Set(missing)];
    this.#loads++;
    this.#loadedKeys += keys.length;
    const found = this.#source.getMany(keys);
    if (Array.isArray(found)) {
      this.#fill(keys, found);
      return { ready: undefined, release };
    }
    const ready = Promise.resolve(found).then((f) => this.#fill(keys, f));
    return { ready, release };
  }

  #fill(keys: readonly string[], found: readonly (Hex | undefined)[]): void {
    for (const [i, k] of keys.entries()) {
      // A vote finalized meanwhile is newer than what the read saw; a vote never un-finalizes.
      if (this.#unsettled.has(k) || typeof this.#entries.get(k) === 'string') continue;
      this.#put(k, found[i] ?? null);
    }
  }

  /** Votes of blocks up to `height` are on disk: they become ordinary cache entries. */
  settle(height: number): void {
    for (const [k, [hash, h]] of this.#unsettled) {
      if (h > height) continue;
      this.#unsettled.delete(k);
      this.#put(k, hash);
    }
    // Not at every block past the budget: when pooled voters alone exceed it, a pass frees nothing.
    if (this.#bytes > this.#trimAt) this.trim();
  }

  /** Evict the least recently loaded entries beyond the budget, except pinned and retained ones. */
  trim(): void {
    const retained = this.#retain?.();
    let budget = this.#entries.size;
    for (const [k, hash] of this.#entries) {
      if (this.#bytes <= this.#maxBytes || budget-- <= 0) break;
      this.#entries.delete(k);
      if (this.#pins.has(k) || retained?.(k)) {
        this.#entries.set(k, hash); // kept: moved to the recent end, so the next pass starts past it
        continue;
      }
      this.#bytes -= entryBytes(k, hash);
      this.#evictions++;
    }
    // What is pinned or retained cannot go: do not try again before another quarter is loaded.
    this.#trimAt = Math.max(this.#maxBytes, this.#bytes) * 1.25;
  }

  #put(k: string, hash: Hex | null): void {
    const old = this.#entries.get(k);
    if (old !== undefined) {
      this.#bytes -= entryBytes(k, old);
      this.#entries.delete(k);
    }
    this.#entries.set(k, hash);
    this.#bytes += entryBytes(k, hash);
  }
}
