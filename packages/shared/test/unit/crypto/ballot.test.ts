import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ProtocolError,
  ProtocolErrorCode,
  ballotToData,
  encryptBallot,
  seededRng,
  verifyBallot,
  type EncryptedBallot,
} from '@poa-vote/shared';
import { ceremony, defaultCeremony, setupOf, errorOf } from './fixtures.js';

const RUNS = Number(process.env.CRYPTO_RUNS ?? 10);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  return undefined;
}

/** Every hex string in a ballot, with a setter, so that a test can flip one bit of any field. */
function hexFields(b: EncryptedBallot): { path: string; get: () => string; set: (v: string) => void }[] {
  const out: { path: string; get: () => string; set: (v: string) => void }[] = [];
  const walk = (o: Record<string, unknown> | unknown[], path: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const p = Array.isArray(o) ? `${path}[${k}]` : `${path}.${k}`;
      if (typeof v === 'string' && v.startsWith('0x'))
        out.push({
          path: p,
          get: () => (o as Record<string, string>)[k]!,
          set: (x) => ((o as Record<string, string>)[k] = x),
        });
      else if (typeof v === 'object' && v !== null) walk(v as Record<string, unknown>, p);
    }
  };
  walk(b as unknown as Record<string, unknown>, 'ballot');
  return out;
}

function flipBit(hex: string, bit: number): string {
  const bytes = Buffer.from(hex.slice(2), 'hex');
  const i = bit % (bytes.length * 8);
  bytes[i >> 3]! ^= 1 << (i & 7);
  return `0x${bytes.toString('hex')}`;
}

