/**
 * The group: ristretto255 (RFC 9496) from @noble/curves, prime order q. Points travel as their
 * 32-byte canonical encoding, scalars as 32-byte little-endian integers below q, challenges as
 * 16-byte little-endian integers. No curve arithmetic is written here, only encoding rules.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, isHex, type Hex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';

// Not exported: the class is anonymous in @noble/curves' typings, so it cannot appear in declarations.
const Point = ristretto255.Point;
export type Point = InstanceType<typeof ristretto255.Point>;

/** Order of the ristretto255 group (2^252 + 27742317777372353535851937790883648493). */
export const GROUP_ORDER: bigint = Point.Fn.ORDER;

/** Modular inverse in the scalar field. */
const fieldInverse = (a: bigint): bigint => Point.Fn.inv(a);
/** Challenges are 128-bit integers; see PROTOCOL.md "Encrypted ballots", challenges. */
export const CHALLENGE_BYTES = 16;
export const CHALLENGE_MODULUS = 1n << 128n;

/**
 * The generator with its own fixed-base table (window 8, about 1 MB), so that the library-wide
 * BASE table of @noble/curves, shared with other users, is left as it is.
 */
export const G: Point = Point.BASE.multiply(1n).precompute(8, false);
export const IDENTITY: Point = Point.ZERO;

/** A copy of a point with a fixed-base table (window 8, about 1 MB) for repeated multiplications. */
export function withTable(p: Point): Point {
  return p.multiply(1n).precompute(8, false);
}

/** A source of random bytes; tests inject a seeded one, production uses the platform CSPRNG. */
export type Rng = (length: number) => Uint8Array;

/** The platform CSPRNG (crypto.getRandomValues). */
export const defaultRng: Rng = (n) => randomBytes(n);

/**
 * A deterministic byte stream SHA-256(seed || u64be(counter)) for tests and test vectors only:
 * anyone who knows the seed knows every nonce, and so every vote.
 */
export function seededRng(seed: string | Uint8Array): Rng {
  const s = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed;
  let counter = 0n;
  let buf = new Uint8Array(0);
  return (n) => {
    while (buf.length < n) {
      const block = new Uint8Array(s.length + 8);
      block.set(s);
      new DataView(block.buffer).setBigUint64(s.length, counter++);
      const next = new Uint8Array(buf.length + 32);
      next.set(buf);
      next.set(sha256(block), buf.length);
      buf = next;
    }
    const out = buf.slice(0, n);
    buf = buf.slice(n);
    return out;
  };
}

/** Reduce modulo q. */
export function mod(a: bigint, m: bigint = GROUP_ORDER): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Inverse modulo q (q prime, a != 0). */
export function invert(a: bigint): bigint {
  return fieldInverse(mod(a));
}

/** A uniform nonzero scalar: 64 random bytes read little-endian, reduced modulo q (bias < 2^-250). */
export function randomScalar(rng: Rng): bigint {
  for (;;) {
    const bytes = rng(64);
    if (bytes.length !== 64) throw new RangeError('rng returned the wrong number of bytes');
    const s = mod(bytesToNumberLE(bytes));
    if (s !== 0n) return s;
  }
}

/** A uniform challenge-sized integer in [0, 2^128). */
export function randomChallenge(rng: Rng): bigint {
  const bytes = rng(CHALLENGE_BYTES);
  if (bytes.length !== CHALLENGE_BYTES) throw new RangeError('rng returned the wrong number of bytes');
  return bytesToNumberLE(bytes);
}

/** s*P for public P and s; not constant time (verification, public values). */
export function mulPublic(p: Point, s: bigint): Point {
  return s === 0n ? IDENTITY : p.multiplyUnsafe(s);
}

/** s*P for a secret s (constant time in s). */
export function mulSecret(p: Point, s: bigint): Point {
  return s === 0n ? IDENTITY : p.multiply(s);
}

// Encoding a ristretto point costs an inverse square root (~0.1 ms here, as much as a quarter of a
// verification's multiplications): remember the bytes of decoded and already-encoded points.
const encoded = new WeakMap<Point, Uint8Array>();

/** 32-byte canonical encoding of a point (memoized per point object; do not mutate the result). */
export function pointBytes(p: Point): Uint8Array {
  let b = encoded.get(p);
  if (b === undefined) {
    b = p.toBytes();
    encoded.set(p, b);
  }
  return b;
}

/** 0x-hex of the canonical encoding of a point. */
export function pointToHex(p: Point): Hex {
  return bytesToHex(pointBytes(p));
}

/** 32-byte little-endian encoding of a scalar in [0, q). */
export function scalarBytes(s: bigint): Uint8Array {
  return numberToBytesLE(s, 32);
}

/** 0x-hex (32 bytes, little-endian) of a scalar in [0, q). */
export function scalarToHex(s: bigint): Hex {
  return bytesToHex(numberToBytesLE(s, 32));
}

/** 0x-hex (16 bytes, little-endian) of a challenge in [0, 2^128). */
export function challengeToHex(c: bigint): Hex {
  return bytesToHex(numberToBytesLE(c, CHALLENGE_BYTES));
}

function badEncoding(field: string, what: string): never {
  throw new ProtocolError(ProtocolErrorCode.CRYPTO_BAD_ENCODING, `${field}: ${what}`, { field });
}

/** Decode a point; throws CRYPTO_BAD_ENCODING naming the field unless it is a canonical ristretto255 encoding. */
export function decodePoint(value: unknown, field: string): Point {
  if (!isHex(value, 32)) badEncoding(field, 'must be 32 bytes of lowercase 0x-hex');
  const bytes = hexToBytes(value);
  try {
    const p = Point.fromBytes(bytes);
    encoded.set(p, bytes);
    return p;
  } catch {
    return badEncoding(field, 'is not a canonical ristretto255 encoding');
  }
}

/** Decode a scalar; throws CRYPTO_BAD_ENCODING unless it is 32 bytes of little-endian below q. */
export function decodeScalar(value: unknown, field: string): bigint {
  if (!isHex(value, 32)) badEncoding(field, 'must be 32 bytes of lowercase 0x-hex');
  const s = bytesToNumberLE(hexToBytes(value));
  if (s >= GROUP_ORDER) badEncoding(field, 'is not a scalar below the group order');
  return s;
}

/** Decode a challenge: exactly 16 bytes of little-endian (every such value is valid). */
export function decodeChallenge(value: unknown, field: string): bigint {
  if (!isHex(value, CHALLENGE_BYTES)) badEncoding(field, `must be ${CHALLENGE_BYTES} bytes of lowercase 0x-hex`);
  return bytesToNumberLE(hexToBytes(value));
}

export { badEncoding };
