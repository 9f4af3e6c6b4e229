/**
 * Recently finalized blocks, decoded: receipt and transaction lookups hit the newest blocks
 * hardest, and re-reading a block of thousands of votes for each receipt would dominate.
 * Bounded by transaction count, least recently used first out. Entries are shared: read-only.
 */
import type { FinalizedBlock } from '@poa-vote/shared';

export class BlockCache {
  readonly #byHeight = new Map<number, FinalizedBlock>();
  #txs = 0;

  constructor(
    private readonly maxTxs = 50_000,
    private readonly maxBlocks = 256,
  ) {}

  get(height: number): FinalizedBlock | undefined {
    const fb = this.#byHeight.get(height);
    if (fb) {
      this.#byHeight.delete(height);
      this.#byHeight.set(height, fb);
    }
    return fb;
  }

  set(height: number, fb: FinalizedBlock): void {
    const old = this.#byHeight.get(height);
    if (old) {
      this.#txs -= old.block.transactions.length;
      this.#byHeight.delete(height);
    }
    this.#byHeight.set(height, fb);
    this.#txs += fb.block.transactions.length;
    while (this.#byHeight.size > 1 && (this.#txs > this.maxTxs || this.#byHeight.size > this.maxBlocks)) {
      const [h, e] = this.#byHeight.entries().next().value as [number, FinalizedBlock];
      this.#byHeight.delete(h);
      this.#txs -= e.block.transactions.length;
    }
  }

  clear(): void {
    this.#byHeight.clear();
    this.#txs = 0;
  }
}
