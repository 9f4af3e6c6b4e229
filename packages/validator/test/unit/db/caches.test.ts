/** The block and tally caches are bounded in (estimated) bytes. */
import { describe, it, expect } from '@jest/globals';
import { BlockCache, blockBytes } from '../../../src/db/blockCache.js';
import { TallyCache } from '../../../src/db/tallyCache.js';
import { ballot, buildBlocks, makeChain } from './fixtures.js';

describe('bounded caches', () => {
  it('BlockCache keeps the most recently used blocks within its bytes, the newest always', () => {
    const chain = makeChain();
    const blocks = buildBlocks(chain, 4, (h) => Array.from({ length: 50 }, (_, i) => ballot(`v${h}-${i}`, '1', 'a')));
    const [b1, b2, b3, b4] = blocks;
    if (!b1 || !b2 || !b3 || !b4) throw new Error('blocks');
    const cache = new BlockCache({ maxBytes: blockBytes(b1) * 2 + 100 });
    cache.set(1, b1);
    cache.set(2, b2);
    expect(cache.get(1)).toBe(b1); // 1 is now the most recently used
    cache.set(3, b3);
    expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual([b1, undefined, b3]);
    expect(cache.bytes).toBeLessThanOrEqual(blockBytes(b1) * 2 + 100);
    const tiny = new BlockCache({ maxBytes: 1 });
    tiny.set(4, b4);
    expect(tiny.get(4)).toBe(b4);
  });

  it('TallyCache evicts the least recently used elections beyond its bytes', () => {
    const counts = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`candidate-${i}`, i] as const));
    const cache = new TallyCache({ maxBytes: 2_000 });
    for (const e of ['1', '2', '3']) cache.setTotal(e, 1);
    cache.load('1', counts(10));
    cache.load('2', counts(10));
    expect(cache.residentElections()).toEqual(['1', '2']);
    cache.counts('1');
    cache.load('3', counts(10));
    expect(cache.residentElections()).toEqual(['1', '3']);
    expect(cache.bytes).toBeLessThanOrEqual(2_000);
    cache.load('2', counts(200));
    expect(cache.residentElections()).toEqual(['2']);
  });
});
