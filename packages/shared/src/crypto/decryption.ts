/**
 * The tally: the homomorphic sum of verified ballots per candidate, partial decryptions by
 * trustees with Chaum-Pedersen proofs against their verification keys, Lagrange combination of
 * any `threshold` of them, and the counts by a bounded discrete log.
 */
import { type Hex, bytesToHex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { at } from '../assert.js';
import { CRYPTO_VERSION, prepareElection, type ElectionParams, type PreparedElection } from './election.js';
import {
  ZERO_CIPHERTEXT,
  addCiphertexts,
  decodeCiphertext,
  encodeCiphertext,
  type Ciphertext,
  type CiphertextWire,
} from './elgamal.js';
import { boundedDlog } from './dlog.js';
import {
  G,
  IDENTITY,
  badEncoding,
  decodePoint,
  decodeScalar,
  defaultRng,
  invert,
  mod,
  mulPublic,
  mulSecret,
  pointToHex,
  type Point,
  type Rng,
} from './group.js';
import {
  checkDleqPrepared,
  decodeProof,
  encodeProof,
  expectArray,
  expectObject,
  proveDleq,
  type ProofWire,
} from './proofs.js';
import { ChallengeMultiplier } from './msm.js';
import { TAGS, Transcript } from './transcript.js';
import { type VerifiedBallot } from './encryptedBallot.js';

export const AGGREGATE_TYPE = 'poa-evoting/aggregate';
export const PARTIAL_TYPE = 'poa-evoting/partial-decryption';
export const SHARE_TYPE = 'poa-evoting/trustee-share';

/** The running homomorphic sum of an election's ballots. */
export interface Aggregate {
  /** Number of ballots summed. */
  count: number;
  /** One ciphertext per candidate. */
  ciphertexts: Ciphertext[];
}

/** Wire form of an Aggregate. */
export interface AggregateWire {
  type: typeof AGGREGATE_TYPE;
  v: 1;
  count: number;
  ciphertexts: CiphertextWire[];
}

/** A trustee's secret share s_j of the election key (kept with the validator's key material). */
export interface TrusteeShare {
  type: typeof SHARE_TYPE;
  v: 1;
  /** Trustee index j, 1-based. */
  trustee: number;
  /** s_j, 32 bytes little-endian. */
  secret: Hex;
}

/** One trustee's partial decryption of an aggregate: D_i = s_j * alpha_i per candidate with proofs. */
export interface PartialDecryption {
  type: typeof PARTIAL_TYPE;
  v: 1;
  trustee: number;
  /** aggregateHash of the aggregate decrypted. */
  aggregate: Hex;
  shares: { d: Hex; proof: ProofWire }[];
}

/** The empty aggregate of an election. */
export function emptyAggregate(params: ElectionParams): Aggregate {
  const n = prepareElection(params).setup.candidates.length;
  return { count: 0, ciphertexts: Array.from({ length: n }, () => ZERO_CIPHERTEXT) };
}

/** Add verified ballots to an aggregate (the empty one by default); returns a new aggregate. */
export function addBallots(
  params: ElectionParams,
  ballots: readonly VerifiedBallot[],
  base: Aggregate = emptyAggregate(params),
): Aggregate {
  const n = prepareElection(params).setup.candidates.length;
  const cts = [...base.ciphertexts];
  if (cts.length !== n)
    throw new ProtocolError(
      ProtocolErrorCode.DECRYPTION_INVALID,
      `aggregate has ${cts.length} ciphertexts, the election ${n} candidates`,
    );
  for (const b of ballots) {
    if (b.ciphertexts.length !== n)
      throw new ProtocolError(
        ProtocolErrorCode.BALLOT_INVALID,
        `ballot has ${b.ciphertexts.length} ciphertexts, the election ${n} candidates`,
      );
    for (let i = 0; i < n; i++)
      cts[i] = addCiphertexts(at(cts, i, 'aggregate ciphertext'), at(b.ciphertexts, i, 'ciphertext'));
  }
  return { count: base.count + ballots.length, ciphertexts: cts };
}

/** Encode an aggregate for the wire. */
export function encodeAggregate(a: Aggregate): AggregateWire {
  return { type: AGGREGATE_TYPE, v: CRYPTO_VERSION, count: a.count, ciphertexts: a.ciphertexts.map(encodeCiphertext) };
}

/** Decode an aggregate, naming the field on failure. */
export function decodeAggregate(params: ElectionParams, value: unknown): Aggregate {
  const n = prepareElection(params).setup.candidates.length;
  const o = expectObject(value, 'aggregate', ['type', 'v', 'count', 'ciphertexts']);
  if (o.type !== AGGREGATE_TYPE) badEncoding('aggregate.type', `must be "${AGGREGATE_TYPE}"`);
  if (o.v !== CRYPTO_VERSION) badEncoding('aggregate.v', `unsupported version ${JSON.stringify(o.v)}`);
  if (typeof o.count !== 'number' || !Number.isSafeInteger(o.count) || o.count < 0)
    badEncoding('aggregate.count', 'must be a natural number');
  const cts = expectArray(o.ciphertexts, 'aggregate.ciphertexts', n).map((c, i) =>
    decodeCiphertext(c, `aggregate.ciphertexts[${i}]`),
  );
  return { count: o.count, ciphertexts: cts };
}

/** aggregateHash = SHA-256(lp(tag) || lp(electionHash) || lp(u64 count) || lp(alpha_1) || lp(beta_1) || ...). */
export function aggregateHash(params: ElectionParams, a: Aggregate): Uint8Array {
  const t = new Transcript(TAGS.aggregate).bytes(prepareElection(params).electionHash).uint(a.count);
  for (const c of a.ciphertexts) t.point(c.alpha).point(c.beta);
  return t.hash();
}

function partialContext(e: PreparedElection, aggHash: Uint8Array, trustee: number, i: number): Uint8Array {
  return new Transcript(TAGS.partial).bytes(e.electionHash).bytes(aggHash).uint(trustee).uint(i).hash();
}

/** Decode a trustee share. */
export function decodeTrusteeShare(params: ElectionParams, value: unknown): { trustee: number; secret: bigint } {
  const n = prepareElection(params).setup.trustees.length;
  const o = expectObject(value, 'share', ['type', 'v', 'trustee', 'secret']);
  if (o.type !== SHARE_TYPE || o.v !== CRYPTO_VERSION) badEncoding('share.type', `must be "${SHARE_TYPE}" version 1`);
  if (typeof o.trustee !== 'number' || !Number.isInteger(o.trustee) || o.trustee < 1 || o.trustee > n)
    badEncoding('share.trustee', `must be a trustee index in 1..${n}`);
  return { trustee: o.trustee, secret: decodeScalar(o.secret, 'share.secret') };
}

/** A trustee's partial decryption of an aggregate, with one Chaum-Pedersen proof per candidate. */
export function partialDecrypt(
  params: ElectionParams,
  share: TrusteeShare,
  aggregate: Aggregate,
  rng: Rng = defaultRng,
): PartialDecryption {
  const e = prepareElection(params);
  const { trustee, secret } = decodeTrusteeShare(params, share);
  const Kj = at(e.verificationKeys, trustee - 1, 'verification key');
  if (!mulSecret(G, secret).equals(Kj)) {
    throw new ProtocolError(
      ProtocolErrorCode.DECRYPTION_INVALID,
      `share of trustee ${trustee} does not match its verification key`,
      { field: 'share.secret' },
    );
  }
  const aggHash = aggregateHash(params, aggregate);
  const shares = aggregate.ciphertexts.map((ct, i) => {
    const d = mulSecret(ct.alpha, secret);
    const proof = proveDleq(partialContext(e, aggHash, trustee, i), secret, ct.alpha, Kj, d, rng);
    return { d: pointToHex(d), proof: encodeProof(proof) };
  });
  return { type: PARTIAL_TYPE, v: CRYPTO_VERSION, trustee, aggregate: bytesToHex(aggHash), shares };
}

/** A verified partial decryption: the trustee and its D_i. */
export interface VerifiedPartial {
  trustee: number;
  d: Point[];
}

/**
 * Verify a partial decryption against the aggregate and the trustee's verification key; throws
 * CRYPTO_BAD_ENCODING / DECRYPTION_INVALID naming the field, or DECRYPTION_BAD_PROOF naming the proof.
 */
export function verifyPartialDecryption(
  params: ElectionParams,
  aggregate: Aggregate,
  partial: unknown,
): VerifiedPartial {
  const e = prepareElection(params);
  const n = e.setup.trustees.length;
  const o = expectObject(partial, 'partial', ['type', 'v', 'trustee', 'aggregate', 'shares']);
  if (o.type !== PARTIAL_TYPE) badEncoding('partial.type', `must be "${PARTIAL_TYPE}"`);
  if (o.v !== CRYPTO_VERSION) badEncoding('partial.v', `unsupported version ${JSON.stringify(o.v)}`);
  if (typeof o.trustee !== 'number' || !Number.isInteger(o.trustee) || o.trustee < 1 || o.trustee > n)
    badEncoding('partial.trustee', `must be a trustee index in 1..${n}`);
  const trustee = o.trustee;
  const aggHash = aggregateHash(params, aggregate);
  if (o.aggregate !== bytesToHex(aggHash)) {
    throw new ProtocolError(
      ProtocolErrorCode.DECRYPTION_INVALID,
      'partial.aggregate: decrypts another aggregate (aggregateHash differs)',
      { field: 'partial.aggregate' },
    );
  }
  // K_j is multiplied by one challenge per candidate: prepared once (msm.ts).
  const Kj = ChallengeMultiplier.of(at(e.verificationKeys, trustee - 1, 'verification key'));
  const shares = expectArray(o.shares, 'partial.shares', aggregate.ciphertexts.length);
  const d = shares.map((s, i) => {
    const so = expectObject(s, `partial.shares[${i}]`, ['d', 'proof']);
    const D = decodePoint(so.d, `partial.shares[${i}].d`);
    const proof = decodeProof(so.proof, `partial.shares[${i}].proof`);
    const { alpha } = at(aggregate.ciphertexts, i, 'aggregate ciphertext');
    if (!checkDleqPrepared(partialContext(e, aggHash, trustee, i), alpha, Kj, D, proof)) {
      const name = `partial.shares[${i}].proof`;
      throw new ProtocolError(
        ProtocolErrorCode.DECRYPTION_BAD_PROOF,
        `${name}: trustee ${trustee}'s decryption of candidate ${JSON.stringify(e.setup.candidates[i])} does not verify`,
        { proof: name, trustee },
      );
    }
    return D;
  });
  return { trustee, d };
}

/** Lagrange coefficient at 0 of index j over the index set S: prod_{k in S, k != j} k / (k - j) mod q. */
export function lagrangeAtZero(j: number, S: readonly number[]): bigint {
  let num = 1n;
  let den = 1n;
  for (const k of S) {
    if (k === j) continue;
    num = mod(num * BigInt(k));
    den = mod(den * BigInt(k - j));
  }
  return mod(num * invert(den));
}

/**
 * Combine `threshold` verified partial decryptions of distinct trustees into M_i = beta_i - s*alpha_i
 * = count_i * G (by Lagrange interpolation of the shares at 0).
 */
export function combinePartials(
  params: ElectionParams,
  aggregate: Aggregate,
  partials: readonly VerifiedPartial[],
): Point[] {
  const e = prepareElection(params);
  const S = partials.map((p) => p.trustee);
  if (new Set(S).size !== S.length || S.length !== e.setup.threshold) {
    throw new ProtocolError(
      ProtocolErrorCode.DECRYPTION_INVALID,
      `need partial decryptions of exactly ${e.setup.threshold} distinct trustees, got [${S.join(', ')}]`,
    );
  }
  const lambdas = S.map((j) => lagrangeAtZero(j, S));
  return aggregate.ciphertexts.map((ct, i) => {
    let sAlpha = IDENTITY;
    partials.forEach((p, k) => {
      sAlpha = sAlpha.add(mulPublic(at(p.d, i, 'partial share'), at(lambdas, k, 'lagrange coefficient')));
    });
    return ct.beta.subtract(sAlpha);
  });
}

/** The decrypted tally. */
export interface TallyResult {
  /** Count per candidate, in candidate order. */
  counts: number[];
  /** The trustees whose partial decryptions were combined. */
  trustees: number[];
  /** Trustees whose partial decryption failed verification, with the error. */
  rejected: { trustee: number | undefined; error: ProtocolError }[];
}

/**
 * Verify the partial decryptions, combine the first `threshold` valid ones of distinct trustees and
 * recover each count in 0..maxVotes (default: the number of ballots). Throws DECRYPTION_INVALID
 * when fewer than `threshold` are valid, TALLY_OUT_OF_RANGE when a count is not in range.
 */
export function decryptTally(
  params: ElectionParams,
  aggregate: Aggregate,
  partials: readonly unknown[],
  maxVotes: number = aggregate.count,
): TallyResult {
  const e = prepareElection(params);
  const chosen: VerifiedPartial[] = [];
  const rejected: TallyResult['rejected'] = [];
  for (const p of partials) {
    if (chosen.length === e.setup.threshold) break;
    try {
      const v = verifyPartialDecryption(params, aggregate, p);
      if (!chosen.some((c) => c.trustee === v.trustee)) chosen.push(v);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const t = (p as { trustee?: unknown } | null)?.trustee;
      rejected.push({ trustee: typeof t === 'number' ? t : undefined, error: err });
    }
  }
  if (chosen.length < e.setup.threshold) {
    throw new ProtocolError(
      ProtocolErrorCode.DECRYPTION_INVALID,
      `only ${chosen.length} valid partial decryptions of distinct trustees; ${e.setup.threshold} are needed`,
      { rejected: rejected.map((r) => r.error.message) },
    );
  }
  const M = combinePartials(params, aggregate, chosen);
  const counts = M.map((m, i) => {
    const x = boundedDlog(m, maxVotes);
    if (x === undefined)
      throw new ProtocolError(
        ProtocolErrorCode.TALLY_OUT_OF_RANGE,
        `count of candidate ${JSON.stringify(e.setup.candidates[i])} is not in 0..${maxVotes}`,
        { candidate: i },
      );
    return x;
  });
  return { counts, trustees: chosen.map((c) => c.trustee), rejected };
}
