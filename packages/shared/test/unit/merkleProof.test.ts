import { describe, expect, it } from '@jest/globals';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type Hex,
  type MerkleProof,
  merkleProof,
  merkleRoot,
  merkleRootFromProof,
  sha256Hex,
  utf8ToBytes,
  verifyMerkleProof,
} from '@poa-vote/shared';

/** An independent sha256 (@noble/hashes) and RFC 6962 node hash, to check proofs by hand. */
const H = (...parts: Uint8Array[]): Uint8Array => sha256(Uint8Array.from(parts.flatMap((p) => [...p])));
const bytes = (h: Hex): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;
const leafOf = (d: Hex): Uint8Array => H(Uint8Array.of(0), bytes(d));
const nodeOf = (l: Uint8Array, r: Uint8Array): Uint8Array => H(Uint8Array.of(1), l, r);

const itemsOf = (n: number, tag = 'vote'): Hex[] =>
  Array.from({ length: n }, (_, i) => sha256Hex(utf8ToBytes(`${tag}-${i}`)));

/** Flip bit `bit` of a 0x-hex string. */
function flip(h: Hex, bit: number): Hex {
  const b = bytes(h);
  b[bit >> 3]! ^= 1 << (bit & 7);
  return hex(b);
}

/** docs/PROTOCOL.md section 3.1: five items sha256("vote-0") .. sha256("vote-4"). */
const VECTOR = {
  root: '0x95869d5b497e4c5d6b29c120337240815290bfcb6e7272e63f96cad1d54858f1' as Hex,
  proof: {
    index: 2,
    treeSize: 5,
    leaf: '0x8e0f14e2d49ad15ab1594b4445e401162b0f3171cef9c1fd167ac2a1d58bbe3d',
    siblings: [
      '0xffce44b3e72173750811e000a44d5ecf99f66d9498c619efaea184e6af940f70',
      '0x7bf7bde3d2362e44ae9d3be7447684d756ac6cc4f6d552661ad03891c7a578b1',
      '0x9f5bc6189fbd9538c9867e90208ac7a27a0c4498aafc12ecdc35c16d8589cabb',
    ],
  } as MerkleProof,
  lastProof: {
    index: 4,
    treeSize: 5,
    leaf: '0xa25feb6b8b5b70fc6cb517fbff7f3ed8b30b7f7af4845612bee064eda9315321',
    siblings: ['0x59d25f58bd864e98792ecc1961d2b3edcb214ba5e4cfe5896576bc8e20ea90a3'],
  } as MerkleProof,
};

