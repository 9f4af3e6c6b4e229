import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import {
  type Evidence,
  type FinalizedBlock,
  type Hex,
  type Vote,
  certificateFromVotes,
  createVote,
  genesisHash,
  txHash,
  voterKey,
} from '@poa-vote/shared';
import { ChainDb, DbErrorCode } from '../../../src/db/index.js';
import type { PersistOp, SafetyState } from '../../../src/consensus/interface.js';
import { receiptOf } from '../../../src/node/apiBackend.js';
import { type TestChain, ballot, buildBlocks, makeChain, tempDir } from './fixtures.js';

const finalize = (fb: FinalizedBlock): PersistOp => ({
  kind: 'finalize',
  block: fb.block,
  certificate: fb.certificate,
});

describe('ChainDb', () => {
  let chain: TestChain;
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: ChainDb[] = [];

  async function open(): Promise<ChainDb> {
    const db = await ChainDb.open(dir, chain.genesis);
    opened.push(db);
    return db;
  }
  async function reopen(db: ChainDb): Promise<ChainDb> {
    await db.close();
    return open();
  }

  beforeEach(async () => {
    chain = makeChain();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await cleanup();
  });

  it('starts at the genesis with nothing stored', async () => {
    const db = await open();
    expect(db.head()).toEqual({ height: 0, hash: genesisHash(chain.genesis), slot: 0 });
    expect(await db.loadSafety()).toBeUndefined();
    expect(await db.loadPool()).toEqual([]);
    expect(await db.getFinalized(1)).toBeUndefined();
    expect(await db.getFinalizedRange(1, 10)).toEqual([]);
    expect(await db.results('1')).toEqual({ electionId: '1', counts: {}, total: 0, height: 0 });
    const snap = await db.loadChainStateSnapshot();
    expect(snap.head.height).toBe(0);
    expect([...snap.voters]).toEqual([]);
  });

  it('a new directory does not vouch, also after a restart, until the vouching op is stored', async () => {
    // A validator restarted before it finished reading its peers' pools (or right after a snapshot
    // sync, which reopens its database) must still not vouch: its pool lost what it acknowledged.
    let db = await open();
    expect(db.vouching).toBe(false);
    db = await reopen(db);
    expect(db.vouching).toBe(false);
    await db.apply([{ kind: 'vouching' }]);
    db = await reopen(db);
    expect(db.vouching).toBe(true);
  });

  it('stores a finalized block with every index, tally and pool removal, and keeps them across reopen', async () => {
    const txs = [
      ballot('v1', '1', 'alice'),
      ballot('v2', '1', 'bob'),
      ballot('v3', '1', 'alice'),
      { from: 'v4', to: 'election-1', data: '0xdeadbeef' },
    ];
    const pending = ballot('v9', '1', 'carol');
    const [fb] = buildBlocks(chain, 1, () => txs);
    let db = await open();
    await db.apply([{ kind: 'pool-add', txs: [...txs, pending] }]);
    expect(await db.loadPool()).toHaveLength(5);
    await db.apply([finalize(fb!)]);

    for (let round = 0; round < 2; round++) {
      expect(db.head()).toEqual({ height: 1, hash: fb!.block.hash, slot: fb!.block.header.slot });
      expect(await db.getFinalized(1)).toEqual(fb);
      expect(await db.getFinalizedByHash(fb!.block.hash)).toEqual(fb);
      expect(await db.getTxLocation(txHash(txs[2]!))).toEqual({ height: 1, index: 2 });
      // Storage keeps what a receipt names and the transaction's place; the API layer shapes it.
      const stored = await db.getReceipt(txHash(txs[1]!));
      expect(stored && receiptOf(stored)).toEqual({
        transactionHash: txHash(txs[1]!),
        transactionIndex: 1,
        blockHash: fb!.block.hash,
        blockNumber: 1,
        from: 'v2',
        to: 'election-1',
        status: 'success',
      });
      expect(await db.getTransaction(txHash(txs[3]!))).toEqual({
        tx: txs[3],
        hash: txHash(txs[3]!),
        blockHash: fb!.block.hash,
        blockNumber: 1,
        transactionIndex: 3,
      });
      expect(await db.results('1')).toEqual({
        electionId: '1',
        counts: { alice: 2, bob: 1, sealed: 1 },
        total: 4,
        height: 1,
      });
      expect(db.electionVoteCount('1')).toBe(4);
      expect(db.electionVoteCount('2')).toBe(0);
      expect(await db.loadPool()).toEqual([pending]);
      expect(await db.getPoolTx(txHash(pending))).toEqual(pending);
      expect(await db.getPoolTx(txHash(txs[0]!))).toBeUndefined();
      const snap = await db.loadChainStateSnapshot();
      expect(snap.head).toEqual(db.head());
      expect(new Map(snap.voters)).toEqual(new Map(txs.map((t) => [voterKey(t), txHash(t)])));
      db = await reopen(db);
    }
  });

  it('accumulates tallies over several finalize ops in one batch and across reopen', async () => {
    const blocks = buildBlocks(chain, 4, (h) => [
      ballot(`a${h}`, '1', 'alice'),
      ballot(`b${h}`, '1', h % 2 ? 'bob' : 'alice'),
      ballot(`c${h}`, 'x.2', 'zed'),
    ]);
    let db = await open();
    await db.apply(blocks.slice(0, 3).map(finalize));
    expect((await db.results('1')).counts).toEqual({ alice: 4, bob: 2 });
    expect(await db.results('x.2')).toEqual({ electionId: 'x.2', counts: { zed: 3 }, total: 3, height: 3 });
    db = await reopen(db);
    expect(await db.results('1')).toEqual({ electionId: '1', counts: { alice: 4, bob: 2 }, total: 6, height: 3 });
    await db.apply([finalize(blocks[3]!)]);
    db = await reopen(db);
    expect(await db.results('1')).toEqual({ electionId: '1', counts: { alice: 6, bob: 2 }, total: 8, height: 4 });
    expect((await db.results('x.2')).total).toBe(4);
  });

  it('writes nothing of a batch that fails, not even its finalized block', async () => {
    const txs = [ballot('v1', '1', 'alice')];
    const [fb] = buildBlocks(chain, 1, () => txs);
    let db = await open();
    await db.apply([{ kind: 'pool-add', txs }]);
    const bad = db.apply([finalize(fb!), { kind: 'pool-remove', hashes: ['0xnot-a-hash' as Hex] }]);
    await expect(bad).rejects.toMatchObject({
      code: DbErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('0xnot-a-hash'),
    });
    for (let round = 0; round < 2; round++) {
      expect(db.head().height).toBe(0);
      expect(await db.getFinalized(1)).toBeUndefined();
      expect(await db.getFinalizedByHash(fb!.block.hash)).toBeUndefined();
      expect(await db.getTxLocation(txHash(txs[0]!))).toBeUndefined();
      expect((await db.results('1')).total).toBe(0);
      expect(await db.loadPool()).toEqual(txs);
      db = await reopen(db);
    }
    await db.apply([finalize(fb!)]);
    expect((await db.results('1')).counts).toEqual({ alice: 1 });
  });

  it('refuses finalized blocks that do not extend the head or whose certificate is for another block', async () => {
    const [b1, b2] = buildBlocks(chain, 2, () => []);
    const db = await open();
    await expect(db.apply([finalize(b2!)])).rejects.toMatchObject({
      code: DbErrorCode.OUT_OF_ORDER,
      message: expect.stringContaining('height 2'),
    });
    await expect(
      db.apply([{ kind: 'finalize', block: b1!.block, certificate: b2!.certificate }]),
    ).rejects.toMatchObject({ code: DbErrorCode.OUT_OF_ORDER });
    await db.apply([finalize(b1!)]);
    await expect(db.apply([finalize(b1!)])).rejects.toMatchObject({ code: DbErrorCode.OUT_OF_ORDER });
    expect(db.head().height).toBe(1);
  });

  it('round-trips the safety state, the last one of a batch winning', async () => {
    const [fb] = buildBlocks(chain, 1, () => [ballot('v1', '1', 'a')]);
    const polka = certificateFromVotes(
      [0, 2].map((i) =>
        createVote(chain.genesis, chain.signers[i]!, i, {
          type: 'prevote',
          height: 1,
          slot: 1,
          blockHash: fb!.block.hash,
        }),
      ),
    );
    const first: SafetyState = { height: 1, lastProposedSlot: -1, lastPrevoteSlot: 0, lastPrecommitSlot: -1 };
    const second: SafetyState = {
      height: 1,
      lastProposedSlot: 1,
      lastPrevoteSlot: 1,
      lastPrecommitSlot: 1,
      lock: { slot: 1, block: fb!.block, polka },
    };
    let db = await open();
    await db.apply([
      { kind: 'safety', state: first },
      { kind: 'safety', state: second },
    ]);
    expect(await db.loadSafety()).toEqual(second);
    db = await reopen(db);
    expect(await db.loadSafety()).toEqual(second);
    await db.apply([{ kind: 'safety', state: first }]);
    db = await reopen(db);
    expect(await db.loadSafety()).toEqual(first);
  });

  it('restores the pool in acceptance order, also for additions after a reopen', async () => {
    const txs = Array.from({ length: 6 }, (_, i) => ballot(`voter-${i}`, '1', 'z'));
    let db = await open();
    await db.apply([{ kind: 'pool-add', txs: [txs[3]!, txs[1]!] }]);
    await db.apply([
      { kind: 'pool-add', txs: [txs[5]!] },
      { kind: 'pool-remove', hashes: [txHash(txs[1]!)] },
    ]);
    db = await reopen(db);
    expect(await db.loadPool()).toEqual([txs[3], txs[5]]);
    await db.apply([{ kind: 'pool-add', txs: [txs[0]!, txs[1]!] }]);
    db = await reopen(db);
    expect(await db.loadPool()).toEqual([txs[3], txs[5], txs[0], txs[1]]);
  });

  it('reads ascending contiguous ranges for sync', async () => {
    const blocks = buildBlocks(chain, 5, (h) => [ballot(`v${h}`, '1', 'a')]);
    const db = await open();
    await db.apply(blocks.map(finalize));
    const heights = (fbs: FinalizedBlock[]): number[] => fbs.map((f) => f.block.header.height);
    expect(heights(await db.getFinalizedRange(2, 2))).toEqual([2, 3]);
    expect(heights(await db.getFinalizedRange(4, 10))).toEqual([4, 5]);
    expect(heights(await db.getFinalizedRange(0, 2))).toEqual([1, 2]);
    expect(await db.getFinalizedRange(6, 10)).toEqual([]);
    expect(await db.getFinalizedRange(1, 0)).toEqual([]);
    expect(await db.getFinalizedRange(1, 5)).toEqual(blocks);
    await expect(db.getFinalizedRange(-1, 2)).rejects.toMatchObject({
      code: DbErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('fromHeight'),
    });
    await expect(db.getFinalized(1.5)).rejects.toMatchObject({ code: DbErrorCode.INVALID_ARGUMENT });
  });

  it('keeps heights in numeric order past byte boundaries', async () => {
    const blocks = buildBlocks(chain, 260, () => []);
    let db = await open();
    await db.apply(blocks.map(finalize));
    db = await reopen(db);
    const range = await db.getFinalizedRange(250, 20);
    expect(range.map((f) => f.block.header.height)).toEqual(Array.from({ length: 11 }, (_, i) => 250 + i));
    expect((await db.getFinalized(256))?.block.hash).toBe(blocks[255]!.block.hash);
  });

  it('resolves submission ids and finds nothing for unknown or malformed references', async () => {
    const tx = ballot('v1', '1', 'a');
    const h = txHash(tx);
    let db = await open();
    await db.apply([{ kind: 'pool-add', txs: [tx] }], [{ id: 'req-17', hash: h }]);
    db = await reopen(db);
    expect(await db.resolveSubmissionId('req-17')).toBe(h);
    expect(await db.resolveSubmissionId('req-18')).toBeUndefined();
    expect(await db.getPoolTx(h.toUpperCase().replace('0X', '0x') as Hex)).toEqual(tx);
    expect(await db.getTransaction('0x1234' as Hex)).toBeUndefined();
    expect(await db.getTransaction(h)).toBeUndefined();
    // A binding that cannot be stored is skipped, never fatal: a failed batch stops the node.
    await db.apply([], [{ id: '', hash: h }]);
    await db.apply([], [{ id: 'x', hash: '0x12' as Hex }]);
    expect(await db.resolveSubmissionId('x')).toBeUndefined();
  });

  it('stores evidence once per evidence id', async () => {
    const vote = (hash: Hex): Vote =>
      createVote(chain.genesis, chain.signers[2]!, 2, { type: 'prevote', height: 1, slot: 1, blockHash: hash });
    const ev: Evidence = {
      kind: 'double-vote',
      validator: 2,
      a: vote(`0x${'11'.repeat(32)}`),
      b: vote(`0x${'22'.repeat(32)}`),
    };
    const swapped: Evidence = { ...ev, a: ev.b, b: ev.a };
    let db = await open();
    await db.apply([{ kind: 'evidence', evidence: ev }]);
    await db.apply([{ kind: 'evidence', evidence: swapped }]);
    db = await reopen(db);
    expect(await db.listEvidence()).toHaveLength(1);
    expect((await db.listEvidence())[0]!.validator).toBe(2);
  });

  it('refuses a database of another genesis, naming both hashes', async () => {
    let db = await open();
    await db.close();
    const other = makeChain();
    const err = await ChainDb.open(dir, other.genesis).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: DbErrorCode.GENESIS_MISMATCH });
    expect((err as Error).message).toContain(genesisHash(chain.genesis));
    expect((err as Error).message).toContain(genesisHash(other.genesis));
    db = await open();
    expect(db.head().height).toBe(0);
  });

  it('refuses a second opener of the same directory and calls after close', async () => {
    const db = await open();
    await expect(ChainDb.open(dir, chain.genesis)).rejects.toMatchObject({
      code: DbErrorCode.OPEN_FAILED,
      message: expect.stringContaining('another process'),
    });
    await db.close();
    await expect(db.apply([{ kind: 'pool-add', txs: [] }])).rejects.toMatchObject({ code: DbErrorCode.CLOSED });
    await expect(db.loadPool()).rejects.toMatchObject({ code: DbErrorCode.CLOSED });
  });

  it('serializes concurrent applies so no tally increment is lost', async () => {
    const blocks = buildBlocks(chain, 6, (h) => [ballot(`v${h}`, '9', 'c')]);
    let db = await open();
    await Promise.all(blocks.map((b) => db.apply([finalize(b)])));
    db = await reopen(db);
    expect(await db.results('9')).toEqual({ electionId: '9', counts: { c: 6 }, total: 6, height: 6 });
  });

  it('round-trips the verified cursor', async () => {
    let db = await open();
    expect(await db.getVerifiedCursor()).toBeUndefined();
    const cursor = { height: 3, hash: `0x${'ab'.repeat(32)}` as Hex, slot: 4, checkedBlocks: 3 };
    await db.setVerifiedCursor(cursor);
    db = await reopen(db);
    expect(await db.getVerifiedCursor()).toEqual(cursor);
  });
});
