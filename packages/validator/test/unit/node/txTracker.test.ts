/** What the node reports about a vote whose block the core has finalized but the db has not yet written. */
import { describe, it, expect } from '@jest/globals';
import { genesisHash, txHash } from '@poa-vote/shared';
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
