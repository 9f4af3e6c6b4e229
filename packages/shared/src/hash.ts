/**
 * Hashes: sha256 rendered as 0x-hex, over canonical bytes. node:crypto (OpenSSL) rather than a
 * pure-JS sha256: a vote is hashed on every validator, and OpenSSL's one-shot digest is about
 * 5x faster than @noble/hashes for inputs of a few hundred bytes (docs/PERFORMANCE.md).
 */
import * as nodeCrypto from 'node:crypto';
import { canonicalBytes, isHex, type Hex } from './encoding.js';
import { at } from './assert.js';

type OneShot = (algorithm: string, data: Uint8Array | string, outputEncoding: 'hex' | 'buffer') => string | Buffer;
// crypto.hash (Node >= 20.12) skips the Hash object of createHash; older Nodes fall back to it.
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

function digestHex(data: Uint8Array | string): string {
  return oneShot
    ? (oneShot('sha256', data, 'hex') as string)
    : nodeCrypto.createHash('sha256').update(data).digest('hex');
}

function digest(data: Uint8Array): Buffer {
  return oneShot
    ? (oneShot('sha256', data, 'buffer') as Buffer)
    : nodeCrypto.createHash('sha256').update(data).digest();
}

/** sha256 of bytes as 0x-hex. */
export function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${digestHex(bytes)}`;
}

/** sha256 of the UTF-8 bytes of a string as 0x-hex (no intermediate byte array). */
export function sha256Utf8Hex(text: string): Hex {
  return `0x${digestHex(text)}`;
}

/** sha256 of the RFC 8785 canonical encoding of a value. */
export function hashCanonical(value: unknown): Hex {
  return sha256Hex(canonicalBytes(value));
}

const NODE = 0x01;

function merkle(leaves: Buffer[], lo: number, hi: number, scratch: Buffer): Buffer {
  if (hi - lo === 1) return at(leaves, lo, 'merkle leaf');
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  const left = merkle(leaves, lo, lo + k, scratch);
  const right = merkle(leaves, lo + k, hi, scratch);
  scratch[0] = NODE;
  left.copy(scratch, 1);
  right.copy(scratch, 33);
  return digest(scratch);
}

/**
 * RFC 6962 Merkle tree hash over 32-byte items (transaction hashes): leaf = H(0x00 || item),
 * node = H(0x01 || left || right), split at the largest power of two; empty tree = H("").
 */
export function merkleRoot(items: readonly Hex[]): Hex {
  if (items.length === 0) return sha256Hex(new Uint8Array(0));
  const leaf = Buffer.alloc(33);
  const leaves = items.map((h) => {
    if (!isHex(h.toLowerCase(), 32))
      throw new TypeError(`merkleRoot: not a 32-byte 0x-hex hash: ${String(h).slice(0, 20)}`);
    // leaf[0] stays 0x00 (the RFC 6962 leaf prefix); the 32 item bytes follow.
    leaf.write(h.slice(2), 1, 'hex');
    return digest(leaf);
  });
  return `0x${merkle(leaves, 0, leaves.length, Buffer.alloc(65)).toString('hex')}`;
}

/** SHAKE256 (FIPS 202) of bytes, `outputBytes` long: the element hash of the state commitment (stateRoot.ts). */
export function shake256(data: Uint8Array, outputBytes: number): Uint8Array {
  return nodeCrypto.createHash('shake256', { outputLength: outputBytes }).update(data).digest();
}
