/**
 * Sigma protocols made non-interactive by Fiat-Shamir: Schnorr (knowledge of a discrete log),
 * Chaum-Pedersen (equality of two discrete logs) and the CDS disjunction that an ElGamal
 * ciphertext encrypts one of the values lo..hi (ElectionGuard's range proof). Challenges are
 * 128-bit; a response is v = u - c*x mod q, so the verifier recomputes each commitment as
 * v*Base + c*Public and checks that the hash of the recomputed transcript is the challenge.
 */
import { type Hex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { at } from '../assert.js';
import {
  CHALLENGE_MODULUS,
  G,
  IDENTITY,
  challengeToHex,
  decodeChallenge,
  decodeScalar,
  mod,
  mulPublic,
  mulSecret,
  randomChallenge,
  randomScalar,
  scalarToHex,
  badEncoding,
  type Point,
  type Rng,
} from './group.js';
import { type ChallengeMultiplier, mulAdd } from './msm.js';
import { TAGS, Transcript } from './transcript.js';

/** A proof in compact form: challenge c (128-bit) and response v (scalar). */
export interface Proof {
  c: bigint;
  v: bigint;
}

/** Wire form of a Proof: c is 16 bytes, v 32 bytes, both little-endian 0x-hex. */
export interface ProofWire {
  c: Hex;
  v: Hex;
}

/** Encode a proof for the wire. */
export function encodeProof(p: Proof): ProofWire {
  return { c: challengeToHex(p.c), v: scalarToHex(p.v) };
}

/** Decode a proof, naming the field on failure. */
export function decodeProof(value: unknown, field: string): Proof {
  const o = expectObject(value, field, ['c', 'v']);
  return { c: decodeChallenge(o.c, `${field}.c`), v: decodeScalar(o.v, `${field}.v`) };
}

/** A plain object with exactly the given keys; throws CRYPTO_BAD_ENCODING naming the field. */
export function expectObject(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) badEncoding(field, 'must be an object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) badEncoding(`${field}.${k}`, 'is not a known field');
  for (const k of keys) if (o[k] === undefined) badEncoding(`${field}.${k}`, 'is missing');
  return o;
}

/** An array of an exact length (or any length when undefined); throws naming the field. */
export function expectArray(value: unknown, field: string, length?: number): unknown[] {
  if (!Array.isArray(value)) badEncoding(field, 'must be an array');
  if (length !== undefined && value.length !== length)
    badEncoding(field, `must have ${length} entries, got ${value.length}`);
  return value;
}

function proofFailed(code: ProtocolErrorCode, proof: string, what: string): never {
  throw new ProtocolError(code, `${proof}: ${what}`, { proof });
}

// ---------------------------------------------------------------------------------------------
// Schnorr: knowledge of x with X = x*G.

function schnorrChallenge(context: Uint8Array, X: Point, A: Point): bigint {
  return new Transcript(TAGS.schnorr).bytes(context).point(X).point(A).challenge();
}

/** Prove knowledge of x with X = x*G, bound to a context. */
export function proveSchnorr(context: Uint8Array, x: bigint, X: Point, rng: Rng): Proof {
  const u = randomScalar(rng);
  const c = schnorrChallenge(context, X, mulSecret(G, u));
  return { c, v: mod(u - c * x) };
}

/** True when the Schnorr proof verifies. */
export function checkSchnorr(context: Uint8Array, X: Point, p: Proof): boolean {
  const A = mulPublic(G, p.v).add(mulPublic(X, p.c));
  return schnorrChallenge(context, X, A) === p.c;
}

// ---------------------------------------------------------------------------------------------
// Chaum-Pedersen: X = x*G and Y = x*H for one x.

function dleqChallenge(context: Uint8Array, H: Point, X: Point, Y: Point, a: Point, b: Point): bigint {
  return new Transcript(TAGS.dleq).bytes(context).point(H).point(X).point(Y).point(a).point(b).challenge();
}

/** Prove log_G(X) = log_H(Y) = x, bound to a context. */
export function proveDleq(context: Uint8Array, x: bigint, H: Point, X: Point, Y: Point, rng: Rng): Proof {
  const u = randomScalar(rng);
  const c = dleqChallenge(context, H, X, Y, mulSecret(G, u), mulSecret(H, u));
  return { c, v: mod(u - c * x) };
}

/** True when the Chaum-Pedersen proof verifies. */
export function checkDleq(context: Uint8Array, H: Point, X: Point, Y: Point, p: Proof): boolean {
  const a = mulPublic(G, p.v).add(mulPublic(X, p.c));
  // v*H + c*Y with one doubling chain for both (H has no table: an aggregate's alpha, a DH point).
  const b = mulAdd(H, p.v, Y, p.c);
  return dleqChallenge(context, H, X, Y, a, b) === p.c;
}

/**
 * checkDleq with X prepared for challenge multiplications (msm.ts), for a verifier that checks several
 * proofs against one X (a trustee's verification key, one proof per candidate): the same verdict.
 */
export function checkDleqPrepared(context: Uint8Array, H: Point, X: ChallengeMultiplier, Y: Point, p: Proof): boolean {
  const a = mulPublic(G, p.v).add(X.times(p.c));
  const b = mulAdd(H, p.v, Y, p.c);
  return dleqChallenge(context, H, X.point, Y, a, b) === p.c;
}

// ---------------------------------------------------------------------------------------------
// Range proof: (alpha, beta) = (r*G, m*G + r*K) with m in lo..hi, one (c_j, v_j) per value j.

function rangeChallenge(
  context: Uint8Array,
  alpha: Point,
  beta: Point,
  lo: number,
  hi: number,
  commitments: Point[],
): bigint {
  return new Transcript(TAGS.range)
    .bytes(context)
    .point(alpha)
    .point(beta)
    .uint(lo)
    .uint(hi)
    .points(commitments)
    .challenge();
}

/** beta - j*G, the point that is r*K exactly when the ciphertext encrypts j. */
function shifted(beta: Point, j: number): Point {
  return j === 0 ? beta : beta.subtract(mulPublic(G, BigInt(j)));
}

/**
 * Prove that (alpha, beta) = (r*G, m*G + r*K) encrypts m in lo..hi with nonce r under K (the caller's
 * own ciphertext: the simulated commitments are computed from m and r). Commitments are
 * (a_j, b_j) for j = lo..hi in order; for j != m they are simulated from random (c_j, v_j).
 */
export function proveRange(
  context: Uint8Array,
  K: Point,
  alpha: Point,
  beta: Point,
  m: number,
  r: bigint,
  lo: number,
  hi: number,
  rng: Rng,
): Proof[] {
  if (!(lo <= m && m <= hi)) throw new RangeError(`value ${m} is outside ${lo}..${hi}`);
  const proofs: Proof[] = [];
  const commitments: Point[] = [];
  let u = 0n;
  let sum = 0n;
  for (let j = lo; j <= hi; j++) {
    if (j === m) {
      u = randomScalar(rng);
      commitments.push(mulSecret(G, u), mulSecret(K, u));
      proofs.push({ c: 0n, v: 0n });
    } else {
      const c = randomChallenge(rng);
      const v = randomScalar(rng);
      // The simulated a_j = v*G + c*alpha and b_j = v*K + c*(beta - j*G), computed from the nonce with
      // the fixed-base tables: alpha = r*G and beta = m*G + r*K make them (v + c*r)*G and
      // (v + c*r)*K + c*(m - j)*G. These scalars reveal r and m with v and c public: constant time.
      const s = mod(v + c * r);
      commitments.push(mulSecret(G, s), mulSecret(K, s).add(mulSecret(G, mod(c * BigInt(m - j)))));
      proofs.push({ c, v });
      sum += c;
    }
  }
  const c = rangeChallenge(context, alpha, beta, lo, hi, commitments);
  const cm = mod(c - sum, CHALLENGE_MODULUS);
  proofs[m - lo] = { c: cm, v: mod(u - cm * r) };
  return proofs;
}

/** True when the range proof verifies: the c_j sum to the challenge modulo 2^128. */
export function checkRange(
  context: Uint8Array,
  K: Point,
  alpha: Point,
  beta: Point,
  lo: number,
  hi: number,
  proofs: readonly Proof[],
): boolean {
  if (proofs.length !== hi - lo + 1) return false;
  const commitments: Point[] = [];
  let sum = 0n;
  for (let j = lo; j <= hi; j++) {
    const { c, v } = at(proofs, j - lo, 'range proof');
    commitments.push(mulPublic(G, v).add(mulPublic(alpha, c)), mulPublic(K, v).add(mulPublic(shifted(beta, j), c)));
    sum += c;
  }
  return rangeChallenge(context, alpha, beta, lo, hi, commitments) === mod(sum, CHALLENGE_MODULUS);
}

/**
 * checkRange for a verifier that prepared alpha and beta (msm.ts): the same commitments, so the same
 * verdict as checkRange(context, K, alpha.point, beta.point, lo, hi, proofs), with the challenge
 * multiplications sharing their doublings. Every c_j must be a decoded challenge (below 2^128).
 */
export function checkRangePrepared(
  context: Uint8Array,
  K: Point,
  alpha: ChallengeMultiplier,
  beta: ChallengeMultiplier,
  lo: number,
  hi: number,
  proofs: readonly Proof[],
): boolean {
  if (proofs.length !== hi - lo + 1) return false;
  const commitments: Point[] = [];
  let sum = 0n;
  proofs.forEach(({ c, v }, i) => {
    commitments.push(mulPublic(G, v).add(alpha.times(c)), mulPublic(K, v).add(beta.minusG(lo + i).times(c)));
    sum += c;
  });
  return rangeChallenge(context, alpha.point, beta.point, lo, hi, commitments) === mod(sum, CHALLENGE_MODULUS);
}

export { proofFailed, IDENTITY };
