/**
 * Encrypted ballots: one exponential-ElGamal ciphertext per candidate with a proof that it
 * encrypts 0 or 1, and a proof that the selections sum to minSelections..maxSelections
 * (ElectionGuard's selection and contest-limit proofs). Every proof binds the election (its
 * hash covers chain id, election id, candidate list, limits, trustees and keys) and the voter.
 */
import { canonicalize, isWellFormedString, type Hex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { at } from '../assert.js';
import { CRYPTO_VERSION, prepareElection, type ElectionParams, type PreparedElection } from './election.js';
import { ZERO_CIPHERTEXT, addCiphertexts, decodeCiphertext, encrypt, type Ciphertext } from './elgamal.js';
import { GROUP_ORDER, badEncoding, defaultRng, mod, pointToHex, randomScalar, type Rng } from './group.js';
import { ChallengeMultiplier } from './msm.js';
import {
  checkRangePrepared,
  decodeProof,
  encodeProof,
  expectArray,
  expectObject,
  proveRange,
  type ProofWire,
} from './proofs.js';
import { TAGS, Transcript } from './transcript.js';

export const BALLOT_TYPE = 'poa-evoting/ballot';

/** Wire form of one selection: the ciphertext of 0 or 1 and its proof (entries for 0 then 1). */
export interface EncryptedSelection {
  alpha: Hex;
  beta: Hex;
  proof: [ProofWire, ProofWire];
}

/** Wire form of an encrypted ballot (carried as the canonical JSON text in a transaction's data). */
export interface EncryptedBallot {
  type: typeof BALLOT_TYPE;
  v: 1;
  /** One per candidate, in the election's candidate order. */
  selections: EncryptedSelection[];
  /** Range proof of the sum over minSelections..maxSelections, one entry per value. */
  limitProof: ProofWire[];
}

/** A ballot whose proofs verified: its ciphertexts, ready to be added to the tally. */
export interface VerifiedBallot {
  ciphertexts: Ciphertext[];
}

function checkVoter(voterId: string): void {
  if (typeof voterId !== 'string' || voterId.length === 0 || voterId.length > 256 || !isWellFormedString(voterId)) {
    throw new ProtocolError(
      ProtocolErrorCode.BALLOT_INVALID,
      'voterId must be a well-formed string of 1-256 characters',
      { field: 'voterId' },
    );
  }
}

/** Context of selection i: SHA-256(lp(tag) || lp(electionHash) || lp(voterId) || lp(u64 i)). */
function selectionContext(e: PreparedElection, voterId: string, i: number): Uint8Array {
  return new Transcript(TAGS.selectionContext).bytes(e.electionHash).text(voterId).uint(i).hash();
}

/** Context of the limit proof: also binds every selection's ciphertext, so it binds the whole ballot. */
function limitContext(e: PreparedElection, voterId: string, cts: readonly Ciphertext[]): Uint8Array {
  const t = new Transcript(TAGS.limitContext).bytes(e.electionHash).text(voterId).uint(cts.length);
  for (const c of cts) t.point(c.alpha).point(c.beta);
  return t.hash();
}

/** Normalize a choice to a 0/1 vector and check it against the election's limits. */
function selectionsOf(e: PreparedElection, choice: number | readonly number[]): number[] {
  const n = e.setup.candidates.length;
  let sel: number[];
  if (typeof choice === 'number') {
    if (!Number.isInteger(choice) || choice < 0 || choice >= n)
      throw new RangeError(`choice must be a candidate index in 0..${n - 1}, got ${choice}`);
    sel = Array.from({ length: n }, (_, i) => (i === choice ? 1 : 0));
  } else {
    if (choice.length !== n || choice.some((x) => x !== 0 && x !== 1))
      throw new RangeError(`selections must be ${n} values of 0 or 1`);
    sel = [...choice];
  }
  const total = sel.reduce((a, b) => a + b, 0);
  const { minSelections, maxSelections } = e.setup;
  if (total < minSelections || total > maxSelections)
    throw new RangeError(`ballot selects ${total} candidates; this election allows ${minSelections}..${maxSelections}`);
  return sel;
}

/**
 * Encrypt a ballot for a candidate index (one-choice) or a 0/1 vector of selections.
 * @example const ballot = encryptBallot(params, 'voter-42', 2);
 */
export function encryptBallot(
  params: ElectionParams,
  voterId: string,
  choice: number | readonly number[],
  rng: Rng = defaultRng,
): EncryptedBallot {
  checkVoter(voterId);
  const e = prepareElection(params);
  const sel = selectionsOf(e, choice);
  const K = e.publicKey;
  const nonces = sel.map(() => randomScalar(rng));
  const cts = sel.map((m, i) => encrypt(K, m, at(nonces, i, 'nonce')));
  const selections = sel.map((m, i): EncryptedSelection => {
    const ct = at(cts, i, 'ciphertext');
    const nonce = at(nonces, i, 'nonce');
    const proof = proveRange(selectionContext(e, voterId, i), K, ct.alpha, ct.beta, m, nonce, 0, 1, rng);
    return {
      alpha: pointToHex(ct.alpha),
      beta: pointToHex(ct.beta),
      proof: [encodeProof(at(proof, 0, 'range proof')), encodeProof(at(proof, 1, 'range proof'))],
    };
  });
  const sum = cts.reduce(addCiphertexts, ZERO_CIPHERTEXT);
  const total = sel.reduce((a, b) => a + b, 0);
  const R = mod(
    nonces.reduce((a, b) => a + b, 0n),
    GROUP_ORDER,
  );
  const { minSelections, maxSelections } = e.setup;
  const limitProof = proveRange(
    limitContext(e, voterId, cts),
    K,
    sum.alpha,
    sum.beta,
    total,
    R,
    minSelections,
    maxSelections,
    rng,
  ).map(encodeProof);
  return { type: BALLOT_TYPE, v: CRYPTO_VERSION, selections, limitProof };
}

/** The canonical JSON text of a ballot: what a transaction's data carries. */
export function ballotToData(ballot: EncryptedBallot): string {
  return canonicalize(ballot);
}

/** Parse a transaction's data as an encrypted ballot (structure only; verifyBallot checks the proofs). */
export function ballotFromData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return badEncoding('ballot', 'is not JSON');
  }
}

