/** The ballot verifier's pure parts: which transactions a message brings, and leases that also wait for ballots. */
import { describe, expect, it } from '@jest/globals';
import { messageTxs, withBallots } from '../../../src/node/ballotVerifier.js';

const tx = { from: 'v', to: 'election-1', data: 'x' };

describe('ballot verifier', () => {
  it('finds the transactions of every message kind that brings some, and ignores malformed ones', () => {
    expect(messageTxs({ type: 'txs', txs: [tx, { from: 1 } as never] })).toEqual([tx]);
    expect(messageTxs({ type: 'proposal', proposal: { block: { transactions: [tx] } } as never })).toEqual([tx]);
    expect(messageTxs({ type: 'block-response', block: { transactions: [tx] } as never })).toEqual([tx]);
    expect(messageTxs({ type: 'sync-response', blocks: [{ block: { transactions: [tx, tx] } } as never] })).toEqual([
      tx,
      tx,
    ]);
    expect(messageTxs({ type: 'pool-response', entries: [{ tx } as never], next: 0, done: true, height: 0 })).toEqual([
      tx,
    ]);
    expect(messageTxs({ type: 'block-request', hash: '0x00' })).toEqual([]);
    expect(messageTxs({ type: 'txs', txs: 'nope' as never })).toEqual([]);
  });

  it('a lease is ready once both the voters and the ballots are, and releases the voters once', async () => {
    let released = 0;
    let loaded!: () => void;
    const voters = { ready: new Promise<void>((r) => (loaded = r)), release: () => void released++ };
    let verified!: () => void;
    const ballots = new Promise<void>((r) => (verified = r));
    const lease = withBallots(voters, ballots);
    let ready = false;
    void lease.ready?.then(() => (ready = true));
    loaded();
    await Promise.resolve();
    await Promise.resolve();
    expect(ready).toBe(false);
    verified();
    await lease.ready;
    expect(ready).toBe(true);
    lease.release();
    expect(released).toBe(1);
    const same = { ready: undefined, release: () => undefined };
    expect(withBallots(same, undefined)).toBe(same);
  });
});
