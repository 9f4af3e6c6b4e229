/**
 * The verifier's fast paths give the verdicts of the plain definitions: prepared challenge
 * multiplications (msm.ts) equal noble's multiplyUnsafe, prepared range and Chaum-Pedersen checks
 * equal checkRange / checkDleq, and verifyBallots accepts every valid batch and refuses exactly the
 * tampered ballot of a batch, with the error verifyBallot gives for it.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ristretto255 } from '@noble/curves/ed25519.js';
import {
  ProtocolError,
  ProtocolErrorCode,
  ballotToData,
  encryptBallot,
  seededRng,
  verifyBallot,
  verifyBallots,
  type EncryptedBallot,
} from '@poa-vote/shared';
import { ChallengeMultiplier, mulAdd } from '../../../src/crypto/msm.js';
import {
  checkDleq,
  checkDleqPrepared,
  checkRange,
  checkRangePrepared,
  proveDleq,
  proveRange,
} from '../../../src/crypto/proofs.js';
import { encrypt } from '../../../src/crypto/elgamal.js';
import { ceremony, defaultCeremony, errorOf, setupOf } from './fixtures.js';

const RUNS = Number(process.env.CRYPTO_RUNS ?? 10);
const P = ristretto255.Point;
const q = P.Fn.ORDER;
const TWO_128 = 1n << 128n;

const scalar = fc.bigInt({ min: 1n, max: q - 1n });
const challenge = fc.oneof(
  fc.bigInt({ min: 0n, max: TWO_128 - 1n }),
  fc.constantFrom(0n, 1n, (1n << 32n) - 1n, 1n << 32n, 1n << 96n, TWO_128 - 1n),
);
/** Random points, the identity and the generator. */
const point = fc.oneof(
  scalar.map((s) => P.BASE.multiply(s)),
  fc.constantFrom(P.ZERO, P.BASE),
);

function verdictOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return `${err.code} ${String(err.data?.field ?? err.data?.proof)}`;
  }
}

/** The hex fields of a ballot with setters (as in ballot.test.ts). */
function hexFields(b: EncryptedBallot): { path: string; get: () => string; set: (v: string) => void }[] {
  const out: { path: string; get: () => string; set: (v: string) => void }[] = [];
  const walk = (o: Record<string, string | object>, path: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const p = Array.isArray(o) ? `${path}[${k}]` : `${path}.${k}`;
      if (typeof v === 'string' && v.startsWith('0x')) out.push({ path: p, get: () => v, set: (x) => (o[k] = x) });
      else if (typeof v === 'object' && v !== null) walk(v as Record<string, string | object>, p);
    }
  };
  walk(b as unknown as Record<string, string | object>, 'ballot');
  return out;
}

function flipBit(hex: string, bit: number): string {
  const bytes = Buffer.from(hex.slice(2), 'hex');
  const i = bit % (bytes.length * 8);
  bytes.writeUInt8((bytes.readUInt8(i >> 3) ^ (1 << (i & 7))) & 0xff, i >> 3);
  return `0x${bytes.toString('hex')}`;
}

describe('prepared challenge multiplications (msm.ts)', () => {
  it('property: times(c) = c*P, for sums and for P - j*G', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 4 }), challenge, fc.nat(3), (ps, c, j) => {
        const prepared = ps.map((p) => ChallengeMultiplier.of(p));
        const first = prepared[0] as ChallengeMultiplier;
        expect(first.times(c).equals(first.point.multiplyUnsafe(c))).toBe(true);
        const sum = ps.reduce((a, b) => a.add(b), P.ZERO);
        const prepSum = ChallengeMultiplier.sum(prepared);
        expect(prepSum.point.equals(sum)).toBe(true);
        expect(prepSum.times(c).equals(sum.multiplyUnsafe(c))).toBe(true);
        const shifted = sum.subtract(P.BASE.multiplyUnsafe(BigInt(j)));
        const prepShifted = prepSum.minusG(j);
        expect(prepShifted.point.equals(shifted)).toBe(true);
        expect(prepShifted.times(c).toHex()).toBe(shifted.multiplyUnsafe(c).toHex());
      }),
      { numRuns: Math.max(RUNS * 3, 30) },
    );
  });

  it('refuses a challenge outside [0, 2^128)', () => {
    const m = ChallengeMultiplier.of(P.BASE);
    expect(() => m.times(TWO_128)).toThrow(RangeError);
    expect(() => m.times(-1n)).toThrow(RangeError);
  });

  it('property: mulAdd(P, a, Q, b) = a*P + b*Q', () => {
    fc.assert(
      fc.property(point, fc.oneof(scalar, fc.constant(0n)), point, challenge, (p, a, r, b) => {
        expect(mulAdd(p, a, r, b).equals(p.multiplyUnsafe(a).add(r.multiplyUnsafe(b)))).toBe(true);
      }),
      { numRuns: Math.max(RUNS * 3, 30) },
    );
  });
});

