import { describe, expect, it } from '@jest/globals';
import { genesisHash } from '@poa-vote/shared';
import { leaderBlock, makeTestChain, voteTx } from '@poa-vote/test-utils';
import { BlockLattices } from '../../../src/state/blockLattices.js';
import { ChainState } from '../../../src/state/chainState.js';

const chain = makeTestChain();
const votes = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => voteTx(`voter-${from + i}`, '1', i % 3 === 0 ? 'alice' : 'bob'));
const block1 = leaderBlock(chain, {
  height: 1,
  slot: 1,
  parentHash: genesisHash(chain.genesis),
  transactions: votes(0, 300),
});
const rival1 = leaderBlock(chain, {
  height: 1,
  slot: 2,
  parentHash: genesisHash(chain.genesis),
  transactions: votes(1000, 5),
});
const block2 = leaderBlock(chain, { height: 2, slot: 3, parentHash: block1.hash, transactions: votes(300, 200) });

/** A scheduler the test runs by hand. */
function manual() {
  const queue: (() => void)[] = [];
  return {
    schedule: (run: () => void) => queue.push(run),
    runAll: () => {
      while (queue.length > 0) queue.shift()?.();
    },
    runOne: () => queue.shift()?.(),
  };
}

/** The state roots after block1 and block2, with the given cache. */
function roots(lattices?: BlockLattices, between?: () => void) {
  const state = new ChainState(chain.genesis, undefined, lattices ? { lattices } : {});
  state.prepare(block1);
  state.prepare(rival1);
  between?.();
  state.apply(block1);
  const after1 = state.stateRoot;
  state.prepare(block2);
  between?.();
  state.apply(block2);
  return [after1, state.stateRoot];
}

describe('BlockLattices: voter entries hashed ahead of finality', () => {
  const plain = roots();

  it('gives the same state roots whether a block was hashed ahead, partly, or not at all', () => {
    const ahead = manual();
    const full = new BlockLattices({ schedule: ahead.schedule });
    expect(roots(full, ahead.runAll)).toEqual(plain);
    // Everything was hashed in slices, nothing at finality.
    expect(full.counts).toEqual({ ahead: 500 + 5, atTake: 0 });

    // One slice of one stride per run: the finalizing step finishes the rest.
    let t = 0;
    const part = manual();
    const partial = new BlockLattices({ schedule: part.schedule, sliceMs: 1, now: () => t++ });
    expect(roots(partial, part.runOne)).toEqual(plain);
    expect(partial.counts.ahead).toBeGreaterThan(0);
    expect(partial.counts.atTake).toBeGreaterThan(0);

    // No scheduler: nothing is held, every entry is hashed when the block is applied.
    const none = new BlockLattices();
    expect(roots(none, () => {})).toEqual(plain);
    expect(none.size).toBe(0);
    // Counted as hashed in the finalizing step: the metric's two counts cover every entry.
    expect(none.counts).toEqual({ ahead: 0, atTake: 500 });
  });

  it('matches the fixtures, which commit without it', () => {
    const next = leaderBlock(chain, { height: 2, slot: 3, parentHash: block1.hash, transactions: votes(300, 200) });
    expect(next.header.stateRoot).toBe(plain[0]);
  });

  it('drops the rival candidates of a finalized height and holds at most maxBlocks', () => {
    const m = manual();
    const l = new BlockLattices({ schedule: m.schedule, maxBlocks: 2 });
    l.prepare(block1);
    l.prepare(rival1);
    expect(l.size).toBe(2);
    l.take(block1);
    expect(l.size).toBe(0);
    l.prepare(block1);
    l.prepare(rival1);
    l.prepare(block2);
    expect(l.size).toBe(2);
    // The oldest (block1) went first: it would be hashed at take.
    expect(l.take(block1)).toBeUndefined();
  });
});

describe('BlockLattices: pooled votes hashed at admission', () => {
  const plain = roots();

  it('gives the same roots with entries memoized at admission, and takes them from the memo', () => {
    const m = manual();
    const l = new BlockLattices({ schedule: m.schedule });
    l.admit(block1.transactions);
    l.admit(block2.transactions);
    m.runAll();
    expect(l.memo).toEqual({ entries: 500, bytes: 500 * 2048, queued: 0 });
    // No slice runs between prepare and apply: every entry comes from the memo at take.
    expect(roots(l)).toEqual(plain);
    expect(l.counts).toEqual({ ahead: 500, atTake: 0 });
    // Finalized entries leave the memo.
    expect(l.memo.entries).toBe(0);
  });

  it('memoizes at most maxMemoBytes, oldest admissions first; the rest is hashed at take', () => {
    const m = manual();
    const l = new BlockLattices({ schedule: m.schedule, maxMemoBytes: 100 * 2048 });
    l.admit(block1.transactions);
    m.runAll();
    expect(l.memo.entries).toBe(100);
    expect(roots(l)).toEqual(plain);
    // 100 from the memo, the other 400 hashed in the finalizing steps.
    expect(l.counts).toEqual({ ahead: 100, atTake: 400 });
  });

  it('drops the entries of votes that were never finalized after memoMaxAge blocks', () => {
    const m = manual();
    const l = new BlockLattices({ schedule: m.schedule, memoMaxAge: 1 });
    l.admit(rival1.transactions);
    m.runAll();
    expect(l.memo.entries).toBe(5);
    l.take(block1);
    expect(l.memo.entries).toBe(5);
    l.take(block2);
    expect(l.memo.entries).toBe(0);
  });

  it('hashes nothing ahead without a scheduler', () => {
    const l = new BlockLattices();
    l.admit(block1.transactions);
    expect(l.memo).toEqual({ entries: 0, bytes: 0, queued: 0 });
  });
});
