/**
 * Audit of the stored chain: re-verifies every stored block (links, proposer signature, leader
 * schedule, tx root, quorum certificate) with the same code clients use, from the genesis keys
 * alone. Incremental: only blocks past the persisted cursor are checked, so /verify stays cheap
 * on a long chain. A failure is sticky and persisted: a chain found corrupt stays reported so.
 */
import { type ChainCursor, type Genesis, genesisCursor, verifyFinalizedBlock } from '@poa-vote/shared';
import type { ChainDb } from './chainDb.js';
import type { VerifiedCursor } from './repositories/index.js';

/** The audit of the stored chain: `valid` until a stored block fails, with the failures named. */
export interface ChainAudit {
  valid: boolean;
  checkedBlocks: number;
  errors: string[];
}

/** Blocks read per step; the cursor is persisted after each step. */
const CHUNK = 256;

export class ChainVerifier {
  #running: Promise<ChainAudit> | undefined;

  constructor(
    private readonly db: ChainDb,
    private readonly genesis: Genesis,
  ) {}

  /**
   * Verify the blocks stored since the last run and report the chain's state. Concurrent calls
   * share one run. `full` starts over from genesis, forgetting earlier results.
   */
  verify(opts: { full?: boolean } = {}): Promise<ChainAudit> {
    if (this.#running && !opts.full) return this.#running;
    const run = (this.#running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.#verify(opts.full === true))
      .finally(() => {
        if (this.#running === run) this.#running = undefined;
      });
    this.#running = run;
    return run;
  }

  async #verify(full: boolean): Promise<ChainAudit> {
    const stored = full ? undefined : await this.db.getVerifiedCursor();
    let cursor: ChainCursor = stored
      ? { height: stored.height, hash: stored.hash, slot: stored.slot }
      : genesisCursor(this.genesis);
    let checked = stored?.checkedBlocks ?? 0;
    const errors = [...(stored?.errors ?? [])];
    if (full) await this.db.setVerifiedCursor({ ...cursor, checkedBlocks: 0 });
    if (errors.length > 0) return report(checked, errors);
    // A node started from a snapshot holds the blocks below it only once backfilled: not a fault
    // of the stored chain, so nothing is persisted, but it cannot be called verified yet.
    const backfill = await this.db.backfillState();
    if (backfill !== undefined && backfill.lowest > 1)
      return {
        valid: false,
        checkedBlocks: checked,
        errors: [
          `started from a snapshot at height ${backfill.snapshotHeight}: blocks 1..${backfill.lowest - 1} are still being backfilled`,
        ],
      };

    let step = CHUNK;
    const fail = async (message: string): Promise<ChainAudit> => {
      errors.push(message);
      await this.db.setVerifiedCursor({ ...cursor, checkedBlocks: checked, errors });
      return report(checked, errors);
    };
    while (cursor.height < this.db.head().height) {
      const from = cursor.height + 1;
      let blocks: Awaited<ReturnType<ChainDb['getFinalizedRange']>>;
      try {
        blocks = await this.db.getFinalizedRange(from, step);
      } catch (e) {
        // A chunk that cannot be decoded: retry block by block to name the broken one.
        if (step > 1) {
          step = 1;
          continue;
        }
        return fail(`stored block ${from} cannot be read: ${(e as Error).message}`);
      }
      if (blocks.length === 0)
        return fail(`stored block ${from} is missing (head is at height ${this.db.head().height})`);
      for (const fb of blocks) {
        try {
          cursor = verifyFinalizedBlock(this.genesis, cursor, fb).cursor;
        } catch (e) {
          return fail(`stored block ${cursor.height + 1}: ${(e as Error).message}`);
        }
        checked++;
      }
      step = CHUNK;
      await this.db.setVerifiedCursor({ ...cursor, checkedBlocks: checked });
    }
    const head = this.db.head();
    if (cursor.height === head.height && cursor.hash !== head.hash) {
      return fail(`head pointer ${head.hash} at height ${head.height} is not the verified block ${cursor.hash}`);
    }
    return report(checked, errors);
  }
}

function report(checked: number, errors: string[]): ChainAudit {
  return { valid: errors.length === 0, checkedBlocks: checked, errors: [...errors] };
}

export type { VerifiedCursor };