/**
 * Verify a ballot (wire object or its JSON text) for a voter: encodings, shape, every selection's
 * 0-or-1 proof and the limit proof. Returns the ciphertexts; throws CRYPTO_BAD_ENCODING or
 * BALLOT_INVALID naming the field, or BALLOT_BAD_PROOF naming the proof (data.proof).
 */
export function verifyBallot(
  params: ElectionParams,
  voterId: string,
  ballot: EncryptedBallot | string | unknown,
): VerifiedBallot {
  checkVoter(voterId);
  const e = prepareElection(params);
  const o = expectObject(typeof ballot === 'string' ? ballotFromData(ballot) : ballot, 'ballot', [
    'type',
    'v',
    'selections',
    'limitProof',
  ]);
  if (o.type !== BALLOT_TYPE) badEncoding('ballot.type', `must be "${BALLOT_TYPE}"`);
  if (o.v !== CRYPTO_VERSION) badEncoding('ballot.v', `unsupported version ${JSON.stringify(o.v)}`);
  const n = e.setup.candidates.length;
  if (!Array.isArray(o.selections) || o.selections.length !== n) {
    throw new ProtocolError(
      ProtocolErrorCode.BALLOT_INVALID,
      `ballot.selections: must have one entry per candidate (${n})`,
      { field: 'ballot.selections' },
    );
  }
  const { minSelections, maxSelections } = e.setup;
  const limitWire = expectArray(o.limitProof, 'ballot.limitProof', maxSelections - minSelections + 1);
  const decoded = o.selections.map((s: unknown, i: number) => {
    const f = `ballot.selections[${i}]`;
    const so = expectObject(s, f, ['alpha', 'beta', 'proof']);
    const ct = decodeCiphertext({ alpha: so.alpha, beta: so.beta }, f);
    const proof = expectArray(so.proof, `${f}.proof`, 2).map((p, j) => decodeProof(p, `${f}.proof[${j}]`));
    return { ct, proof };
  });
  const limitProof = limitWire.map((p, j) => decodeProof(p, `ballot.limitProof[${j}]`));
  const K = e.publicKey;
  // Each alpha_i and beta_i is multiplied by two challenges here and once more, summed, in the limit
  // proof: prepared once (msm.ts), the sums' preparations are additions of theirs.
  const prepared = decoded.map(({ ct }) => ({
    alpha: ChallengeMultiplier.of(ct.alpha),
    beta: ChallengeMultiplier.of(ct.beta),
  }));
  decoded.forEach(({ proof }, i) => {
    const p = at(prepared, i, 'prepared selection');
    if (!checkRangePrepared(selectionContext(e, voterId, i), K, p.alpha, p.beta, 0, 1, proof)) {
      const name = `ballot.selections[${i}].proof`;
      throw new ProtocolError(
        ProtocolErrorCode.BALLOT_BAD_PROOF,
        `${name}: the 0-or-1 proof of candidate ${JSON.stringify(e.setup.candidates[i])} does not verify`,
        { proof: name, selection: i },
      );
    }
  });
  const cts = decoded.map((d) => d.ct);
  const sumAlpha = ChallengeMultiplier.sum(prepared.map((p) => p.alpha));
  const sumBeta = ChallengeMultiplier.sum(prepared.map((p) => p.beta));
  const context = limitContext(e, voterId, cts);
  if (!checkRangePrepared(context, K, sumAlpha, sumBeta, minSelections, maxSelections, limitProof)) {
    throw new ProtocolError(
      ProtocolErrorCode.BALLOT_BAD_PROOF,
      `ballot.limitProof: the proof that the ballot selects ${minSelections}..${maxSelections} candidates does not verify`,
      { proof: 'ballot.limitProof' },
    );
  }
  return { ciphertexts: cts };
}

/** One ballot of a batch: the voter (the transaction's `from`) and the ballot (object or JSON text). */
export interface BallotBatchItem {
  voterId: string;
  ballot: EncryptedBallot | string | unknown;
}

/** The verdict on one ballot of a batch: its ciphertexts, or the error verifyBallot would throw. */
export type BallotVerdict = { ok: true; ballot: VerifiedBallot } | { ok: false; error: ProtocolError };

/**
 * Verify many ballots of one election (a block's, a mempool batch): one verdict per item, in order;
 * a refused ballot's verdict carries the ProtocolError that verifyBallot throws for it (naming the
 * field or the failed proof), the others are unaffected. Errors other than ProtocolErrors (bugs) are
 * thrown. The election is prepared once; each ballot is checked in full (see PROTOCOL.md, "Verifying
 * many ballots", for why the compact v1 proofs admit no random-linear-combination shortcut).
 */
export function verifyBallots(params: ElectionParams, items: readonly BallotBatchItem[]): BallotVerdict[] {
  prepareElection(params);
  return items.map(({ voterId, ballot }): BallotVerdict => {
    try {
      return { ok: true, ballot: verifyBallot(params, voterId, ballot) };
    } catch (err) {
      if (err instanceof ProtocolError) return { ok: false, error: err };
      throw err;
    }
  });
}
