import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { Level } from 'level';
import { type Hex, txHash } from '@poa-vote/shared';
import { ChainDb } from '../../../../src/db/index.js';
import { SubmissionRepository } from '../../../../src/db/repositories/submissionRepository.js';
import type { ChainLevel } from '../../../../src/db/repository.js';
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
      await db.apply([], [{ id: 'tx-2', hash: txHash(b) }, { id: 'tx-2', hash: txHash(a) }]);
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

  it('reads bindings of databases written before (bucket byte + UTF-8 id) first', async () => {
    const level: ChainLevel = new Level<Buffer, unknown>(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
    await level.open();
    try {
      const repo = new SubmissionRepository(level);
      await level.batch([{ type: 'put', key: repo.key('old-id'), value: H1 }]);
      await level.batch([repo.put('old-id', H2)]);
      expect(await repo.get('old-id')).toBe(H1);
      expect(await repo.getMany(['old-id', 'none'])).toEqual([H1, undefined]);
    } finally {
      await level.close();
    }
  });
});
