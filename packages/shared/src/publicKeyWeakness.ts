/**
 * The authority-key check of the genesis (docs/PROTOCOL.md section 4): a canonical encoding of a
 * point of Ed25519 outside the small-order subgroup. Plain bigint arithmetic, so that the node
 * (signature.ts) and the browser build (signature.browser.ts) reach the same verdicts.
 */
import { hexToBytes, isHex, type Hex } from './encoding.js';
import { at } from './assert.js';

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
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(at(bytes, i, 'public key byte'));
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