describe('prepared proof checks give the plain checks’ verdicts', () => {
  const K = P.BASE.multiply(123456789n);
  const ctx = new Uint8Array(32).fill(7);

  it('property: range proofs, honest and with one c or v altered', () => {
    fc.assert(
      fc.property(
        fc.nat(2),
        fc.nat(3),
        scalar,
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.nat(7),
        (lo, span, r, seed, alter) => {
          const hi = lo + span;
          const m = lo + Number(r % BigInt(span + 1));
          const ct = encrypt(K, m, r);
          const proofs = proveRange(ctx, K, ct.alpha, ct.beta, m, r, lo, hi, seededRng(seed));
          const altered = proofs.map((p, i) =>
            i === alter % proofs.length
              ? alter < 4
                ? { c: (p.c + 1n) % TWO_128, v: p.v }
                : { c: p.c, v: (p.v + 1n) % q }
              : p,
          );
          for (const ps of [proofs, altered]) {
            const plain = checkRange(ctx, K, ct.alpha, ct.beta, lo, hi, ps);
            const prepared = checkRangePrepared(
              ctx,
              K,
              ChallengeMultiplier.of(ct.alpha),
              ChallengeMultiplier.of(ct.beta),
              lo,
              hi,
              ps,
            );
            expect(prepared).toBe(plain);
          }
          expect(checkRange(ctx, K, ct.alpha, ct.beta, lo, hi, proofs)).toBe(true);
          expect(checkRange(ctx, K, ct.alpha, ct.beta, lo, hi, altered)).toBe(false);
        },
      ),
      { numRuns: Math.max(RUNS * 2, 20) },
    );
  });

  it('property: Chaum-Pedersen proofs, honest and altered', () => {
    fc.assert(
      fc.property(scalar, scalar, fc.uint8Array({ minLength: 8, maxLength: 8 }), (x, h, seed) => {
        const H = P.BASE.multiply(h);
        const X = P.BASE.multiply(x);
        const Y = H.multiply(x);
        const p = proveDleq(ctx, x, H, X, Y, seededRng(seed));
        const prepX = ChallengeMultiplier.of(X);
        expect(checkDleqPrepared(ctx, H, prepX, Y, p)).toBe(true);
        expect(checkDleq(ctx, H, X, Y, p)).toBe(true);
        const bad = { c: p.c, v: (p.v + 1n) % q };
        expect(checkDleqPrepared(ctx, H, prepX, Y, bad)).toBe(false);
        expect(checkDleqPrepared(ctx, H, prepX, Y.add(P.BASE), p)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('verifyBallots', () => {
  const { params } = defaultCeremony();

  it('property: a batch of valid ballots (objects and JSON texts) is accepted, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3), fc.string({ minLength: 1, maxLength: 20 }), fc.boolean()), {
          minLength: 0,
          maxLength: 6,
        }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (specs, seed) => {
          const rng = seededRng(seed);
          const items = specs.map(([choice, voterId, asText]) => {
            const b = encryptBallot(params, voterId, choice, rng);
            return { voterId, ballot: asText ? ballotToData(b) : b };
          });
          const out = verifyBallots(params, items);
          expect(out.map((v) => v.ok)).toEqual(items.map(() => true));
          out.forEach((v, i) => {
            if (!v.ok) throw v.error;
            const expected = verifyBallot(params, items[i]?.voterId ?? '', items[i]?.ballot);
            expect(v.ballot.ciphertexts.map((c) => c.alpha.toHex())).toEqual(
              expected.ciphertexts.map((c) => c.alpha.toHex()),
            );
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('property: one tampered field of one ballot fails that ballot only, as verifyBallot names it', () => {
    const rng = seededRng('batch-tamper');
    const base = [0, 1, 2, 3, 1].map((choice, i) => ({
      voterId: `voter-${i}`,
      ballot: encryptBallot(params, `voter-${i}`, choice, rng),
    }));
    const nFields = hexFields(base[0]?.ballot as EncryptedBallot).length;
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(nFields - 1), fc.nat(), (victim, f, bit) => {
        const items = base.map((it) => ({ voterId: it.voterId, ballot: structuredClone(it.ballot) }));
        const target = items[victim] as { voterId: string; ballot: EncryptedBallot };
        const field = hexFields(target.ballot)[f];
        if (field === undefined) throw new Error('no such field');
        field.set(flipBit(field.get(), bit));
        const out = verifyBallots(params, items);
        expect(out.map((v) => v.ok)).toEqual(items.map((_, i) => i !== victim));
        const bad = out[victim];
        if (bad === undefined || bad.ok) throw new Error('the tampered ballot was accepted');
        expect([ProtocolErrorCode.CRYPTO_BAD_ENCODING, ProtocolErrorCode.BALLOT_BAD_PROOF]).toContain(bad.error.code);
        expect(verdictOf(() => verifyBallot(params, target.voterId, target.ballot))).toBe(
          `${bad.error.code} ${String(bad.error.data?.field ?? bad.error.data?.proof)}`,
        );
        const named = String(bad.error.data?.field ?? bad.error.data?.proof).replace(/\.proof$/, '');
        expect(field.path.startsWith(named) || named === 'ballot.limitProof').toBe(true);
      }),
      { numRuns: Math.max(RUNS * 5, 40) },
    );
  });

  it('ballots of other voters, for two candidates, non-canonical and identity points are refused', () => {
    const rng = seededRng('batch-misc');
    const a = encryptBallot(params, 'voter-a', 0, rng);
    const b = encryptBallot(params, 'voter-b', 1, rng);
    const multi = ceremony(setupOf({ minSelections: 2, maxSelections: 2 }), 'multi');
    const two = encryptBallot(multi.params, 'voter-c', [1, 1, 0, 0], rng);
    const nonCanonical = structuredClone(a);
    // s = p (2^255 - 19): the canonical encoding of s = 0 is all zeros, so this one is refused.
    const sel0 = nonCanonical.selections[0];
    if (sel0 === undefined) throw new Error('no selection');
    sel0.alpha = '0xedffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
    const identity = structuredClone(a);
    const sel1 = identity.selections[1];
    if (sel1 === undefined) throw new Error('no selection');
    sel1.alpha = `0x${'00'.repeat(32)}`;
    const out = verifyBallots(params, [
      { voterId: 'voter-a', ballot: a },
      { voterId: 'voter-a', ballot: b },
      { voterId: 'voter-c', ballot: two },
      { voterId: 'voter-a', ballot: nonCanonical },
      { voterId: 'voter-a', ballot: identity },
      { voterId: 'voter-b', ballot: b },
      { voterId: 'voter-a', ballot: '{not json' },
    ]);
    const summary = out.map((v) =>
      v.ok ? 'ok' : `${v.error.code} ${String(v.error.data?.field ?? v.error.data?.proof)}`,
    );
    expect(summary).toEqual([
      'ok',
      `${ProtocolErrorCode.BALLOT_BAD_PROOF} ballot.selections[0].proof`,
      `${ProtocolErrorCode.BALLOT_BAD_PROOF} ballot.selections[0].proof`,
      `${ProtocolErrorCode.CRYPTO_BAD_ENCODING} ballot.selections[0].alpha`,
      `${ProtocolErrorCode.BALLOT_BAD_PROOF} ballot.selections[1].proof`,
      'ok',
      `${ProtocolErrorCode.CRYPTO_BAD_ENCODING} ballot`,
    ]);
  });

  it('an election allowing 0..2 selections: batches across the limit range', () => {
    const c = ceremony(setupOf({ minSelections: 0, maxSelections: 2 }), 'range');
    const rng = seededRng('batch-range');
    const items = [
      [0, 0, 0, 0],
      [1, 0, 0, 1],
      [0, 1, 0, 0],
    ].map((sel, i) => ({ voterId: `v${i}`, ballot: encryptBallot(c.params, `v${i}`, sel, rng) }));
    const forged = structuredClone(items[0]?.ballot as EncryptedBallot);
    const donor = encryptBallot(c.params, 'v0', [1, 0, 0, 0], rng);
    forged.selections[2] = donor.selections[2] as EncryptedBallot['selections'][number];
    const out = verifyBallots(c.params, [...items, { voterId: 'v0', ballot: forged }]);
    expect(out.slice(0, 3).every((v) => v.ok)).toBe(true);
    const last = out[3];
    expect(last?.ok).toBe(false);
    if (last !== undefined && !last.ok) expect(last.error.code).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
    expect(errorOf(() => verifyBallot(c.params, 'v0', forged)).code).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
  });
});
