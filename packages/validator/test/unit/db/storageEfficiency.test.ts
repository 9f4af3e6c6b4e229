import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { Level } from 'level';
import { type FinalizedBlock, type Hex, certificateFromVotes, createVote, txHash, voterKey } from '@poa-vote/shared';
import {
  Bucket,
  ChainDb,
  DbErrorCode,
  MetaKey,
  SCHEMA_VERSION,
  encodeHash,
  encodeHeight,
} from '../../../src/db/index.js';
import type { PersistOp, SafetyState } from '../../../src/consensus/interface.js';
import { type TestChain, ballot, buildBlocks, makeChain, tempDir } from './fixtures.js';

const finalize = (fb: FinalizedBlock): PersistOp => ({
  kind: 'finalize',
  block: fb.block,
  certificate: fb.certificate,
});

/** Every raw (key, value) pair of one bucket, read with a second handle on a closed database. */
async function rawBucket(dir: string, bucket: Bucket): Promise<[Buffer, unknown][]> {
  const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
  await level.open();
  try {
    const out: [Buffer, unknown][] = [];
    for await (const e of level.iterator({ gte: Buffer.from([bucket]), lt: Buffer.from([bucket + 1]) })) out.push(e);
    return out;
  } finally {
    await level.close();
  }
}

