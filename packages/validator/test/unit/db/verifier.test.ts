import { describe, it, expect, beforeEach, afterEach, jest } from '@jest/globals';
import { Level } from 'level';
import type { Block, FinalizedBlock, QuorumCertificate } from '@poa-vote/shared';
import { Bucket, ChainDb, ChainVerifier, encodeHeight } from '../../../src/db/index.js';
import type { PersistOp } from '../../../src/consensus/interface.js';
import { type TestChain, ballot, buildBlocks, makeChain, tempDir } from './fixtures.js';

const finalize = (fb: FinalizedBlock): PersistOp => ({
  kind: 'finalize',
  block: fb.block,
  certificate: fb.certificate,
});

describe('ChainVerifier', () => {
  let chain: TestChain;
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: ChainDb[] = [];

  async function open(): Promise<ChainDb> {
    const db = await ChainDb.open(dir, chain.genesis);
    opened.push(db);
    return db;
  }

  /** Overwrite a stored value behind ChainDb's back, as a disk fault or an intruder would. */
  async function tamper(
    bucket: Bucket,
    height: number,
    value: unknown,
    encoding: 'json' | 'utf8' = 'json',
  ): Promise<void> {
    for (const db of opened.splice(0)) await db.close();
    const raw = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await raw.open();
    await raw.put(Buffer.concat([Buffer.from([bucket]), encodeHeight(height)]), value, { valueEncoding: encoding });
    await raw.close();
  }

  beforeEach(async () => {
    chain = makeChain();
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    await cleanup();
  });

  const votes = (h: number) => [ballot(`a${h}`, '1', 'alice'), ballot(`b${h}`, '1', 'bob')];

  it('verifies a stored chain incrementally from the persisted cursor', async () => {
    const blocks = buildBlocks(chain, 5, votes);
    let db = await open();
    const empty = await new ChainVerifier(db, chain.genesis).verify();
    expect(empty).toEqual({ valid: true, checkedBlocks: 0, errors: [] });
    await db.apply(blocks.slice(0, 3).map(finalize));
    expect(await new ChainVerifier(db, chain.genesis).verify()).toEqual({
      valid: true,
      checkedBlocks: 3,
      errors: [],
    });
    await db.apply(blocks.slice(3).map(finalize));
    await db.close();
    db = await open();
    const range = jest.spyOn(db, 'getFinalizedRange');
    const verifier = new ChainVerifier(db, chain.genesis);
    expect(await verifier.verify()).toEqual({ valid: true, checkedBlocks: 5, errors: [] });
    expect(range.mock.calls.map((c) => c[0])).toEqual([4]);
    range.mockClear();
    expect(await verifier.verify()).toEqual({ valid: true, checkedBlocks: 5, errors: [] });
    expect(range).not.toHaveBeenCalled();
  });

  it('detects a block whose votes were altered directly in the database, and keeps reporting it', async () => {
    const blocks = buildBlocks(chain, 3, votes);
    let db = await open();
    await db.apply(blocks.map(finalize));
    const forged: Block = structuredClone(blocks[1]!.block);
    forged.transactions[0] = ballot('a2', '1', 'bob');
    await tamper(Bucket.block, 2, forged);

    db = await open();
    const result = await new ChainVerifier(db, chain.genesis).verify();
    expect(result.valid).toBe(false);
    expect(result.checkedBlocks).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/stored block 2: .*txRoot/);
    await db.close();
    db = await open();
    expect(await new ChainVerifier(db, chain.genesis).verify()).toEqual(result);
  });

  it('detects a stored certificate without a quorum', async () => {
    const blocks = buildBlocks(chain, 2, votes);
    const db = await open();
    await db.apply(blocks.map(finalize));
    const weak: QuorumCertificate = {
      ...blocks[1]!.certificate,
      signatures: blocks[1]!.certificate.signatures.slice(0, 1),
    };
    await tamper(Bucket.certificate, 2, weak);
    const result = await new ChainVerifier(await open(), chain.genesis).verify();
    expect(result).toMatchObject({ valid: false, checkedBlocks: 1 });
    expect(result.errors[0]).toMatch(/stored block 2: .*quorum/);
  });

  it('names a stored block that cannot even be decoded', async () => {
    const blocks = buildBlocks(chain, 4, votes);
    const db = await open();
    await db.apply(blocks.map(finalize));
    await tamper(Bucket.block, 3, '{"header": trunc', 'utf8');
    const result = await new ChainVerifier(await open(), chain.genesis).verify();
    expect(result).toMatchObject({ valid: false, checkedBlocks: 2 });
    expect(result.errors[0]).toMatch(/stored block 3 cannot be read/);
  });

  it('re-verifies from genesis on request, catching tampering behind the cursor', async () => {
    const blocks = buildBlocks(chain, 3, votes);
    let db = await open();
    await db.apply(blocks.map(finalize));
    expect((await new ChainVerifier(db, chain.genesis).verify()).valid).toBe(true);
    const forged: Block = { ...blocks[0]!.block, signature: blocks[1]!.block.signature };
    await tamper(Bucket.block, 1, forged);
    db = await open();
    const verifier = new ChainVerifier(db, chain.genesis);
    expect((await verifier.verify()).valid).toBe(true);
    const full = await verifier.verify({ full: true });
    expect(full).toMatchObject({ valid: false, checkedBlocks: 0 });
    expect(full.errors[0]).toMatch(/stored block 1: .*not signed/);
  });
});
