/**
 * Vote counts held in memory: every election's total (one number per election, like the voter
 * index a cost per vote), and the candidate counts of the most recently used elections only, so
 * that many elections cannot grow memory without bound. An election missing from the cache is
 * read back from its stored counters. Increments are staged per batch on top of the counts the
 * batch started from, and committed only once the batch is on disk, so a failed write leaves
 * memory and disk in agreement.
 */
import { isReservedBucket, namedCandidates, tallyBucket } from '@poa-vote/shared';

/** Candidate counts of one election (Maps: names such as `__proto__` are ordinary keys). */
export type CandidateCounts = Map<string, number>;

export interface TallyCacheOptions {
  /** Elections whose candidate counts stay in memory (least recently used evicted), default 256. */
  maxElections?: number;
  /** Estimated heap bytes of the candidate counts in memory, default 4 MiB (the newest election always stays). */
  maxBytes?: number;
}

export const DEFAULT_TALLY_CACHE_ELECTIONS = 256;
export const DEFAULT_TALLY_CACHE_BYTES = 4 * 1024 * 1024;

/** Estimated heap bytes of one election's counts: a map, and per candidate an entry and its name. */
function countsBytes(electionId: string, counts: ReadonlyMap<string, number>): number {
  let n = 160 + electionId.length;
  for (const name of counts.keys()) n += 48 + name.length;
  return n;
}

const EMPTY: ReadonlyMap<string, number> = new Map();

/** Increments of one batch on top of the counts of the elections it touches. */
export class TallyStage {
  /** election -> candidate -> new absolute count. */
  readonly counts = new Map<string, CandidateCounts>();
  /** election -> new absolute total. */
  readonly totals = new Map<string, number>();
  /** election -> candidate names (reserved buckets aside) in base and stage together. */
  readonly #named = new Map<string, number>();

  constructor(
    /** Full counts of every election the batch may touch, as committed before it. */
    readonly bases: ReadonlyMap<string, ReadonlyMap<string, number>>,
    private readonly baseTotal: (electionId: string) => number,
  ) {}

  /** Count one vote (chain order) under the protocol's bucket rule; returns the bucket. */
  increment(electionId: string, candidate: string): string {
    const base = this.bases.get(electionId) ?? EMPTY;
    let c = this.counts.get(electionId);
    if (!c) {
      c = new Map();
      this.counts.set(electionId, c);
    }
    const named = this.#named.get(electionId) ?? namedCandidates(base);
    const known = c.has(candidate) || base.has(candidate);
    const bucket = tallyBucket(candidate, known, named);
    const before = c.get(bucket) ?? base.get(bucket);
    if (before === undefined && !isReservedBucket(bucket)) this.#named.set(electionId, named + 1);
    else this.#named.set(electionId, named);
    c.set(bucket, (before ?? 0) + 1);
    this.totals.set(electionId, (this.totals.get(electionId) ?? this.baseTotal(electionId)) + 1);
    return bucket;
  }

  get empty(): boolean {
    return this.totals.size === 0;
  }
}

export class TallyCache {
  readonly #maxElections: number;
  readonly #maxBytes: number;
  readonly #totals = new Map<string, number>();
  /** Least recently used first (Map insertion order). */
  readonly #counts = new Map<string, CandidateCounts>();
  /** Estimated bytes of each resident election's counts, and their sum. */
  readonly #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(opts: TallyCacheOptions = {}) {
    const max = opts.maxElections ?? DEFAULT_TALLY_CACHE_ELECTIONS;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`maxElections must be a positive integer, got ${String(opts.maxElections)}`);
    this.#maxElections = max;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_TALLY_CACHE_BYTES;
  }

  /** Estimated bytes of the candidate counts in memory. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Load one stored total (at open). */
  setTotal(electionId: string, total: number): void {
    this.#totals.set(electionId, total);
  }

  total(electionId: string): number {
    return this.#totals.get(electionId) ?? 0;
  }

  /** Candidate counts of an election if in memory (marks it recently used). */
  counts(electionId: string): ReadonlyMap<string, number> | undefined {
    if (!this.#totals.has(electionId)) return EMPTY;
    const c = this.#counts.get(electionId);
    if (c) {
      this.#counts.delete(electionId);
      this.#counts.set(electionId, c);
    }
    return c;
  }

  /** Keep the stored counts of an election in memory, evicting the least recently used. */
  load(electionId: string, counts: CandidateCounts): void {
    this.#drop(electionId);
    this.#counts.set(electionId, counts);
    const size = countsBytes(electionId, counts);
    this.#sizes.set(electionId, size);
    this.#bytes += size;
    while (this.#counts.size > 1 && (this.#counts.size > this.#maxElections || this.#bytes > this.#maxBytes)) {
      const oldest = this.#counts.keys().next().value as string;
      this.#drop(oldest);
    }
  }

  #drop(electionId: string): void {
    this.#counts.delete(electionId);
    this.#bytes -= this.#sizes.get(electionId) ?? 0;
    this.#sizes.delete(electionId);
  }

  /** Elections whose counts are in memory, least recently used first (tests, metrics). */
  residentElections(): string[] {
    return [...this.#counts.keys()];
  }

  /** Start staging the increments of one batch on top of `bases` (see TallyStage). */
  stage(bases: ReadonlyMap<string, ReadonlyMap<string, number>>): TallyStage {
    return new TallyStage(bases, (e) => this.total(e));
  }

  /** Make a written stage the committed state. */
  commit(stage: TallyStage): void {
    for (const [e, staged] of stage.counts) {
      const counts = this.#counts.get(e) ?? new Map(stage.bases.get(e) ?? EMPTY);
      for (const [c, n] of staged) counts.set(c, n);
      this.load(e, counts);
    }
    for (const [e, n] of stage.totals) this.setTotal(e, n);
  }
}
