/** Exponential ElGamal on ristretto255: Enc(m; r) = (r*G, m*G + r*K), additively homomorphic. */
import { type Hex } from '../encoding.js';
import { G, IDENTITY, decodePoint, mulPublic, mulSecret, pointToHex, type Point } from './group.js';
import { expectObject } from './proofs.js';

/** A ciphertext (alpha, beta) = (r*G, m*G + r*K). */
export interface Ciphertext {
  alpha: Point;
  beta: Point;
}

/** Wire form: both points as 32-byte 0x-hex. */
export interface CiphertextWire {
  alpha: Hex;
  beta: Hex;
}

/** Encrypt a small non-negative integer m with nonce r under K. */
export function encrypt(K: Point, m: number, r: bigint): Ciphertext {
  return { alpha: mulSecret(G, r), beta: mulSecret(K, r).add(mulPublic(G, BigInt(m))) };
}

/** Homomorphic sum: Enc(a) + Enc(b) = Enc(a + b). */
export function addCiphertexts(a: Ciphertext, b: Ciphertext): Ciphertext {
  return { alpha: a.alpha.add(b.alpha), beta: a.beta.add(b.beta) };
}

/** Enc(0) with nonce 0: the neutral element of the sum. */
export const ZERO_CIPHERTEXT: Ciphertext = { alpha: IDENTITY, beta: IDENTITY };

/** Encode a ciphertext for the wire. */
export function encodeCiphertext(c: Ciphertext): CiphertextWire {
  return { alpha: pointToHex(c.alpha), beta: pointToHex(c.beta) };
}

/** Decode a ciphertext, naming the field on failure. */
export function decodeCiphertext(value: unknown, field: string): Ciphertext {
  const o = expectObject(value, field, ['alpha', 'beta']);
  return { alpha: decodePoint(o.alpha, `${field}.alpha`), beta: decodePoint(o.beta, `${field}.beta`) };
}
