/**
 * The browser build of signature.ts (same exports): Ed25519 from @noble/curves instead of
 * node:crypto. Bundlers pick it in place of signature.ts (packages/explorer/build.mjs).
 *
 * Verification is RFC 8032 with canonical encodings and S < L (noble's zip215: false), like
 * OpenSSL. noble checks the cofactored equation where OpenSSL checks the cofactorless one; the
 * two differ only for signatures whose R carries a small-order component, which an honest signer
 * never produces (test/unit/browserBuild.test.ts checks they agree on real and tampered ones).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, isHex, type Hex } from './encoding.js';

export interface KeyPair {
  /** 32-byte seed, 0x-hex. */
  privateKey: Hex;
  /** 32-byte public key, 0x-hex. */
  publicKey: Hex;
}

/** Generate a fresh Ed25519 key pair. */
export function generateKeyPair(): KeyPair {
  return keyPairFromSeed(bytesToHex(ed25519.utils.randomSecretKey()));
}

/** Derive the key pair of a 32-byte seed. */
export function keyPairFromSeed(seed: Hex): KeyPair {
  if (!isHex(seed, 32)) throw new TypeError('Ed25519 private key must be 32 bytes of 0x-hex');
  return { privateKey: seed, publicKey: bytesToHex(ed25519.getPublicKey(hexToBytes(seed))) };
}

/** A signer holding a private key. */
export class Signer {
  readonly publicKey: Hex;
  readonly #seed: Uint8Array;
  constructor(privateKey: Hex) {
    this.publicKey = keyPairFromSeed(privateKey).publicKey;
    this.#seed = hexToBytes(privateKey);
  }
  /** Ed25519 signature of message bytes, 64 bytes 0x-hex. */
  sign(message: Uint8Array): Hex {
    return bytesToHex(ed25519.sign(message, this.#seed));
  }
}

/** Verify an Ed25519 signature; false (never a throw) on malformed keys or signatures. */
export function verifySignature(publicKey: Hex, message: Uint8Array, signature: Hex): boolean {
  if (!isHex(publicKey, 32) || !isHex(signature, 64)) return false;
  try {
    return ed25519.verify(hexToBytes(signature), message, hexToBytes(publicKey), { zip215: false });
  } catch {
    return false;
  }
}

export { publicKeyWeakness } from './publicKeyWeakness.js';
