/**
 * Keys are on disk: the one-allocation key builders of hash and string repositories must give
 * the very bytes of the layout (buckets.ts: the bucket byte, then the raw hash or the UTF-8 id)
 * that the generic `bucket byte + encodeId` builder gives, and refuse what it refuses.
 */
import { describe, expect, it } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import { Bucket, encodeHash } from '../../../../src/db/buckets.js';
import { DbError } from '../../../../src/db/errors.js';
import { MemoryKv } from '../../../../src/db/kv/index.js';
import { ChainRepositories } from '../../../../src/db/repositories/index.js';

const repos = new ChainRepositories(new MemoryKv());

describe('repository keys', () => {
  it('hash ids: bucket byte then the 32 raw bytes, whatever the case of the hex', () => {
    const lower = `0x${'ab'.repeat(16)}${'0f'.repeat(16)}` as Hex;
    const upper = lower.toUpperCase().replace('0X', '0x') as Hex;
    const expected = Buffer.concat([Buffer.from([Bucket.pool]), encodeHash(lower)]);
    expect(repos.pool.key(lower).equals(expected)).toBe(true);
    expect(repos.pool.key(upper).equals(expected)).toBe(true);
    expect(repos.txLocations.key(lower)[0]).toBe(Bucket.txLocation);
    expect(repos.txLocations.key(lower).subarray(1).equals(encodeHash(lower))).toBe(true);
  });

  it('refuses an id that is not a 32-byte hash, as encodeHash does', () => {
    for (const bad of [
      '0x1234',
      `0x${'zz'.repeat(32)}`,
      `${'ab'.repeat(32)}`,
      `0x${'ab'.repeat(33)}`,
      // 66 characters that are not a hash: the last pair, a middle character, the prefix.
      `0x${'ab'.repeat(31)}az`,
      `0x${'ab'.repeat(15)}a+${'ab'.repeat(16)}`,
      `ab${'ab'.repeat(32)}`,
      `0x${'ab'.repeat(31)}a`,
    ]) {
      expect(() => repos.pool.key(bad as Hex)).toThrow(DbError);
      expect(() => repos.pool.key(bad as Hex)).toThrow(/32-byte 0x-hex hash/);
    }
  });

  it('string ids: bucket byte then UTF-8, multi-byte characters and lone surrogates as Buffer.from encodes them', () => {
    for (const id of ['', 'election-1\u0000voter-7', 'électeur-ß-投票-🗳', '\ud800', 'a\udc00b']) {
      const expected = Buffer.concat([Buffer.from([Bucket.voterIndex]), Buffer.from(id, 'utf8')]);
      expect(repos.voters.key(id).equals(expected)).toBe(true);
      expect(repos.submissions.key(id).subarray(1).equals(Buffer.from(id, 'utf8'))).toBe(true);
    }
  });
});
