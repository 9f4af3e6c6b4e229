/**
 * Vote counts held in memory, loaded once at open: apply computes new counter values without
 * reading the database, and /results is answered synchronously. Increments are staged per
 * batch and committed only once the batch is on disk, so a failed write leaves memory and disk
 * in agreement.
 */
export interface ElectionTally {
  counts: Map<string, number>;
  total: number;
}

/** Increments of one batch on top of the committed counts. */
export class TallyStage {
  /** election -> candidate -> new absolute count. */
  readonly counts = new Map<string, Map<string, number>>();
  /** election -> new absolute total. */
  readonly totals = new Map<string, number>();

  constructor(private readonly base: TallyCache) {}

  /** Count one vote. */
  increment(electionId: string, candidate: string): void {
    let c = this.counts.get(electionId);
    if (!c) this.counts.set(electionId, (c = new Map()));
    c.set(candidate, (c.get(candidate) ?? this.base.count(electionId, candidate)) + 1);
    this.totals.set(electionId, (this.totals.get(electionId) ?? this.base.total(electionId)) + 1);
  }

  get empty(): boolean {
    return this.totals.size === 0;
  }
}

export class TallyCache {
  readonly #elections = new Map<string, ElectionTally>();

  #election(electionId: string): ElectionTally {
    let e = this.#elections.get(electionId);
    if (!e) this.#elections.set(electionId, (e = { counts: new Map(), total: 0 }));
    return e;
  }

  /** Load one stored counter (at open). */
  setCount(electionId: string, candidate: string, count: number): void {
    this.#election(electionId).counts.set(candidate, count);
  }

  /** Load one stored total (at open). */
  setTotal(electionId: string, total: number): void {
    this.#election(electionId).total = total;
  }

  count(electionId: string, candidate: string): number {
    return this.#elections.get(electionId)?.counts.get(candidate) ?? 0;
  }

  total(electionId: string): number {
    return this.#elections.get(electionId)?.total ?? 0;
  }

  /** Counts of an election as a plain record, candidates in sorted order (stable output). */
  counts(electionId: string): Record<string, number> {
    const e = this.#elections.get(electionId);
    const out: Record<string, number> = {};
    if (!e) return out;
    for (const k of [...e.counts.keys()].sort()) out[k] = e.counts.get(k)!;
    return out;
  }

  /** Start staging the increments of one batch. */
  stage(): TallyStage {
    return new TallyStage(this);
  }

  /** Make a written stage the committed state. */
  commit(stage: TallyStage): void {
    for (const [e, cs] of stage.counts) for (const [c, n] of cs) this.setCount(e, c, n);
    for (const [e, n] of stage.totals) this.setTotal(e, n);
  }
}
