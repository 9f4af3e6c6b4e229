/**
 * Multiplications by 128-bit challenges for verifiers, built from @noble/curves' own point
 * operations and multi-scalar multiplication (no curve arithmetic here). A verifier multiplies
 * each ciphertext point by two or more challenges (the c_j of a range proof), and one
 * variable-base multiplication by a 128-bit scalar costs 128 doublings. Splitting
 * c = c_0 + 2^32 c_1 + 2^64 c_2 + 2^96 c_3 and keeping P, 2^32 P, 2^64 P, 2^96 P (96 doublings,
 * once per point) turns each c*P into noble's interleaved wNAF multi-scalar multiplication over
 * those four points, whose walk shares 32 doublings; sums and shifts by multiples of G are then
 * prepared by additions alone.
 *
 * The work is done on the Edwards representatives that @noble/curves' ristretto255 points wrap
 * (`toAffine()` gives the representative's coordinates; the group law of ristretto255 is that of
 * the representatives, RFC 9496 section 4), so that the walk does not allocate a wrapper per
 * addition; results are wrapped back with the public constructor.
 */
import { interleavedMSMUnsafe, mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { at } from '../assert.js';
import { G, type Point } from './group.js';

const RistrettoPoint = ristretto255.Point;
const EdwardsPoint = ed25519.Point;
type Edwards = InstanceType<typeof ed25519.Point>;

const LIMB_BITS = 32;
const LIMBS = 4;
const LIMB_MASK = (1n << BigInt(LIMB_BITS)) - 1n;
/** Width of the wNAF windows of the interleaved walk (tables of 4 odd multiples per point). */
const WNAF_WINDOW = 4;

/** The Edwards representative of a ristretto255 point (one field inversion). */
function edwardsOf(p: Point): Edwards {
  return EdwardsPoint.fromAffine(p.toAffine());
}

/** c (below 2^128) as four 32-bit limbs, least significant first. */
function limbs(c: bigint): bigint[] {
  if (c < 0n || c >> BigInt(LIMB_BITS * LIMBS) !== 0n) throw new RangeError('challenge must be below 2^128');
  const out: bigint[] = [];
  for (let k = 0; k < LIMBS; k++) out.push((c >> BigInt(LIMB_BITS * k)) & LIMB_MASK);
  return out;
}

/** P, 2^32 P, 2^64 P, 2^96 P. */
function powersOf(p: Edwards): Edwards[] {
  const out = [p];
  let q = p;
  for (let k = 1; k < LIMBS; k++) {
    for (let i = 0; i < LIMB_BITS; i++) q = q.double();
    out.push(q);
  }
  return out;
}

/** 2^(32k) * j * G for k = 0..3, cached for the small j of range proofs. */
const shiftsOfG = new Map<number, Edwards[]>();
function gShift(j: number): Edwards[] {
  let s = shiftsOfG.get(j);
  if (s === undefined) {
    s = powersOf(edwardsOf(G.multiplyUnsafe(BigInt(j))));
    if (shiftsOfG.size < 64) shiftsOfG.set(j, s);
  }
  return s;
}

/**
 * A point prepared for several multiplications by challenges (integers below 2^128), not constant
 * time (public values only). `times(c)` is the same group element as `point.multiplyUnsafe(c)`.
 */
export class ChallengeMultiplier {
  readonly point: Point;
  private readonly powers: Edwards[];
  private msm: ((scalars: bigint[]) => Edwards) | undefined;

  private constructor(point: Point, powers: Edwards[]) {
    this.point = point;
    this.powers = powers;
  }

  /** Prepare P (96 doublings). */
  static of(p: Point): ChallengeMultiplier {
    return new ChallengeMultiplier(p, powersOf(edwardsOf(p)));
  }

  /** The sum of prepared points, prepared by additions of their powers. */
  static sum(items: readonly ChallengeMultiplier[]): ChallengeMultiplier {
    const powers = Array.from({ length: LIMBS }, (_, k) =>
      items.reduce((acc, m) => acc.add(at(m.powers, k, 'power')), EdwardsPoint.ZERO),
    );
    return new ChallengeMultiplier(new RistrettoPoint(at(powers, 0)), powers);
  }

  /** P - j*G, prepared by subtractions (beta - j*G in range proofs). */
  minusG(j: number): ChallengeMultiplier {
    if (j === 0) return this;
    const s = gShift(j);
    const powers = this.powers.map((p, k) => p.subtract(at(s, k, 'power of G')));
    return new ChallengeMultiplier(new RistrettoPoint(at(powers, 0)), powers);
  }

  /** c * P for a challenge c in [0, 2^128). */
  times(c: bigint): Point {
    this.msm ??= interleavedMSMUnsafe(EdwardsPoint, this.powers, WNAF_WINDOW);
    return new RistrettoPoint(this.msm(limbs(c)));
  }
}

/** a*P + b*Q for public P, Q and scalars below q, with one shared doubling chain (noble's Strauss-Shamir). */
export function mulAdd(p: Point, a: bigint, q: Point, b: bigint): Point {
  return new RistrettoPoint(mulAddUnsafe(EdwardsPoint, [edwardsOf(p), edwardsOf(q)], [a, b]));
}
