import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { type Hex, txHash } from '@poa-vote/shared';
import { ChainDb } from '../../../../src/db/index.js';
import { ballot, makeChain, tempDir } from '../fixtures.js';

const H1 = `0x${'11'.repeat(32)}` as Hex;
const H2 = `0x${'22'.repeat(32)}` as Hex;

describe('SubmissionRepository: the first binding of an id wins', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => cleanup());

  it('never lets a later write rebind an id, in one batch, across batches and across reopen', async () => {
    const chain = makeChain();
    const a = ballot('v1', '1', 'alice');
    const b = ballot('v2', '1', 'mallory');
    let db = await ChainDb.open(dir, chain.genesis);
    try {
      await db.apply([{ kind: 'pool-add', txs: [a] }], [{ id: 'tx-1', hash: txHash(a) }]);
      await db.apply([{ kind: 'pool-add', txs: [b] }], [{ id: 'tx-1', hash: txHash(b) }]);
      expect(await db.resolveSubmissionId('tx-1')).toBe(txHash(a));
      await db.apply(
        [],
        [
          { id: 'tx-2', hash: txHash(b) },
          { id: 'tx-2', hash: txHash(a) },
        ],
      );
      expect(await db.resolveSubmissionId('tx-2')).toBe(txHash(b));
      await db.close();
      db = await ChainDb.open(dir, chain.genesis);
      expect(await db.resolveSubmissionId('tx-1')).toBe(txHash(a));
      expect(await db.resolveSubmissionId('tx-2')).toBe(txHash(b));
      // Ids that are prefixes of one another stay apart; lone surrogates resolve to nothing.
      await db.apply([], [{ id: 'tx', hash: H2 }]);
      expect(await db.resolveSubmissionId('tx')).toBe(H2);
      expect(await db.resolveSubmissionId('tx-')).toBeUndefined();
      expect(await db.resolveSubmissionId('\ud800')).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('skips ids it cannot store (empty, lone surrogates) without failing the batch that carries them', async () => {
    const chain = makeChain();
    const a = ballot('v1', '1', 'alice');
    const db = await ChainDb.open(dir, chain.genesis);
    try {
      await db.apply(
        [{ kind: 'pool-add', txs: [a] }],
        [
          { id: '', hash: H1 },
          { id: '\ud800', hash: H1 },
          { id: 'ok', hash: txHash(a) },
        ],
      );
      expect(await db.resolveSubmissionId('ok')).toBe(txHash(a));
      expect(await db.resolveSubmissionId('\ud800')).toBeUndefined();
      expect(await db.resolveSubmissionId('\ufffd')).toBeUndefined();
      expect(await db.getPoolTx(txHash(a))).toEqual(a);
    } finally {
      await db.close();
    }
  });
});
