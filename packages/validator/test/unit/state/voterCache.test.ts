import { describe, it, expect } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import { VoterPrefetch } from '../../../src/consensus/reads.js';
import { TOPOLOGIES, makeScenario } from '../../../src/sim/scenario.js';
import { runScenario } from '../../../src/sim/simulator.js';
import { VoterCache } from '../../../src/state/voterCache.js';
import { VoterNotLoadedError } from '../../../src/state/voterStore.js';

const hash = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}` as Hex;

/** An index on "disk": a Map, answered later (async) like LevelDB. */
function source(disk: Map<string, Hex>) {
  let reads = 0;
  return {
    reads: () => reads,
    getMany: async (keys: readonly string[]) => {
      reads += keys.length;
      return keys.map((k) => disk.get(k));
    },
  };
}

describe('VoterCache: the one-vote index as a bounded, prefetched view', () => {
  it('answers only what was loaded, and the core never reads a guess', async () => {
    const disk = new Map([['e\u0000a', hash(1)]]);
    const cache = new VoterCache(source(disk));
    expect(() => cache.get('e\u0000a')).toThrow(VoterNotLoadedError);
    const lease = cache.load(['e\u0000a', 'e\u0000b']);
    await lease.ready;
    expect(cache.get('e\u0000a')).toBe(hash(1));
    expect(cache.get('e\u0000b')).toBeUndefined();
    lease.release();
    // Resident now: no read, ready at once.
    expect(cache.load(['e\u0000a']).ready).toBeUndefined();
  });

  it('holds finalized votes in memory until their block is on disk, then caches them', async () => {
    const disk = new Map<string, Hex>();
    const src = source(disk);
    const cache = new VoterCache(src, { maxBytes: 0 });
    const absent = cache.load(['e\u0000a']);
    await absent.ready;
    absent.release();
    cache.set('e\u0000a', hash(2), 5);
    expect(cache.get('e\u0000a')).toBe(hash(2));
    // A read that raced the write (the disk did not have it yet) never overrides the vote.
    disk.set('e\u0000a', hash(2));
    cache.settle(4);
    expect(cache.get('e\u0000a')).toBe(hash(2));
    cache.settle(5);
    // Settled with a budget of 0: evicted, and read back from disk on the next load.
    expect(() => cache.get('e\u0000a')).toThrow(VoterNotLoadedError);
    const again = cache.load(['e\u0000a']);
    await again.ready;
    expect(cache.get('e\u0000a')).toBe(hash(2));
    again.release();
    expect(cache.size).toBe(1);
  });

  it('stays within its byte budget except for pinned and retained voters', async () => {
    const disk = new Map<string, Hex>();
    for (let i = 0; i < 2000; i++) disk.set(`e\u0000v${i}`, hash(i));
    const cache = new VoterCache(source(disk), { maxBytes: 20_000 });
    const pooled = new Set(['e\u0000v0', 'e\u0000v1']);
    cache.retainWith(() => (k) => pooled.has(k));
    for (let i = 0; i < 2000; i += 100) {
      const keys = Array.from({ length: 100 }, (_, j) => `e\u0000v${i + j}`);
      const lease = cache.load(keys);
      await lease.ready;
      for (const k of keys) expect(cache.get(k)).toBe(disk.get(k));
      lease.release();
    }
    cache.trim();
    expect(cache.stats.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.stats.evictions).toBeGreaterThan(1000);
    for (const k of pooled) expect(cache.get(k)).toBe(disk.get(k));
  });

  it("the simulator's seeds fail when the driver does not load what a step reads", () => {
    // Every seed runs the core over a 4 KiB VoterCache (sim/disk.ts) loaded by sim/prefetch.ts;
    // without the loads of received messages, the first read of a new voter throws.
    const message = VoterPrefetch.prototype.message;
    VoterPrefetch.prototype.message = function (this: VoterPrefetch) {
      return { ready: undefined, release: () => undefined };
    };
    try {
      const topology = TOPOLOGIES[0];
      if (topology === undefined) throw new Error('no topology');
      const r = runScenario(makeScenario(1, topology));
      expect(r.ok).toBe(false);
      expect(r.failure?.message).toContain('was not loaded before the consensus step');
    } finally {
      VoterPrefetch.prototype.message = message;
    }
  });
});
