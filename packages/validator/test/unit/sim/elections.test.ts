/**
 * Encrypted elections in the simulator: configured, keyed, voted and decrypted across the
 * scenario's partitions, crashes and disk losses; the checker requires every node that decrypted
 * to show exactly the sum of the ballots on its finalized chain.
 */
import { describe, expect, it } from '@jest/globals';
import { makeScenario } from '../../../src/sim/scenario.js';
import { runScenario } from '../../../src/sim/simulator.js';

const CASES = [
  { seed: 1, topology: { n: 3, quorum: 'majority' as const } },
  { seed: 2, topology: { n: 3, quorum: 'majority' as const } },
  { seed: 5, topology: { n: 4, quorum: 'bft' as const } },
];

describe('simulator: encrypted elections under faults', () => {
  for (const { seed, topology } of CASES) {
    it(`seed ${seed}, ${topology.n}-${topology.quorum}: decrypted tally = sum of the accepted ballots`, () => {
      const s = makeScenario(seed, topology, { encryptedElection: true, faultSlots: 40, healSlots: 40 });
      const r = runScenario(s);
      if (!r.ok) throw new Error(`${r.description}\n${r.failure?.message}\n${r.traceTail.join('\n')}`);
      expect(r.stats.election?.phase).toBe('decrypted');
      expect(r.stats.election?.ballots).toBeGreaterThan(0);
      const counts = r.stats.election?.counts ?? [];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(r.stats.election?.ballots);
      // The same seed replays exactly.
      expect(runScenario(s).digest).toBe(r.digest);
    }, 120_000);
  }

  // One validator is down from the start until the heal: the key ceremony goes on without it after
  // the key phase's deadline (2 of 3 keys, the threshold), the two participants deal, hold the shares
  // and decrypt; when the third comes back it takes no part (its late key or partial would be refused).
  for (const seed of [3, 4]) {
    it(`seed ${seed}, 3-majority, n2 down for the whole ceremony: 2 of 3 trustees key and decrypt`, () => {
      const s = makeScenario(
        seed,
        { n: 3, quorum: 'majority' },
        { encryptedElection: true, faultSlots: 60, healSlots: 20, downNode: 2 },
      );
      const r = runScenario(s);
      if (!r.ok) throw new Error(`${r.description}\n${r.failure?.message}\n${r.traceTail.join('\n')}`);
      expect(r.stats.election?.phase).toBe('decrypted');
      expect(r.stats.election?.participants).toEqual([1, 2]);
      expect(r.stats.election?.ballots).toBeGreaterThan(0);
      const counts = r.stats.election?.counts ?? [];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(r.stats.election?.ballots);
      expect(runScenario(s).digest).toBe(r.digest);
    }, 120_000);
  }
});
