import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ristretto255 } from '@noble/curves/ed25519.js';
import {
  DlogTable,
  ProtocolErrorCode,
  addBallots,
  decodeAggregate,
  decryptTally,
  emptyAggregate,
  encodeAggregate,
  encryptBallot,
  lagrangeAtZero,
  partialDecrypt,
  seededRng,
  verifyBallot,
  verifyPartialDecryption,
  type PartialDecryption,
} from '@poa-vote/shared';
import { defaultCeremony, errorOf } from './fixtures.js';

describe('threshold tally', () => {
  const c = defaultCeremony();
  const { params, shares } = c;
  const rng = seededRng('tally');
  const choices = Array.from({ length: 50 }, (_, i) => (i * 7 + (i >> 2)) % 4);
  const ballots = choices.map((ch, i) =>
    verifyBallot(params, `voter-${i}`, encryptBallot(params, `voter-${i}`, ch, rng)),
  );
  const aggregate = addBallots(params, ballots);
  const expected = [0, 1, 2, 3].map((k) => choices.filter((x) => x === k).length);
  const partials = shares.map((s) => partialDecrypt(params, s, aggregate, rng));

  it('50 ballots decrypt to the exact counts with every pair of trustees', () => {
    for (const pair of [
      [0, 1],
      [0, 2],
      [1, 2],
      [2, 0],
    ]) {
      const r = decryptTally(
        params,
        aggregate,
        pair.map((i) => partials[i]!),
      );
      expect(r.counts).toEqual(expected);
      expect(r.trustees).toEqual(pair.map((i) => i + 1));
    }
  });

  it('the aggregate is additive and round-trips through its encoding', () => {
    const half = addBallots(params, ballots.slice(25), addBallots(params, ballots.slice(0, 25)));
    expect(encodeAggregate(half)).toEqual(encodeAggregate(aggregate));
    const again = decodeAggregate(params, JSON.parse(JSON.stringify(encodeAggregate(aggregate))));
    expect(decryptTally(params, again, partials.slice(1)).counts).toEqual(expected);
  });

  it('an empty election decrypts to zeros', () => {
    const empty = emptyAggregate(params);
    const p = shares.slice(0, 2).map((s) => partialDecrypt(params, s, empty, rng));
    expect(decryptTally(params, empty, p).counts).toEqual([0, 0, 0, 0]);
  });

  it('a tampered partial decryption fails verification and is skipped in favour of a valid one', () => {
    const t = structuredClone(partials[0]!) as PartialDecryption;
    t.shares[2]!.d = partials[1]!.shares[2]!.d;
    const err = errorOf(() => verifyPartialDecryption(params, aggregate, t));
    expect([err.code, err.data?.proof]).toEqual([ProtocolErrorCode.DECRYPTION_BAD_PROOF, 'partial.shares[2].proof']);
    const r = decryptTally(params, aggregate, [t, partials[1], partials[2]]);
    expect(r.counts).toEqual(expected);
    expect(r.trustees).toEqual([2, 3]);
    expect(r.rejected.map((x) => x.trustee)).toEqual([1]);
    expect(errorOf(() => decryptTally(params, aggregate, [t, partials[1]])).code).toBe(
      ProtocolErrorCode.DECRYPTION_INVALID,
    );
  });

  it('property: changing any bit of a partial decryption makes it fail', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.constantFrom('d', 'c', 'v'), fc.nat(255), (i, field, bit) => {
        const t = structuredClone(partials[2]!) as PartialDecryption;
        const s = t.shares[i]!;
        const hex = field === 'd' ? s.d : s.proof[field];
        const bytes = Buffer.from(hex.slice(2), 'hex');
        bytes[(bit >> 3) % bytes.length]! ^= 1 << (bit & 7);
        const flipped = `0x${bytes.toString('hex')}` as `0x${string}`;
        if (field === 'd') s.d = flipped;
        else s.proof[field] = flipped;
        const err = errorOf(() => verifyPartialDecryption(params, aggregate, t));
        expect([ProtocolErrorCode.CRYPTO_BAD_ENCODING, ProtocolErrorCode.DECRYPTION_BAD_PROOF]).toContain(err.code);
      }),
      { numRuns: 30 },
    );
  });

  it('a partial decryption of another aggregate or claimed by another trustee fails', () => {
    const other = addBallots(params, ballots.slice(1));
    expect(errorOf(() => verifyPartialDecryption(params, other, partials[0])).data?.field).toBe('partial.aggregate');
    const moved = { ...partials[0]!, trustee: 2 };
    expect(errorOf(() => verifyPartialDecryption(params, aggregate, moved)).code).toBe(
      ProtocolErrorCode.DECRYPTION_BAD_PROOF,
    );
  });

  it('a count above the bound is reported, not guessed', () => {
    expect(errorOf(() => decryptTally(params, aggregate, partials.slice(0, 2), 5)).code).toBe(
      ProtocolErrorCode.TALLY_OUT_OF_RANGE,
    );
  });

  it('a share that does not match its verification key is refused before decrypting', () => {
    const wrong = { ...shares[0]!, trustee: 2 };
    expect(errorOf(() => partialDecrypt(params, wrong, aggregate)).code).toBe(ProtocolErrorCode.DECRYPTION_INVALID);
  });

  it('Lagrange coefficients at 0 interpolate a line through shares 1 and 3', () => {
    // f(x) = 5 + 2x: f(1) = 7, f(3) = 11; l1 = 3/2, l3 = -1/2; 7*3/2 - 11/2 = 5.
    const q = 2n ** 252n + 27742317777372353535851937790883648493n;
    expect((lagrangeAtZero(1, [1, 3]) * 7n + lagrangeAtZero(3, [1, 3]) * 11n) % q).toBe(5n);
  });

  it('baby-step giant-step finds every value up to the bound and nothing above', () => {
    const t = new DlogTable(100);
    expect(t.m).toBe(11);
    let p = ristretto255.Point.ZERO;
    for (let x = 0; x <= 102; x++) {
      expect(t.log(p)).toBe(x <= 100 ? x : undefined);
      p = p.add(ristretto255.Point.BASE);
    }
  });
});
