/** Tallies against hostile candidate names: prototype-named candidates and unbounded name sets. */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { Level } from 'level';
import { type FinalizedBlock, MAX_CANDIDATES_PER_ELECTION, OTHER, SEALED } from '@poa-vote/shared';
import { Bucket, bucketStart } from '../../../src/db/buckets.js';
import { ChainDb } from '../../../src/db/index.js';
import type { PersistOp } from '../../../src/consensus/interface.js';
import { type TestChain, ballot, buildBlocks, makeChain, tempDir } from './fixtures.js';

const finalize = (fb: FinalizedBlock): PersistOp => ({
  kind: 'finalize',
  block: fb.block,
  certificate: fb.certificate,
});
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('ChainDb tallies', () => {
  let chain: TestChain;
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: ChainDb[] = [];

  async function open(opts: { tallyCacheElections?: number } = {}): Promise<ChainDb> {
    const db = await ChainDb.open(dir, chain.genesis, opts);
    opened.push(db);
    return db;
  }

  beforeEach(async () => {
    chain = makeChain();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await cleanup();
  });

  it('counts candidates named like Object.prototype members, in memory and across reopen', async () => {
    const blocks = buildBlocks(chain, 2, (h) =>
      HOSTILE.map((c, i) => ballot(`v${h}-${i}`, '1', c)).concat(h === 1 ? [ballot('a', '1', 'alice')] : []),
    );
    let db = await open();
    await db.apply(blocks.map(finalize));
    for (let round = 0; round < 2; round++) {
      const r = await db.results('1');
      expect(r.total).toBe(11);
      expect(Object.keys(r.counts)).toEqual([
        '__proto__',
        'alice',
        'constructor',
        'hasOwnProperty',
        'toString',
        'valueOf',
      ]);
      for (const c of HOSTILE) expect(Object.getOwnPropertyDescriptor(r.counts, c)?.value).toBe(2);
      // The sum of the counts is the total: nothing counted is missing from the answer.
      expect(Object.values(r.counts).reduce((a, b) => a + b, 0)).toBe(r.total);
      expect(JSON.parse(JSON.stringify(r.counts))).toEqual(
        JSON.parse('{"__proto__":2,"alice":1,"constructor":2,"hasOwnProperty":2,"toString":2,"valueOf":2}'),
      );
      await db.close();
      db = await open();
    }
  });

  it('reports no candidate for an election without votes, whatever its name', async () => {
    const db = await open();
    const r = await db.results('1');
    for (const c of HOSTILE) expect(Object.getOwnPropertyDescriptor(r.counts, c)).toBeUndefined();
    expect(Object.keys(r.counts)).toEqual([]);
  });

  it('counts a new name beyond MAX_CANDIDATES_PER_ELECTION under OTHER, known names and reserved buckets as usual', async () => {
    const names = Array.from({ length: MAX_CANDIDATES_PER_ELECTION }, (_, i) => `c${i}`);
    const blocks = buildBlocks(chain, 2, (h) =>
      h === 1
        ? names.map((c, i) => ballot(`v${i}`, '1', c))
        : [
            ballot('x1', '1', 'late-1'),
            ballot('x2', '1', 'c7'),
            ballot('x3', '1', 'late-2'),
            ballot('x4', '1', SEALED),
            ballot('x5', '1', OTHER),
            { from: 'x6', to: 'election-1', data: 'zz' },
          ],
    );
    let db = await open();
    await db.apply([finalize(blocks[0]!)]);
    await db.apply([finalize(blocks[1]!)]);
    for (let round = 0; round < 2; round++) {
      const r = await db.results('1');
      expect(r.total).toBe(MAX_CANDIDATES_PER_ELECTION + 6);
      expect(Object.keys(r.counts)).toHaveLength(MAX_CANDIDATES_PER_ELECTION + 2);
      expect(r.counts[OTHER]).toBe(3);
      expect(r.counts[SEALED]).toBe(2);
      expect(r.counts.c7).toBe(2);
      expect(r.counts['late-1']).toBeUndefined();
      await db.close();
      db = await open();
    }
  });

  it('keeps the counts of a bounded number of elections in memory and reads the others back', async () => {
    const elections = ['1', '2', '3', '4'];
    const blocks = buildBlocks(chain, 3, (h) =>
      elections.map((e) => ballot(`v${h}-${e}`, e, h === 2 ? 'bob' : 'alice')),
    );
    const db = await open({ tallyCacheElections: 2 });
    await db.apply([finalize(blocks[0]!)]);
    for (const e of elections)
      expect(await db.results(e)).toEqual({ electionId: e, counts: { alice: 1 }, total: 1, height: 1 });
    await db.apply([finalize(blocks[1]!), finalize(blocks[2]!)]);
    for (const e of elections)
      expect(await db.results(e)).toEqual({ electionId: e, counts: { alice: 2, bob: 1 }, total: 3, height: 3 });
    expect(await db.results('5')).toEqual({ electionId: '5', counts: {}, total: 0, height: 3 });
  });

  it('recounts the stored chain at open when its tallies were computed under older rules', async () => {
    const long = 'é'.repeat(100); // 100 UTF-16 code units, 200 UTF-8 bytes: a name under rules 1, sealed under rules 2
    const blocks = buildBlocks(chain, 2, (h) => [ballot(`a${h}`, '1', 'alice'), ballot(`l${h}`, '1', long)]);
    let db = await open();
    await db.apply(blocks.map(finalize));
    await db.close();
    // What software of rules 1 left behind: no tallyRules meta, counts for the long name.
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.del(Buffer.concat([bucketStart(Bucket.meta), Buffer.from('tallyRules')]));
    await level.del(Buffer.concat([bucketStart(Bucket.tally), Buffer.from(`1\u0000${SEALED}`)]));
    await level.put(Buffer.concat([bucketStart(Bucket.tally), Buffer.from(`1\u0000${long}`)]), 2);
    await level.close();
    db = await open();
    expect(await db.results('1')).toEqual({ electionId: '1', counts: { alice: 2, sealed: 2 }, total: 4, height: 2 });
  });
});
