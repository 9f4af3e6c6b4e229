import { describe, it, expect } from '@jest/globals';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Hex, hashCanonical, merkleRoot, sha256Hex, utf8ToBytes } from '@poa-vote/shared';

/** An independent sha256 (@noble/hashes, pure JS) to check the package's node:crypto one against. */
function H(...parts: Buffer[]): Buffer {
  return Buffer.from(sha256(Buffer.concat(parts)));
}
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);
const hex = (b: Buffer): Hex => `0x${b.toString('hex')}`;

/** Five distinct 32-byte items, as transaction hashes are. */
const items: Hex[] = ['a', 'b', 'c', 'd', 'e'].map((s) => hex(H(Buffer.from(s))));
const raw = items.map((h) => Buffer.from(h.slice(2), 'hex'));
/** RFC 6962 leaf hash: SHA-256(0x00 || d). */
const leaf = raw.map((d) => H(LEAF, d));
/** RFC 6962 interior node: SHA-256(0x01 || left || right). */
const node = (l: Buffer, r: Buffer): Buffer => H(NODE, l, r);

/** RFC 6962 section 2.1 MTH, written recursively from the RFC text, for sizes with no hand-written value. */
function referenceMth(d: Buffer[]): Buffer {
  if (d.length === 0) return H();
  if (d.length === 1) return H(LEAF, d[0]!);
  let k = 1;
  while (k << 1 < d.length) k <<= 1;
  return node(referenceMth(d.slice(0, k)), referenceMth(d.slice(k)));
}

describe('sha256Hex and hashCanonical', () => {
  it('matches the FIPS 180-2 "abc" vector', () => {
    expect(sha256Hex(utf8ToBytes('abc'))).toBe('0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array(0))).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the canonical JSON text, independent of property order', () => {
    const expected = hex(H(Buffer.from('{"a":2,"b":[1,"é"]}', 'utf8')));
    expect(hashCanonical({ b: [1, 'é'], a: 2 })).toBe(expected);
    expect(hashCanonical({ a: 2, b: [1, 'é'] })).toBe(expected);
    expect(hashCanonical({ a: 2, b: ['é', 1] })).not.toBe(expected);
  });
});

describe('merkleRoot (RFC 6962)', () => {
  it('is SHA-256 of the empty string for no items', () => {
    expect(merkleRoot([])).toBe(hex(H()));
    expect(merkleRoot([])).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is the leaf hash for one item (not the item itself)', () => {
    expect(merkleRoot(items.slice(0, 1))).toBe(hex(leaf[0]!));
    expect(merkleRoot(items.slice(0, 1))).not.toBe(items[0]);
  });

  it('hashes two items as one node', () => {
    expect(merkleRoot(items.slice(0, 2))).toBe(hex(node(leaf[0]!, leaf[1]!)));
  });

  it('splits three items at 2 (largest power of two below n)', () => {
    expect(merkleRoot(items.slice(0, 3))).toBe(hex(node(node(leaf[0]!, leaf[1]!), leaf[2]!)));
  });

  it('splits five items at 4, without duplicating the odd leaf', () => {
    const expected = node(node(node(leaf[0]!, leaf[1]!), node(leaf[2]!, leaf[3]!)), leaf[4]!);
    expect(merkleRoot(items)).toBe(hex(expected));
    // Bitcoin-style trees duplicate the last node; RFC 6962 does not.
    expect(merkleRoot(items)).not.toBe(
      hex(
        node(
          node(node(leaf[0]!, leaf[1]!), node(leaf[2]!, leaf[3]!)),
          node(node(leaf[4]!, leaf[4]!), node(leaf[4]!, leaf[4]!)),
        ),
      ),
    );
  });

  it('agrees with the recursive RFC definition for 1..20 items', () => {
    const many = Array.from({ length: 20 }, (_, i) => H(Buffer.from(`item-${i}`)));
    for (let n = 1; n <= 20; n++) {
      expect([n, merkleRoot(many.slice(0, n).map(hex))]).toEqual([n, hex(referenceMth(many.slice(0, n)))]);
    }
  });

  it('depends on the order of the items', () => {
    expect(merkleRoot([items[1]!, items[0]!])).not.toBe(merkleRoot(items.slice(0, 2)));
  });

  it('rejects items that are not hex', () => {
    expect(() => merkleRoot(['0x123' as Hex])).toThrow(/hex/);
  });
});
