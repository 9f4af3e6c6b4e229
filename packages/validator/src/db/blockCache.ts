/**
 * Recently finalized blocks, decoded: receipt and transaction lookups hit the newest blocks
 * hardest, and re-reading a block of thousands of votes for each receipt would dominate.
 * Bounded in (estimated) bytes and in blocks, least recently used first out. Entries are
 * shared: read-only.
 */
import type { FinalizedBlock } from '@poa-vote/shared';

export interface BlockCacheOptions {
  /** Estimated heap bytes of the cached blocks (default 16 MiB: ~60,000 votes of 120-byte ballots). */
  maxBytes?: number;
  /** Most blocks (default 256). */
  maxBlocks?: number;
}

export const DEFAULT_BLOCK_CACHE_BYTES = 16 * 1024 * 1024;

/** Estimated heap bytes of a decoded block: per vote an object, three strings and a slot; the certificate. */
export function blockBytes(fb: FinalizedBlock): number {
  let n = 2048 + 96 * fb.certificate.signatures.length;
  for (const tx of fb.block.transactions) n += 100 + tx.from.length + tx.to.length + tx.data.length;
  return n;
}

export class BlockCache {
  readonly #byHeight = new Map<number, { fb: FinalizedBlock; bytes: number }>();
  readonly #maxBytes: number;
  readonly #maxBlocks: number;
  #bytes = 0;

  constructor(opts: BlockCacheOptions = {}) {
    this.#maxBytes = opts.maxBytes ?? DEFAULT_BLOCK_CACHE_BYTES;
    this.#maxBlocks = opts.maxBlocks ?? 256;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  get(height: number): FinalizedBlock | undefined {
    const e = this.#byHeight.get(height);
    if (e) {
      this.#byHeight.delete(height);
      this.#byHeight.set(height, e);
    }
    return e?.fb;
  }

  set(height: number, fb: FinalizedBlock): void {
    const old = this.#byHeight.get(height);
    if (old) {
      this.#bytes -= old.bytes;
      this.#byHeight.delete(height);
    }
    const bytes = blockBytes(fb);
    this.#byHeight.set(height, { fb, bytes });
    this.#bytes += bytes;
    // The newest block stays even alone over the budget: it is the one receipts ask for.
    for (const [h, e] of this.#byHeight) {
      if (this.#byHeight.size <= 1 || (this.#bytes <= this.#maxBytes && this.#byHeight.size <= this.#maxBlocks)) break;
      this.#byHeight.delete(h);
      this.#bytes -= e.bytes;
    }
  }

  clear(): void {
    this.#byHeight.clear();
    this.#bytes = 0;
  }
}
