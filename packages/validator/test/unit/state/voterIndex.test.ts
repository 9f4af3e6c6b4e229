import { describe, it, expect } from '@jest/globals';
import { type Hex, sha256Hex, utf8ToBytes } from '@poa-vote/shared';
import { VoterIndex } from '../../../src/state/voterIndex.js';

const hashOf = (i: number): Hex => sha256Hex(utf8ToBytes(`tx-${i}`));
const key = (i: number): string => `election-1\u0000voter-${i}`;

describe('VoterIndex', () => {
  it('answers what was set, undefined otherwise, and replaces on a second set', () => {
    const idx = new VoterIndex();
    idx.set(key(1), hashOf(1));
    expect(idx.get(key(1))).toBe(hashOf(1));
    expect(idx.get(key(2))).toBeUndefined();
    idx.set(key(1), hashOf(9));
    expect(idx.get(key(1))).toBe(hashOf(9));
    expect(idx.size).toBe(1);
  });

  it('keeps every pair across growth, against a Map as reference', () => {
    const idx = new VoterIndex();
    const ref = new Map<string, Hex>();
    for (let i = 0; i < 20_000; i++) {
      idx.set(key(i), hashOf(i));
      ref.set(key(i), hashOf(i));
    }
    expect(idx.size).toBe(ref.size);
    for (const [k, v] of ref) expect(idx.get(k)).toBe(v);
    expect(idx.get(key(20_000))).toBeUndefined();
    // 48 bytes a pair plus one flag byte, at a load of at most 3/4 (and at least 3/8 after growth).
    expect(idx.byteLength).toBeLessThanOrEqual((49 * 20_000 * 8) / 3);
  });

  it('deletes without breaking the probe chains of the pairs that remain', () => {
    const idx = new VoterIndex(1024);
    const ref = new Map<string, Hex>();
    // Enough pairs in a small table that deletions shift colliding neighbours, also across the wrap.
    for (let i = 0; i < 700; i++) {
      idx.set(key(i), hashOf(i));
      ref.set(key(i), hashOf(i));
    }
    for (let i = 0; i < 700; i += 3) {
      expect(idx.delete(key(i))).toBe(true);
      ref.delete(key(i));
    }
    expect(idx.delete(key(0))).toBe(false);
    expect(idx.size).toBe(ref.size);
    for (let i = 0; i < 700; i++) expect(idx.get(key(i))).toBe(ref.get(key(i)));
    idx.set(key(0), hashOf(0));
    expect(idx.get(key(0))).toBe(hashOf(0));
  });

  it('refuses a value that is not a 32-byte lowercase hex hash, storing nothing', () => {
    const idx = new VoterIndex();
    expect(() => idx.set(key(1), '0x1234' as Hex)).toThrow(/32-byte/);
    expect(() => idx.set(key(1), hashOf(1).toUpperCase().replace('0X', '0x') as Hex)).toThrow(/32-byte/);
    expect(idx.get(key(1))).toBeUndefined();
    expect(idx.size).toBe(0);
  });
});
