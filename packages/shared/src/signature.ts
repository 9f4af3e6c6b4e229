/**
 * Ed25519 signatures through node:crypto (about 10x faster than pure JS on these machines).
 * Keys travel as raw 32-byte 0x-hex: the private key is the RFC 8032 seed.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { bytesToHex, hexToBytes, isHex, type Hex } from './encoding.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  /** 32-byte seed, 0x-hex. */
  privateKey: Hex;
  /** 32-byte public key, 0x-hex. */
  publicKey: Hex;
}

/** Generate a fresh Ed25519 key pair. */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: bytesToHex(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length)),
    publicKey: bytesToHex(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)),
  };
}

/** Derive the key pair of a 32-byte seed. */
export function keyPairFromSeed(seed: Hex): KeyPair {
  const key = privateKeyObject(seed);
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { privateKey: seed, publicKey: bytesToHex(pub) };
}

function privateKeyObject(seed: Hex): KeyObject {
  if (!isHex(seed, 32)) throw new TypeError('Ed25519 private key must be 32 bytes of 0x-hex');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, hexToBytes(seed)]), format: 'der', type: 'pkcs8' });
}

const publicKeyCache = new Map<string, KeyObject>();
function publicKeyObject(pub: Hex): KeyObject {
  let key = publicKeyCache.get(pub);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, hexToBytes(pub)]), format: 'der', type: 'spki' });
    if (publicKeyCache.size > 1024) publicKeyCache.clear();
    publicKeyCache.set(pub, key);
  }
  return key;
}

/** A signer holding a private key; the key object is built once. */
export class Signer {
  readonly publicKey: Hex;
  readonly #key: KeyObject;
  constructor(privateKey: Hex) {
    this.#key = privateKeyObject(privateKey);
    this.publicKey = keyPairFromSeed(privateKey).publicKey;
  }
  /** Ed25519 signature of message bytes, 64 bytes 0x-hex. */
  sign(message: Uint8Array): Hex {
    return bytesToHex(nodeSign(null, message, this.#key));
  }
}

/** Verify an Ed25519 signature; false (never a throw) on malformed keys or signatures. */
export function verifySignature(publicKey: Hex, message: Uint8Array, signature: Hex): boolean {
  if (!isHex(publicKey, 32) || !isHex(signature, 64)) return false;
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), hexToBytes(signature));
  } catch {
    return false;
  }
}

/** Pure bigint, no node:crypto: the browser build (signature.browser.ts) shares it. */
export { publicKeyWeakness } from './publicKeyWeakness.js';
