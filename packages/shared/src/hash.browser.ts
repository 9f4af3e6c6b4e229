/**
 * The browser build of hash.ts (same exports, same results): sha256 from @noble/hashes instead
 * of node:crypto. Bundlers pick it in place of hash.ts (packages/explorer/build.mjs); Node keeps
 * the OpenSSL fast path. test/unit/browserBuild.test.ts checks both agree.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { shake256 as nobleShake256 } from '@noble/hashes/sha3.js';
import { bytesToHex, canonicalBytes, hexToBytes, isHex, utf8ToBytes, type Hex } from './encoding.js';
import { at } from './assert.js';

/** sha256 of bytes as 0x-hex. */
export function sha256Hex(bytes: Uint8Array): Hex {
  return bytesToHex(sha256(bytes));
}

/** sha256 of the UTF-8 bytes of a string as 0x-hex. */
export function sha256Utf8Hex(text: string): Hex {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** sha256 of the RFC 8785 canonical encoding of a value. */
export function hashCanonical(value: unknown): Hex {
  return sha256Hex(canonicalBytes(value));
}

function merkle(leaves: Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return at(leaves, lo, 'merkle leaf');
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  const node = new Uint8Array(65);
  node[0] = 0x01;
  node.set(merkle(leaves, lo, lo + k), 1);
  node.set(merkle(leaves, lo + k, hi), 33);
  return sha256(node);
}

/** RFC 6962 Merkle tree hash over 32-byte items, as hash.ts. */
export function merkleRoot(items: readonly Hex[]): Hex {
  if (items.length === 0) return sha256Hex(new Uint8Array(0));
  const leaves = items.map((h) => {
    if (!isHex(h.toLowerCase(), 32))
      throw new TypeError(`merkleRoot: not a 32-byte 0x-hex hash: ${String(h).slice(0, 20)}`);
    const leaf = new Uint8Array(33);
    leaf.set(hexToBytes(h.toLowerCase() as Hex), 1);
    return sha256(leaf);
  });
  return bytesToHex(merkle(leaves, 0, leaves.length));
}

/** SHAKE256 (FIPS 202) of bytes, `outputBytes` long: the element hash of the state commitment (stateRoot.ts). */
export function shake256(data: Uint8Array, outputBytes: number): Uint8Array {
  return nobleShake256(data, { dkLen: outputBytes });
}
