/**
 * Ed25519 signatures through node:crypto (about 10x faster than pure JS on these machines).
 * Keys travel as raw 32-byte 0x-hex: the private key is the RFC 8032 seed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
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

// Edwards25519 (RFC 8032 section 5.1): -x^2 + y^2 = 1 + d x^2 y^2 over GF(p).
const P = 2n ** 255n - 19n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;
function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const inv = (a: bigint): bigint => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function decodePoint(bytes: Uint8Array): [bigint, bigint] | string {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]!);
  const sign = y >> 255n;
  y &= (1n << 255n) - 1n;
  if (y >= P) return 'is not a canonical point encoding (y >= p)';
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return 'is not a point on Ed25519';
  if (x === 0n && sign === 1n) return 'is not a canonical point encoding (negative zero x)';
  if ((x & 1n) !== sign) x = P - x;
  return [x, y];
}

/** Doubling in extended coordinates (X:Y:Z:T), a = -1 (dbl-2008-hwcd): no inversions. */
function double([X, Y, Z]: [bigint, bigint, bigint]): [bigint, bigint, bigint] {
  const A = (X * X) % P;
  const B = (Y * Y) % P;
  const C = (2n * Z * Z) % P;
  const E = mod((X + Y) * (X + Y) - A - B);
  const G = mod(B - A);
  const F = mod(G - C);
  const H = mod(-A - B);
  return [(E * F) % P, (G * H) % P, (F * G) % P];
}

/**
 * Why a 32-byte Ed25519 public key is unfit for an authority, or undefined when it is fine.
 * node:crypto (OpenSSL) accepts small-order keys, and for those a signature (R = identity,
 * S = 0) verifies for many messages: anyone could forge that authority's votes.
 */
export function publicKeyWeakness(publicKey: Hex): string | undefined {
  if (!isHex(publicKey, 32)) return 'is not 32 bytes of lowercase 0x-hex';
  const point = decodePoint(hexToBytes(publicKey));
  if (typeof point === 'string') return point;
  let q: [bigint, bigint, bigint] = [point[0], point[1], 1n];
  for (let i = 0; i < 3; i++) q = double(q);
  // [8]A is the identity (0 : Z : Z) exactly when A lies in the torsion subgroup.
  if (q[0] === 0n && q[1] === q[2]) return 'is a small-order point (signatures under it can be forged)';
  return undefined;
}