describe('merkleProof (RFC 6962 audit paths of the transaction root)', () => {
  it('matches the test vector of PROTOCOL.md, and the vector matches a hand computation', () => {
    const items = itemsOf(5);
    expect(merkleRoot(items)).toBe(VECTOR.root);
    expect(merkleProof(items, 2)).toEqual(VECTOR.proof);
    expect(merkleProof(items, 4)).toEqual(VECTOR.lastProof);
    const L = items.map(leafOf);
    // Item 2 of 5: sibling L3, then MTH(0..2), then MTH(4..5) = L4.
    expect(VECTOR.proof.siblings).toEqual([hex(L[3]!), hex(nodeOf(L[0]!, L[1]!)), hex(L[4]!)]);
    expect(hex(nodeOf(nodeOf(nodeOf(L[0]!, L[1]!), nodeOf(L[2]!, L[3]!)), L[4]!))).toBe(VECTOR.root);
    // Item 4 of 5: its only sibling is MTH(0..4).
    expect(VECTOR.lastProof.siblings).toEqual([hex(nodeOf(nodeOf(L[0]!, L[1]!), nodeOf(L[2]!, L[3]!)))]);
    expect(verifyMerkleProof(VECTOR.proof, VECTOR.root)).toBe(true);
    expect(verifyMerkleProof(VECTOR.lastProof, VECTOR.root)).toBe(true);
  });

  it('every item of every tree size up to 70 has a proof that leads to merkleRoot', () => {
    for (let n = 1; n <= 70; n++) {
      const items = itemsOf(n, `t${n}`);
      const root = merkleRoot(items);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(items, i);
        expect(proof.siblings.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(merkleRootFromProof(proof)).toEqual({ root });
        expect(verifyMerkleProof(proof, root)).toBe(true);
      }
    }
  });

  it('a one-item tree has an empty path', () => {
    const [item] = itemsOf(1);
    expect(merkleProof([item!], 0)).toEqual({ index: 0, treeSize: 1, leaf: item, siblings: [] });
    expect(verifyMerkleProof({ index: 0, treeSize: 1, leaf: item!, siblings: [] }, merkleRoot([item!]))).toBe(true);
  });

  it('any flipped bit of the leaf, a sibling or the root fails', () => {
    for (const n of [2, 5, 8, 13]) {
      const items = itemsOf(n, `flip${n}`);
      const root = merkleRoot(items);
      for (const i of [0, n - 1, n >> 1]) {
        const proof = merkleProof(items, i);
        for (let bit = 0; bit < 256; bit++) {
          expect(verifyMerkleProof({ ...proof, leaf: flip(proof.leaf, bit) }, root)).toBe(false);
          expect(verifyMerkleProof(proof, flip(root, bit))).toBe(false);
          for (let s = 0; s < proof.siblings.length; s++) {
            const siblings = proof.siblings.map((h, k) => (k === s ? flip(h, bit) : h));
            expect(verifyMerkleProof({ ...proof, siblings }, root)).toBe(false);
          }
        }
      }
    }
  });

  it('a wrong index, tree size or path length fails', () => {
    const items = itemsOf(6);
    const root = merkleRoot(items);
    const proof = merkleProof(items, 3);
    for (let index = 0; index < 6; index++)
      if (index !== 3) expect(verifyMerkleProof({ ...proof, index }, root)).toBe(false);
    for (const treeSize of [3, 4]) expect(verifyMerkleProof({ ...proof, treeSize }, root)).toBe(false);
    // The root does not commit to the size on its own: item 3's path is the same in trees of 5 to
    // 8 items. That is why a verifier takes treeSize from the certified header's txCount.
    for (const treeSize of [5, 7, 8]) expect(verifyMerkleProof({ ...proof, treeSize }, root)).toBe(true);
    const last = merkleProof(items, 5);
    for (const treeSize of [7, 8]) expect(verifyMerkleProof({ ...last, treeSize }, root)).toBe(false);
    expect(merkleRootFromProof({ ...proof, siblings: proof.siblings.slice(1) })).toEqual({
      error: expect.stringContaining('too short'),
    });
    expect(merkleRootFromProof({ ...proof, siblings: [...proof.siblings, proof.leaf] })).toEqual({
      error: expect.stringContaining('too long'),
    });
    expect(merkleRootFromProof({ ...proof, index: 6 })).toEqual({ error: 'index must be in 0..5, got 6' });
    expect(merkleRootFromProof({ ...proof, treeSize: 0 })).toEqual({
      error: 'treeSize must be a positive integer, got 0',
    });
    expect(merkleRootFromProof({ ...proof, leaf: proof.leaf.toUpperCase() as Hex })).toEqual({
      error: expect.stringContaining('leaf'),
    });
    // Another item's proof with this leaf swapped in does not verify.
    expect(verifyMerkleProof({ ...merkleProof(items, 2), leaf: items[3]! }, root)).toBe(false);
  });

  it('refuses an index outside the list and malformed items', () => {
    expect(() => merkleProof(itemsOf(3), 3)).toThrow(RangeError);
    expect(() => merkleProof([], 0)).toThrow(RangeError);
    expect(() => merkleProof(['0x12' as Hex], 0)).toThrow(TypeError);
  });
});
