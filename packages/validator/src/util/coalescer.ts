/**
 * When to run a coalesced flush (a batch of submissions, a message of acknowledgements): at once
 * (on the next turn of the event loop, so that what arrives in the same turn goes together) when
 * the last flush was at least `windowMs` ago, otherwise when the window since the last flush
 * closes. An idle node adds no delay to a lone vote, and a busy one still flushes at most once per
 * window: a fixed window would have cost every acknowledgement its full length twice (the batch
 * out, the acknowledgement back), which at low load was most of the answer time (PERFORMANCE.md).
 */
export class Coalescer {
  readonly #windowMs: number;
  readonly #flush: () => void;
  #last = Number.NEGATIVE_INFINITY;
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(windowMs: number, flush: () => void) {
    this.#windowMs = windowMs;
    this.#flush = flush;
  }

  /** Whether a flush is scheduled. */
  get pending(): boolean {
    return this.#immediate !== undefined || this.#timer !== undefined;
  }

  /** Make sure a flush runs: now-ish if the window since the last one has passed, else when it does. */
  schedule(): void {
    if (this.pending) return;
    const wait = this.#last + this.#windowMs - performance.now();
    if (wait <= 0) this.#immediate = setImmediate(() => this.#run());
    else this.#timer = setTimeout(() => this.#run(), Math.ceil(wait));
  }

  /**
   * The caller flushed by other means (e.g. acknowledgements riding along another message):
   * cancel what is scheduled, and count it as a flush for the window.
   */
  flushed(): void {
    this.cancel();
    this.#last = performance.now();
  }

  /** Cancel what is scheduled. */
  cancel(): void {
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#immediate = undefined;
    this.#timer = undefined;
  }

  #run(): void {
    this.#immediate = undefined;
    this.#timer = undefined;
    this.#last = performance.now();
    this.#flush();
  }
}
