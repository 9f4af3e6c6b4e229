import { describe, expect, it } from '@jest/globals';
import { LtHash, type StateEntry } from '@poa-vote/shared';
import { LatticeHasher } from '../../../src/state/latticeHasher.js';

// The workers run the built script (npm run build): jest does not compile a worker's module.
const workerUrl = new URL('../../../dist/state/latticeWorker.js', import.meta.url);

const entries = (from: number, n: number): StateEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'voter',
    voterKey: `election-1\u0000voter-${from + i}`,
    txHash: `0x${(from + i).toString(16).padStart(64, '0')}`,
  }));

function inOneThread(batches: StateEntry[][]): string {
  const l = new LtHash();
  for (const b of batches) for (const e of b) l.addEntry(e);
  return l.root();
}

describe('LatticeHasher', () => {
  const batches = Array.from({ length: 9 }, (_, k) => entries(k * 100, 100));

  it('sums entries hashed in worker threads to the lattice of one thread, and starts empty again', async () => {
    const h = new LatticeHasher({ workers: 3, maxQueued: 2, workerUrl });
    try {
      for (const b of batches) await h.add(b);
      expect((await h.sum()).root()).toBe(inOneThread(batches));
      await h.add(batches[0] as StateEntry[]);
      expect((await h.sum()).root()).toBe(inOneThread([batches[0] as StateEntry[]]));
      // A different set of entries gives a different root (the comparison can fail).
      for (const b of batches.slice(1)) await h.add(b);
      expect((await h.sum()).root()).not.toBe(inOneThread(batches));
    } finally {
      await h.close();
    }
  });

  it('hashes in place without workers', async () => {
    const h = new LatticeHasher({ workers: 0 });
    for (const b of batches) await h.add(b);
    expect((await h.sum()).root()).toBe(inOneThread(batches));
  });

  it('refuses the sum when a worker failed (a malformed entry)', async () => {
    const h = new LatticeHasher({ workers: 2, workerUrl });
    try {
      await h.add([{ kind: 'bogus' } as unknown as StateEntry]);
      await h.add(batches[0] as StateEntry[]);
      await expect(h.sum()).rejects.toThrow(/unknown state entry kind/);
    } finally {
      await h.close();
    }
  });
});
