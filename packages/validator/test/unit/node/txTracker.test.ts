/** What the node reports about a vote whose block the core has finalized but the db has not yet written. */
import { describe, it, expect } from '@jest/globals';
import { type Hex, genesisHash, txHash } from '@poa-vote/shared';
import { leaderBlock, makeTestChain, voteTx } from '@poa-vote/test-utils';
import type { Output } from '../../../src/consensus/index.js';
import { Mempool } from '../../../src/mempool/mempool.js';
import { TxTracker } from '../../../src/node/txTracker.js';

const chain = makeTestChain();
const tx = voteTx('voter-1', '1', 'alice');
const hash = txHash(tx);
const block = leaderBlock(chain, { height: 1, slot: 1, parentHash: genesisHash(chain.genesis), transactions: [tx] });
const finalizing: Output = {
  persist: [
    {
      kind: 'finalize',
      block,
      certificate: { type: 'precommit', height: 1, slot: 1, blockHash: block.hash, signatures: [] },
    } as never,
  ],
  send: [],
  events: [],
};

describe('TxTracker while a finalized block is being written', () => {
  it('serves the vote (with its place in the block) from memory until the write ends, then from the db, never as unknown', async () => {
    let onDisk = false;
    const db = {
      getTransaction: async (h: string) =>
        onDisk && h === hash ? { tx, hash, blockHash: block.hash, blockNumber: 1, transactionIndex: 0 } : undefined,
    };
    // The parts of the core the tracker reads: no candidate block, an empty pool.
    const core = { candidate: undefined, pool: new Mempool(), isReplicated: () => false };
    const tracker = new TxTracker(db as never, core as never);
    // Control: neither pooled, nor written, nor being written: unknown.
    expect((await tracker.state(hash)).state).toBe('unknown');
    expect(tracker.writing(hash)).toBeUndefined();
    tracker.writeStarted(finalizing);
    expect(tracker.writing(hash)).toEqual({ tx, hash, blockHash: block.hash, blockNumber: 1, transactionIndex: 0 });
    expect(await tracker.state(hash)).toEqual({ state: 'included', hash, blockHash: block.hash, blockNumber: 1 });
    onDisk = true;
    tracker.writeEnded(finalizing);
    expect(tracker.writing(hash)).toBeUndefined();
    expect((await tracker.state(hash)).state).toBe('finalized');
  });
});

describe('TxTracker: rejected votes remembered for status queries', () => {
  const core = { candidate: undefined, pool: new Mempool(), isReplicated: () => false };
  const db = { getTransaction: async () => undefined };
  // Reasons as long as a rejection's can be: a 128-character voter id and a long election id.
  const reject = (tracker: TxTracker, i: number) =>
    tracker.onEvent({
      type: 'tx-rejected',
      hash: `0x${i.toString(16).padStart(64, '0')}`,
      reason: `${'v'.repeat(128)}-${i} already voted in election-${'e'.repeat(64)} with 0x${'ab'.repeat(32)}`,
      conflictsWith: `0x${'ab'.repeat(32)}`,
    });
  const hashOf = (i: number): Hex => `0x${i.toString(16).padStart(64, '0')}`;

  it('are bounded in bytes, oldest forgotten first (control: an unbounded tracker holds them all)', async () => {
    const control = new TxTracker(db as never, core as never, { maxRejectedBytes: 1 << 30 });
    const bounded = new TxTracker(db as never, core as never, { maxRejectedBytes: 64 * 1024 });
    for (let i = 0; i < 2_000; i++) {
      reject(control, i);
      reject(bounded, i);
    }
    // ~2,000 x ~570 bytes: far over the bound without it.
    expect(control.rejectedBytes).toBeGreaterThan(1_000_000);
    expect((await control.state(hashOf(0))).state).toBe('rejected');
    expect(bounded.rejectedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(bounded.rejectedBytes).toBeGreaterThan(60 * 1024);
    expect((await bounded.state(hashOf(0))).state).toBe('unknown');
    const last = await bounded.state(hashOf(1_999));
    expect(last).toMatchObject({ state: 'rejected', conflictsWith: `0x${'ab'.repeat(32)}` });
    expect((last as { reason: string }).reason).toContain('already voted');
  });

  it('counts a rejection reported twice once', () => {
    const tracker = new TxTracker(db as never, core as never);
    reject(tracker, 7);
    const once = tracker.rejectedBytes;
    reject(tracker, 7);
    expect(tracker.rejectedBytes).toBe(once);
  });
});
