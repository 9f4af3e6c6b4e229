/**
 * Inclusion proofs for the transaction root: the RFC 6962 section 2.1.1 audit path of one item
 * of `merkleRoot`, and its verification as RFC 9162 section 2.1.3.2 specifies it. A verifier
 * needs the transaction hash, its index, the block's txCount and the path; nothing else of the
 * block (docs/PROTOCOL.md section 3.1).
 */
import { hexToBytes, isHex, type Hex } from './encoding.js';
import { sha256Hex } from './hash.js';
import { at } from './assert.js';

/** An audit path: the siblings from the leaf up to the root, as RFC 6962 orders them. */
export interface MerkleProof {
  /** Position of the item in the list (the transaction's index in its block). */
  index: number;
  /** Number of items under the root (the block's txCount). */
  treeSize: number;
  /** The item itself (the transaction hash). */
  leaf: Hex;
  /** Sibling subtree hashes, nearest the leaf first; empty for a one-item tree. */
  siblings: Hex[];
}

/** H(0x00 || item): the RFC 6962 leaf hash of a 32-byte item. */
export function merkleLeafHash(item: Hex): Hex {
  const b = new Uint8Array(33);
  b.set(hexToBytes(item), 1);
  return sha256Hex(b);
}

/** H(0x01 || left || right): the RFC 6962 interior node hash. */
export function merkleNodeHash(left: Hex, right: Hex): Hex {
  const b = new Uint8Array(65);
  b[0] = 0x01;
  b.set(hexToBytes(left), 1);
  b.set(hexToBytes(right), 33);
  return sha256Hex(b);
}

/** The largest power of two strictly less than n (n > 1): where RFC 6962 splits a tree. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeHash(leaves: readonly Hex[], lo: number, hi: number): Hex {
  if (hi - lo === 1) return at(leaves, lo, 'merkle leaf');
  const k = split(hi - lo);
  return merkleNodeHash(subtreeHash(leaves, lo, lo + k), subtreeHash(leaves, lo + k, hi));
}

function path(leaves: readonly Hex[], m: number, lo: number, hi: number, out: Hex[]): void {
  if (hi - lo <= 1) return;
  const k = split(hi - lo);
  if (m < k) {
    path(leaves, m, lo, lo + k, out);
    out.push(subtreeHash(leaves, lo + k, hi));
  } else {
    path(leaves, m - k, lo + k, hi, out);
    out.push(subtreeHash(leaves, lo, lo + k));
  }
}

/**
 * The audit path of `items[index]` in the tree whose root is `merkleRoot(items)`.
 * @example
 * const proof = merkleProof(block.transactions.map(txHash), 2);
 * verifyMerkleProof(proof, block.header.txRoot); // true
 */
export function merkleProof(items: readonly Hex[], index: number): MerkleProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= items.length)
    throw new RangeError(`merkleProof: index ${index} is outside 0..${items.length - 1}`);
  const leaves = items.map((h) => {
    const lower = h.toLowerCase() as Hex;
    if (!isHex(lower, 32)) throw new TypeError(`merkleProof: not a 32-byte 0x-hex hash: ${String(h).slice(0, 20)}`);
    return merkleLeafHash(lower);
  });
  const siblings: Hex[] = [];
  path(leaves, index, 0, leaves.length, siblings);
  return { index, treeSize: items.length, leaf: at(items, index, 'item').toLowerCase() as Hex, siblings };
}

/**
 * The root an audit path leads to (RFC 9162 section 2.1.3.2), or a reason it cannot lead to any:
 * a bad index or size, a path of the wrong length, or a malformed hash.
 */
export function merkleRootFromProof(proof: MerkleProof): { root: Hex } | { error: string } {
  const { index, treeSize, leaf, siblings } = proof;
  if (!Number.isSafeInteger(treeSize) || treeSize < 1)
    return { error: `treeSize must be a positive integer, got ${String(treeSize)}` };
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize)
    return { error: `index must be in 0..${treeSize - 1}, got ${String(index)}` };
  if (typeof leaf !== 'string' || !isHex(leaf, 32)) return { error: 'leaf must be a 32-byte lowercase 0x-hex hash' };
  if (!Array.isArray(siblings)) return { error: 'siblings must be an array of hashes' };
  let fn = index;
  let sn = treeSize - 1;
  let r = merkleLeafHash(leaf);
  for (const [i, p] of siblings.entries()) {
    if (typeof p !== 'string' || !isHex(p, 32))
      return { error: `siblings[${i}] must be a 32-byte lowercase 0x-hex hash` };
    if (sn === 0) return { error: `the path is too long: ${siblings.length} siblings for ${treeSize} items` };
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      // A right-most node without a sibling at this level is carried up unchanged.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return { error: `the path is too short: ${siblings.length} siblings for ${treeSize} items` };
  return { root: r };
}

/** Whether an audit path proves its leaf is item `index` of the tree with this root. */
export function verifyMerkleProof(proof: MerkleProof, root: Hex): boolean {
  const r = merkleRootFromProof(proof);
  return 'root' in r && r.root === root.toLowerCase();
}
