/** Both KvStores answer alike: the memory one stands in for LevelDB in tests and the simulator. */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { type KvStore, LevelKv, MemoryKv } from '../../../../src/db/index.js';
import { ChainDb } from '../../../../src/db/index.js';
import { ballot, buildBlocks, makeChain, tempDir } from '../fixtures.js';

const k = (...bytes: number[]): Buffer => Buffer.from(bytes);

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The same operations on a store, and everything read back. */
async function exercise(kv: KvStore): Promise<unknown[]> {
  await kv.write([
    { type: 'put', key: k(2, 0xff), value: { a: 1 } },
    { type: 'put', key: k(1), value: 'one' },
    { type: 'put', key: k(2), value: [1, 'two'] },
    { type: 'put', key: k(2, 1), value: 3 },
    { type: 'put', key: k(3), value: true },
  ]);
  await kv.write(
    [
      { type: 'del', key: k(3) },
      { type: 'put', key: k(0x80), value: 0 },
      { type: 'del', key: k(9) },
    ],
    {
      sync: true,
    },
  );
  return [
    await kv.get(k(1)),
    await kv.get(k(3)),
    await kv.getMany([k(2, 1), k(4), k(1)]),
    // Answered on this thread, the same as getMany (a validator's voter lookups take this path).
    kv.getManySync?.([k(2, 1), k(4), k(1), k(3)]),
    await all(kv.entries({})),
    await all(kv.entries({ gte: k(2), lt: k(3) })),
    await all(kv.entries({ gte: k(2), limit: 2 })),
    await all(kv.rawEntries({ gte: k(2, 0xff) })),
  ];
}

describe('KvStore implementations', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => cleanup());

  it('LevelKv and MemoryKv give the same answers (byte order, ranges, limits, JSON text)', async () => {
    const level = await LevelKv.open(dir);
    const fromLevel = await exercise(level);
    await level.close();
    const fromMemory = await exercise(new MemoryKv());
    expect(fromMemory).toEqual(fromLevel);
    expect(fromLevel[3]).toEqual([3, undefined, 'one', undefined]);
    expect(fromLevel[7]).toEqual([
      [k(2, 0xff), '{"a":1}'],
      [k(0x80), '0'],
    ]);
    // Neither stores a value of nothing, and a refused batch writes nothing.
    for (const kv of [await LevelKv.open(dir), new MemoryKv()]) {
      await expect(
        kv.write([
          { type: 'put', key: k(7), value: 1 },
          { type: 'put', key: k(8), value: null },
        ]),
      ).rejects.toThrow('Value cannot be null or undefined');
      expect(await kv.get(k(7))).toBeUndefined();
      await kv.close();
    }
  });

  it('a snapshot is a consistent read-only view: later writes do not show in it (both stores)', async () => {
    for (const kv of [await LevelKv.open(dir), new MemoryKv()]) {
      await kv.write([
        { type: 'put', key: k(1), value: 'a' },
        { type: 'put', key: k(2), value: 'b' },
      ]);
      const snap = kv.snapshot();
      await kv.write([
        { type: 'put', key: k(1), value: 'changed' },
        { type: 'del', key: k(2) },
        { type: 'put', key: k(3), value: 'new' },
      ]);
      expect(await snap.get(k(1))).toBe('a');
      expect(await snap.getMany([k(2), k(3)])).toEqual(['b', undefined]);
      expect(await all(snap.entries({}))).toEqual([
        [k(1), 'a'],
        [k(2), 'b'],
      ]);
      // Control: the store itself has the writes.
      expect(await all(kv.entries({}))).toEqual([
        [k(1), 'changed'],
        [k(3), 'new'],
      ]);
      await snap.close();
      await kv.close();
    }
  });

  it('a ChainDb runs on the memory store and reopens from it', async () => {
    const chain = makeChain();
    const kv = new MemoryKv();
    let db = await ChainDb.inMemory(chain.genesis, {}, kv);
    const votes = [[ballot('v1', '1', 'alice'), ballot('v2', '1', 'bob')], [ballot('v3', '1', 'alice')]];
    const blocks = buildBlocks(chain, 2, (h) => votes[h - 1] ?? []);
    for (const fb of blocks) await db.apply([{ kind: 'finalize', block: fb.block, certificate: fb.certificate }]);
    expect(await db.results('1')).toEqual({ electionId: '1', counts: { alice: 2, bob: 1 }, total: 3, height: 2 });
    await db.close();
    db = await ChainDb.inMemory(chain.genesis, {}, kv.reopen());
    expect(db.head().height).toBe(2);
    expect((await db.results('1')).total).toBe(3);
    await db.close();
  });
});