describe('encrypted ballots', () => {
  const { params } = defaultCeremony();

  it('a valid ballot verifies, as an object and as its canonical JSON text', () => {
    const b = encryptBallot(params, 'voter-42', 2, seededRng('b1'));
    expect(verifyBallot(params, 'voter-42', b).ciphertexts).toHaveLength(4);
    expect(verifyBallot(params, 'voter-42', ballotToData(b)).ciphertexts).toHaveLength(4);
    expect(JSON.parse(ballotToData(b))).toEqual(b);
  });

  it('property: every valid ballot verifies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (choice, voter, seed) => {
          const b = encryptBallot(params, voter, choice, seededRng(seed));
          verifyBallot(params, voter, b);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('property: flipping any bit of any field makes it fail, naming the field or proof', () => {
    const base = encryptBallot(params, 'voter-1', 1, seededRng('flip'));
    const fields = hexFields(base);
    expect(fields).toHaveLength(4 * (2 + 4) + 2);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fields.length - 1 }), fc.nat(), (f, bit) => {
        const b = structuredClone(base);
        const field = hexFields(b)[f]!;
        field.set(flipBit(field.get(), bit));
        const err = errorOf(() => verifyBallot(params, 'voter-1', b));
        expect([ProtocolErrorCode.CRYPTO_BAD_ENCODING, ProtocolErrorCode.BALLOT_BAD_PROOF]).toContain(err.code);
        // An encoding error names the field; a proof failure the proof of the flipped selection (or the limit proof).
        const named = String(err.data?.field ?? err.data?.proof).replace(/\.proof$/, '');
        expect(field.path.startsWith(named) || named === 'ballot.limitProof').toBe(true);
      }),
      { numRuns: Math.max(RUNS * 5, 40) },
    );
  });

  it('every field flipped once: each selection and limit proof is checked', () => {
    const base = encryptBallot(params, 'voter-1', 0, seededRng('each'));
    for (let f = 0; f < hexFields(base).length; f++) {
      const b = structuredClone(base);
      const field = hexFields(b)[f]!;
      field.set(flipBit(field.get(), 3));
      expect(codeOf(() => verifyBallot(params, 'voter-1', b))).toBeDefined();
    }
  });

  it('a ballot for two candidates in a one-choice election fails the limit proof', () => {
    const multi = ceremony(setupOf({ minSelections: 2, maxSelections: 2 }), 'multi');
    // An honest 2-selection ballot under the same key, transplanted: its 0/1 proofs bind the other election.
    const two = encryptBallot(multi.params, 'v', [1, 1, 0, 0], seededRng('two'));
    expect(errorOf(() => verifyBallot(params, 'v', two)).code).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
    // The client refuses to make one.
    expect(() => encryptBallot(params, 'v', [1, 1, 0, 0])).toThrow(RangeError);
    // A ballot made with valid selection proofs for 1,1,0,0 but the limit proof of a one-selection ballot.
    const one = encryptBallot(params, 'v', 0, seededRng('one'));
    const other = encryptBallot(params, 'v', 1, seededRng('other'));
    const forged = structuredClone(one);
    forged.selections[1] = other.selections[1]!;
    const err = errorOf(() => verifyBallot(params, 'v', forged));
    expect(err.code).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
    expect(err.data?.proof).toBe('ballot.limitProof');
  });

  it('an election allowing 0..2 selections accepts a blank and a double ballot and refuses three', () => {
    const c = ceremony(setupOf({ minSelections: 0, maxSelections: 2 }), 'range');
    for (const sel of [
      [0, 0, 0, 0],
      [1, 0, 0, 1],
      [0, 1, 0, 0],
    ]) {
      const b = encryptBallot(c.params, 'v', sel, seededRng(sel.join('')));
      expect(b.limitProof).toHaveLength(3);
      verifyBallot(c.params, 'v', b);
    }
    expect(() => encryptBallot(c.params, 'v', [1, 1, 1, 0])).toThrow(RangeError);
  });

  it('a ballot bound to another voter or another election fails', () => {
    const b = encryptBallot(params, 'voter-1', 3, seededRng('bind'));
    expect(errorOf(() => verifyBallot(params, 'voter-2', b)).data?.proof).toBe('ballot.selections[0].proof');
    const other = ceremony(setupOf({ electionId: '8' }), 'ceremony');
    expect(codeOf(() => verifyBallot(other.params, 'voter-1', b))).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
    const otherChain = { ...params, setup: { ...params.setup, chainId: 1338 } };
    expect(codeOf(() => verifyBallot(otherChain, 'voter-1', b))).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
    const otherCandidates = { ...params, setup: { ...params.setup, candidates: ['alice', 'bob', 'carol', 'eve'] } };
    expect(codeOf(() => verifyBallot(otherCandidates, 'voter-1', b))).toBe(ProtocolErrorCode.BALLOT_BAD_PROOF);
  });

  it('decoders refuse malformed ballots, naming the field', () => {
    const b = encryptBallot(params, 'v', 0, seededRng('bad'));
    const cases: [(x: EncryptedBallot) => void, string, string][] = [
      [(x) => ((x as { v: number }).v = 2), ProtocolErrorCode.CRYPTO_BAD_ENCODING, 'ballot.v'],
      [(x) => x.selections.pop(), ProtocolErrorCode.BALLOT_INVALID, 'ballot.selections'],
      [(x) => x.limitProof.push(x.limitProof[0]!), ProtocolErrorCode.CRYPTO_BAD_ENCODING, 'ballot.limitProof'],
      [
        (x) => (x.selections[2]!.alpha = `0x${'ff'.repeat(32)}`),
        ProtocolErrorCode.CRYPTO_BAD_ENCODING,
        'ballot.selections[2].alpha',
      ],
      [
        (x) => (x.selections[1]!.beta = x.selections[1]!.beta.toUpperCase().replace('0X', '0x') as `0x${string}`),
        ProtocolErrorCode.CRYPTO_BAD_ENCODING,
        'ballot.selections[1].beta',
      ],
      // q itself, little-endian: not a scalar.
      [
        (x) => (x.selections[0]!.proof[1].v = '0xedd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'),
        ProtocolErrorCode.CRYPTO_BAD_ENCODING,
        'ballot.selections[0].proof[1].v',
      ],
      [
        (x) => (x.selections[0]!.proof[0].c = `0x${'00'.repeat(32)}`),
        ProtocolErrorCode.CRYPTO_BAD_ENCODING,
        'ballot.selections[0].proof[0].c',
      ],
      [
        (x) => ((x.selections[3] as unknown as Record<string, string>).extra = '0x'),
        ProtocolErrorCode.CRYPTO_BAD_ENCODING,
        'ballot.selections[3].extra',
      ],
    ];
    for (const [mutate, code, field] of cases) {
      const x = structuredClone(b);
      mutate(x);
      const err = errorOf(() => verifyBallot(params, 'v', x));
      expect([err.code, err.data?.field]).toEqual([code, field]);
    }
    expect(codeOf(() => verifyBallot(params, 'v', '{not json'))).toBe(ProtocolErrorCode.CRYPTO_BAD_ENCODING);
  });
});

describe('election parameters', () => {
  it('params re-read from JSON verify the same ballots (prepared once by content)', () => {
    const { params } = defaultCeremony();
    const b = encryptBallot(params, 'v', 1, seededRng('json'));
    verifyBallot(JSON.parse(JSON.stringify(params)), 'v', b);
  });

  it('invalid params are refused, naming the field', () => {
    const { params } = defaultCeremony();
    const bad = { ...params, verificationKeys: params.verificationKeys.slice(1) };
    expect(errorOf(() => verifyBallot(bad, 'v', {})).data?.field).toBe('params.verificationKeys');
    const dup = { ...params, setup: { ...params.setup, candidates: ['a', 'a', 'b', 'c'] } };
    expect(errorOf(() => verifyBallot(dup, 'v', {})).code).toBe(ProtocolErrorCode.ELECTION_INVALID);
    expect(() => setupOf({ threshold: 4 })).toThrow(/threshold/);
  });
});