describe('ChainDb storage efficiency', () => {
  let chain: TestChain;
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: ChainDb[] = [];

  async function open(): Promise<ChainDb> {
    const db = await ChainDb.open(dir, chain.genesis);
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

  function lockedState(fb: FinalizedBlock, slot: number): SafetyState {
    const polka = certificateFromVotes(
      [0, 1].map((i) =>
        createVote(chain.genesis, chain.signers[i]!, i, { type: 'prevote', height: 1, slot, blockHash: fb.block.hash }),
      ),
    );
    return {
      height: 1,
      lastProposedSlot: slot,
      lastPrevoteSlot: slot,
      lastPrecommitSlot: slot,
      lock: { slot, block: fb.block, polka },
    };
  }

  it('stores a locked block once, however often the safety state is rewritten, and drops it once decided', async () => {
    const [fb] = buildBlocks(chain, 1, () => [ballot('v1', '1', 'a'), ballot('v2', '1', 'b')]);
    const db = await open();
    const states = [1, 2, 3].map((slot) => lockedState(fb!, slot));
    for (const s of states) await db.apply([{ kind: 'safety', state: s }]);
    expect(await db.loadSafety()).toEqual(states[2]);
    await db.close();
    const locks = await rawBucket(dir, Bucket.lockBlock);
    expect(locks).toHaveLength(1);
    expect(locks[0]![0].subarray(1)).toEqual(encodeHash(fb!.block.hash));
    // The safety value holds the block's hash, not the block.
    const [[, safety]] = (await rawBucket(dir, Bucket.safety)) as [[Buffer, { lock: Record<string, unknown> }]];
    expect(safety.lock).toEqual({ slot: 3, blockHash: fb!.block.hash, polka: states[2]!.lock!.polka });

    const db2 = await open();
    expect(await db2.loadSafety()).toEqual(states[2]);
    await db2.apply([
      finalize(fb!),
      { kind: 'safety', state: { height: 2, lastProposedSlot: 3, lastPrevoteSlot: -1, lastPrecommitSlot: -1 } },
    ]);
    await db2.close();
    expect(await rawBucket(dir, Bucket.lockBlock)).toEqual([]);
  });

  it('reports a lock whose block is missing as corruption', async () => {
    const [fb] = buildBlocks(chain, 1, () => []);
    const db = await open();
    await db.apply([{ kind: 'safety', state: lockedState(fb!, 1) }]);
    await db.close();
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.del(Buffer.concat([Buffer.from([Bucket.lockBlock]), encodeHash(fb!.block.hash)]));
    await level.close();
    const db2 = await open();
    await expect(db2.loadSafety()).rejects.toMatchObject({
      code: DbErrorCode.CORRUPT,
      message: expect.stringContaining(fb!.block.hash),
    });
  });

  it('keeps the one-vote index by voterKey (read on demand) and still reads a version 1 voter index', async () => {
    const [b1, b2] = buildBlocks(chain, 2, (h) => [ballot(`v${h}`, '1', 'a')]);
    let db = await open();
    await db.apply([finalize(b1!)]);
    await db.close();
    // Rewrite the database as version 1 software left it: [height, index] and a voter index entry.
    const tx1 = b1!.block.transactions[0]!;
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.batch([
      { type: 'put', key: Buffer.concat([Buffer.from([Bucket.txLocation]), encodeHash(txHash(tx1))]), value: [1, 0] },
      {
        type: 'put',
        key: Buffer.concat([Buffer.from([Bucket.voterIndex]), Buffer.from(voterKey(tx1))]),
        value: txHash(tx1),
      },
      { type: 'put', key: Buffer.concat([Buffer.from([Bucket.meta]), Buffer.from(MetaKey.schemaVersion)]), value: 1 },
    ]);
    await level.close();

    db = await open();
    await db.apply([finalize(b2!)]);
    const tx2 = b2!.block.transactions[0]!;
    expect(new Map((await db.loadChainStateSnapshot()).voters)).toEqual(
      new Map([tx1, tx2].map((t) => [voterKey(t), txHash(t)])),
    );
    expect(await db.getTxLocation(txHash(tx1))).toEqual({ height: 1, index: 0 });
    expect(await db.getTxLocation(txHash(tx2))).toEqual({ height: 2, index: 0 });
    await db.close();
    // Every finalized vote has its index entry (schema 3); new tx locations name from and to (schema 5).
    expect((await rawBucket(dir, Bucket.voterIndex)).map(([k]) => k.subarray(1).toString())).toEqual([
      voterKey(tx1),
      voterKey(tx2),
    ]);
    expect((await rawBucket(dir, Bucket.txLocation)).map(([, v]) => v)).toContainEqual([2, 0, tx2.from, tx2.to]);
    const meta = await rawBucket(dir, Bucket.meta);
    expect(meta.find(([k]) => k.subarray(1).toString() === MetaKey.schemaVersion)![1]).toBe(SCHEMA_VERSION);
  });

  it('upgrades a version 2 database: the voterKeys of its tx locations become index entries', async () => {
    const blocks = buildBlocks(chain, 2, (h) => [ballot(`v${h}`, '1', 'a'), ballot(`w${h}`, '2', 'b')]);
    let db = await open();
    for (const fb of blocks) await db.apply([finalize(fb)]);
    await db.close();
    // As version 2 software left it: [height, index, voterKey] and no index entries.
    const txs = blocks.flatMap((fb) => fb.block.transactions);
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.batch([
      ...txs.map((tx, i) => ({
        type: 'put' as const,
        key: Buffer.concat([Buffer.from([Bucket.txLocation]), encodeHash(txHash(tx))]),
        value: [1 + Math.floor(i / 2), i % 2, voterKey(tx)],
      })),
      ...txs.map((tx) => ({
        type: 'del' as const,
        key: Buffer.concat([Buffer.from([Bucket.voterIndex]), Buffer.from(voterKey(tx))]),
      })),
      { type: 'put', key: Buffer.concat([Buffer.from([Bucket.meta]), Buffer.from(MetaKey.schemaVersion)]), value: 2 },
    ]);
    await level.close();
    db = await open();
    expect(await db.voterTxs([...txs.map((tx) => voterKey(tx)), 'election-1\u0000nobody'])).toEqual([
      ...txs.map((tx) => txHash(tx)),
      undefined,
    ]);
    expect(await db.getTxLocation(txHash(txs[3]!))).toEqual({ height: 2, index: 1 });
    await db.close();
    const meta = await rawBucket(dir, Bucket.meta);
    expect(meta.find(([k]) => k.subarray(1).toString() === MetaKey.schemaVersion)![1]).toBe(SCHEMA_VERSION);
  });

  it('reads a receipt without its block (schema 5), and from the block for a location written before', async () => {
    const [b1, b2] = buildBlocks(chain, 2, (h) => [ballot(`v${h}`, '1', 'a'), ballot(`w${h}`, '1', 'b')]);
    let db = await open();
    await db.apply([finalize(b1!), finalize(b2!)]);
    const receipt = (fb: typeof b1, i: number) => {
      const tx = fb!.block.transactions[i]!;
      return {
        hash: txHash(tx),
        blockHash: fb!.block.hash,
        blockNumber: fb!.block.header.height,
        transactionIndex: i,
        from: tx.from,
        to: tx.to,
      };
    };
    expect(await db.getReceipt(txHash(b1!.block.transactions[1]!))).toEqual(receipt(b1, 1));
    await db.close();
    // Block 1 gone from the disk; tx 0 of block 2 located as schema 4 wrote it ([height, index]).
    const [b2tx0] = b2!.block.transactions;
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.batch([
      { type: 'del', key: Buffer.concat([Buffer.from([Bucket.block]), encodeHeight(1)]) },
      {
        type: 'put',
        key: Buffer.concat([Buffer.from([Bucket.txLocation]), encodeHash(txHash(b2tx0!))]),
        value: [2, 0],
      },
    ]);
    await level.close();
    db = await open();
    // Read from the location and the certificate: the block is not needed (nor read: it is gone).
    expect(await db.getReceipt(txHash(b1!.block.transactions[0]!))).toEqual(receipt(b1, 0));
    expect(await db.getTransaction(txHash(b1!.block.transactions[0]!))).toBeUndefined();
    // A location without from and to: read from its block.
    expect(await db.getReceipt(txHash(b2tx0!))).toEqual(receipt(b2, 0));
    expect(await db.getReceipt(txHash(ballot('nobody', '1', 'a')))).toBeUndefined();
    await db.close();
  });

  it('refuses schema versions it does not know', async () => {
    const db = await open();
    await db.close();
    const level = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    await level.put(Buffer.concat([Buffer.from([Bucket.meta]), Buffer.from(MetaKey.schemaVersion)]), 99);
    await level.close();
    await expect(ChainDb.open(dir, chain.genesis)).rejects.toMatchObject({
      code: DbErrorCode.SCHEMA_MISMATCH,
      message: expect.stringContaining('99'),
    });
  });

  it('writes no pool entry for a vote admitted and finalized in the same batch', async () => {
    const [fb] = buildBlocks(chain, 1, () => [ballot('v1', '1', 'a'), ballot('v2', '1', 'b')]);
    const pending = ballot('v3', '1', 'c');
    let db = await open();
    await db.apply([{ kind: 'pool-add', txs: [...fb!.block.transactions, pending] }, finalize(fb!)]);
    await db.close();
    const pool = await rawBucket(dir, Bucket.pool);
    expect(pool.map(([k]) => `0x${k.subarray(1).toString('hex')}`)).toEqual([txHash(pending)]);
    db = await open();
    expect(await db.loadPool()).toEqual([pending]);
  });

  it('groups applies issued while a write is in flight, and a bad one fails alone', async () => {
    const blocks = buildBlocks(chain, 3, (h) => [ballot(`v${h}`, '1', 'a')]);
    const db = await open();
    const outcomes = await Promise.allSettled([
      db.apply([finalize(blocks[0]!)]),
      db.apply([finalize(blocks[1]!)]),
      db.apply([{ kind: 'pool-remove', hashes: ['0xbad' as Hex] }]),
      db.apply([finalize(blocks[2]!)]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: DbErrorCode.INVALID_ARGUMENT });
    expect(db.head().height).toBe(3);
    expect((await db.results('1')).total).toBe(3);
  });
});
