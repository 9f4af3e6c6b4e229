/** Hashes: sha256 (@noble/hashes) rendered as 0x-hex, over canonical bytes. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, canonicalBytes, hexToBytes, type Hex } from './encoding.js';

/** sha256 of bytes as 0x-hex. */
export function sha256Hex(bytes: Uint8Array): Hex {
  return bytesToHex(sha256(bytes));
}

/** sha256 of the RFC 8785 canonical encoding of a value. */
export function hashCanonical(value: unknown): Hex {
  return sha256Hex(canonicalBytes(value));
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

function concat(...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function merkle(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return sha256(concat(NODE, merkle(leaves, lo, lo + k), merkle(leaves, lo + k, hi)));
}

/**
 * RFC 6962 Merkle tree hash over 32-byte items (transaction hashes): leaf = H(0x00 || item),
 * node = H(0x01 || left || right), split at the largest power of two; empty tree = H("").
 */
export function merkleRoot(items: readonly Hex[]): Hex {
  if (items.length === 0) return bytesToHex(sha256(new Uint8Array(0)));
  const leaves = items.map((h) => sha256(concat(LEAF, hexToBytes(h))));
  return bytesToHex(merkle(leaves, 0, leaves.length));
}
