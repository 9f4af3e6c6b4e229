/**
 * The key ceremony (ElectionGuard's, i.e. Pedersen's DKG over Feldman VSS). Trustees are the
 * election's authorities, indexed 1..n; any `threshold` of them can decrypt.
 *   0. Each trustee j publishes an election key E_j = e_j*G with a Schnorr proof (makeTrusteeKey).
 *   1. Each dealer i picks P_i(x) = a_i0 + a_i1 x + ... of degree threshold-1, publishes Feldman
 *      commitments C_ik = a_ik*G with Schnorr proofs, and P_i(j) encrypted to every E_j (dkgRound1).
 *   2. Each recipient checks P_i(j)*G = sum_k j^k C_ik (openShare); if not, it files a complaint
 *      revealing the shared point of that one share with a Chaum-Pedersen proof (makeComplaint).
 *   3. Dealers with an invalid dealing or an upheld complaint are disqualified; with the rest (QUAL):
 *      K = sum C_i0, s_j = sum P_i(j), K_j = sum_i sum_k j^k C_ik (finalizeKey).
 * The participants are the trustees whose keys are given (at least `threshold` of the n, in index
 * order: on a chain, those whose keys reached it by the key phase's deadline). Only participants deal,
 * and each dealing holds one share per participant; a trustee without a key takes no part and holds no
 * share. Evaluation points stay the trustees' indices 1..n, so any `threshold` share holders decrypt.
 */
import { bytesToHex, hexToBytes, isHex, type Hex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { at, must } from '../assert.js';
import {
  CRYPTO_VERSION,
  electionParams,
  parseElectionSetup,
  setupHash,
  type ElectionParams,
  type ElectionSetup,
} from './election.js';
import {
  G,
  IDENTITY,
  badEncoding,
  decodePoint,
  decodeScalar,
  defaultRng,
  mod,
  mulPublic,
  mulSecret,
  pointToHex,
  randomScalar,
  scalarToHex,
  type Point,
  type Rng,
} from './group.js';
import {
  checkDleq,
  checkSchnorr,
  decodeProof,
  encodeProof,
  expectArray,
  expectObject,
  proveDleq,
  proveSchnorr,
  type ProofWire,
} from './proofs.js';
import { SHARE_CIPHERTEXT_BYTES, decryptShare, encryptShare, type ShareSlot } from './shareEncryption.js';
import { SHARE_TYPE, type TrusteeShare } from './decryption.js';
import { TAGS, Transcript } from './transcript.js';

export const TRUSTEE_KEY_TYPE = 'poa-evoting/dkg-trustee-key';
export const TRUSTEE_SECRET_TYPE = 'poa-evoting/dkg-trustee-secret';
export const DEALING_TYPE = 'poa-evoting/dkg-dealing';
export const COMPLAINT_TYPE = 'poa-evoting/dkg-complaint';

/** A trustee's published election key E_j with a proof of knowledge of e_j. */
export interface TrusteeKeyMessage {
  type: typeof TRUSTEE_KEY_TYPE;
  v: 1;
  trustee: number;
  key: Hex;
  proof: ProofWire;
}

/** A trustee's election secret e_j (kept with the validator's key material, never on chain). */
export interface TrusteeSecret {
  type: typeof TRUSTEE_SECRET_TYPE;
  v: 1;
  trustee: number;
  secret: Hex;
}

/** A dealer's public message: Feldman commitments, their proofs, and one encrypted share per trustee. */
export interface Dealing {
  type: typeof DEALING_TYPE;
  v: 1;
  dealer: number;
  /** C_ik = a_ik*G for k = 0..threshold-1. */
  commitments: Hex[];
  /** Schnorr proof of knowledge of a_ik, one per commitment. */
  proofs: ProofWire[];
  /** One per participant (trustee with a key), in index order, the dealer's own share included. */
  shares: { recipient: number; ephemeral: Hex; ciphertext: Hex }[];
}

/** A recipient's verifiable claim that its share in a dealing is wrong. */
export interface Complaint {
  type: typeof COMPLAINT_TYPE;
  v: 1;
  dealer: number;
  complainer: number;
  /** dealingHash of the dealing complained about. */
  dealing: Hex;
  /** S = e_j * Y: the shared point of that one share; anyone can then decrypt it. */
  sharedSecret: Hex;
  /** Chaum-Pedersen proof that log_G(E_j) = log_Y(S). */
  proof: ProofWire;
}

function fail(code: ProtocolErrorCode, field: string, what: string, data: Record<string, unknown> = {}): never {
  throw new ProtocolError(code, `${field}: ${what}`, { field, ...data });
}

function index(value: unknown, field: string, n: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > n)
    fail(ProtocolErrorCode.DKG_INVALID, field, `must be a trustee index in 1..${n}`);
  return value;
}

function header(o: Record<string, unknown>, field: string, type: string): void {
  if (o.type !== type) badEncoding(`${field}.type`, `must be "${type}"`);
  if (o.v !== CRYPTO_VERSION) badEncoding(`${field}.v`, `unsupported version ${JSON.stringify(o.v)}`);
}

function trusteeKeyContext(sh: Uint8Array, trustee: number): Uint8Array {
  return new Transcript(TAGS.trusteeKey).bytes(sh).uint(trustee).hash();
}

function coefficientContext(sh: Uint8Array, dealer: number, k: number): Uint8Array {
  return new Transcript(TAGS.coefficient).bytes(sh).uint(dealer).uint(k).hash();
}

/** Step 0: a trustee's election key pair; publish `message`, keep `secret`. */
export function makeTrusteeKey(
  setup: ElectionSetup,
  trustee: number,
  rng: Rng = defaultRng,
): { secret: TrusteeSecret; message: TrusteeKeyMessage } {
  const s = parseElectionSetup(setup);
  index(trustee, 'trustee', s.trustees.length);
  const e = randomScalar(rng);
  const E = mulSecret(G, e);
  const proof = proveSchnorr(trusteeKeyContext(setupHash(s), trustee), e, E, rng);
  return {
    secret: { type: TRUSTEE_SECRET_TYPE, v: CRYPTO_VERSION, trustee, secret: scalarToHex(e) },
    message: { type: TRUSTEE_KEY_TYPE, v: CRYPTO_VERSION, trustee, key: pointToHex(E), proof: encodeProof(proof) },
  };
}

/** Verify a trustee key message; returns E_j. Throws naming the field or DKG_BAD_PROOF. */
export function verifyTrusteeKey(setup: ElectionSetup, message: unknown, field = 'trusteeKey'): Point {
  const s = parseElectionSetup(setup);
  const o = expectObject(message, field, ['type', 'v', 'trustee', 'key', 'proof']);
  header(o, field, TRUSTEE_KEY_TYPE);
  const trustee = index(o.trustee, `${field}.trustee`, s.trustees.length);
  const E = decodePoint(o.key, `${field}.key`);
  if (E.is0()) fail(ProtocolErrorCode.DKG_INVALID, `${field}.key`, 'is the identity');
  if (!checkSchnorr(trusteeKeyContext(setupHash(s), trustee), E, decodeProof(o.proof, `${field}.proof`))) {
    fail(
      ProtocolErrorCode.DKG_BAD_PROOF,
      `${field}.proof`,
      `trustee ${trustee}'s proof of knowledge of its election key does not verify`,
      { proof: `${field}.proof` },
    );
  }
  return E;
}

/**
 * The participants' election keys, checked: one valid message per participant in increasing trustee
 * order, at least `threshold` and at most n of them. Returns E_j by trustee index j (in index order).
 */
function trusteeKeys(s: ElectionSetup, keys: readonly unknown[]): Map<number, Point> {
  const n = s.trustees.length;
  if (!Array.isArray(keys) || keys.length < s.threshold || keys.length > n)
    fail(
      ProtocolErrorCode.DKG_INVALID,
      'trusteeKeys',
      `must hold the keys of ${s.threshold} to ${n} trustees (the threshold to all), got ${Array.isArray(keys) ? keys.length : 'no array'}`,
    );
  const out = new Map<number, Point>();
  let previous = 0;
  keys.forEach((k, i) => {
    const E = verifyTrusteeKey(s, k, `trusteeKeys[${i}]`);
    const trustee = (k as TrusteeKeyMessage).trustee;
    if (trustee <= previous)
      fail(
        ProtocolErrorCode.DKG_INVALID,
        `trusteeKeys[${i}].trustee`,
        `must be above ${previous}: one key per trustee, in increasing trustee order`,
      );
    previous = trustee;
    out.set(trustee, E);
  });
  return out;
}

function participantKey(E: ReadonlyMap<number, Point>, trustee: number, field: string, role: string): Point {
  const key = E.get(trustee);
  if (key === undefined)
    fail(
      ProtocolErrorCode.DKG_INVALID,
      field,
      `${role} ${trustee} has no election key among the participants' keys: it takes no part in this key ceremony`,
      { trustee },
    );
  return key;
}

/** sum_k x^k * C_k: the public image P(x)*G of a committed polynomial. */
function evalCommitments(commitments: readonly Point[], x: number): Point {
  let acc = IDENTITY;
  let pow = 1n;
  for (const C of commitments) {
    acc = acc.add(mulPublic(C, pow));
    pow = mod(pow * BigInt(x));
  }
  return acc;
}

function evalPolynomial(coeffs: readonly bigint[], x: number): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = mod(acc * BigInt(x) + at(coeffs, k, 'coefficient'));
  return acc;
}

/** Step 1: dealer i's dealing. Its polynomial is not returned: the dealer's own share is in the dealing. */
export function dkgRound1(
  setup: ElectionSetup,
  dealer: number,
  keys: readonly TrusteeKeyMessage[],
  rng: Rng = defaultRng,
): Dealing {
  const s = parseElectionSetup(setup);
  const n = s.trustees.length;
  index(dealer, 'dealer', n);
  const E = trusteeKeys(s, keys);
  participantKey(E, dealer, 'dealer', 'dealer');
  const sh = setupHash(s);
  const coeffs = Array.from({ length: s.threshold }, () => randomScalar(rng));
  const commitments = coeffs.map((a) => mulSecret(G, a));
  const proofs = coeffs.map((a, k) =>
    encodeProof(proveSchnorr(coefficientContext(sh, dealer, k), a, at(commitments, k, 'commitment'), rng)),
  );
  const shares = [...E].map(([j, Ej]) => {
    const slot: ShareSlot = { setupHash: sh, dealer, recipient: j, recipientKey: Ej, commitments };
    const { ephemeral, ciphertext } = encryptShare(slot, evalPolynomial(coeffs, j), rng);
    return { recipient: j, ephemeral: pointToHex(ephemeral), ciphertext: bytesToHex(ciphertext) };
  });
  return { type: DEALING_TYPE, v: CRYPTO_VERSION, dealer, commitments: commitments.map(pointToHex), proofs, shares };
}

/** A dealing after its public checks. */
export interface VerifiedDealing {
  dealer: number;
  commitments: Point[];
  /** One per participant, in trustee order. */
  shares: { recipient: number; ephemeral: Point; ciphertext: Uint8Array }[];
  /** dealingHash, which complaints name. */
  hash: Uint8Array;
}

/**
 * dealingHash = SHA-256(lp(tag) || lp(setupHash) || lp(u64 dealer) || lp(u64 t) || lp(C_0) .. lp(C_{t-1})
 * || lp(u64 m) || for each of the m recipients j in order: lp(u64 j) || lp(Y_j) || lp(ciphertext_j)).
 */
function dealingHash(sh: Uint8Array, d: Omit<VerifiedDealing, 'hash'>): Uint8Array {
  const t = new Transcript(TAGS.dealing)
    .bytes(sh)
    .uint(d.dealer)
    .uint(d.commitments.length)
    .points(d.commitments)
    .uint(d.shares.length);
  for (const x of d.shares) {
    t.uint(x.recipient).point(x.ephemeral).bytes(x.ciphertext);
  }
  return t.hash();
}

/** Step 1, checked by everyone: structure, encodings and the proofs of knowledge of the coefficients. */
export function verifyDealing(
  setup: ElectionSetup,
  keys: readonly TrusteeKeyMessage[],
  dealing: unknown,
): VerifiedDealing {
  const s = parseElectionSetup(setup);
  return checkDealing(s, trusteeKeys(s, keys), dealing);
}

function checkDealing(s: ElectionSetup, E: ReadonlyMap<number, Point>, dealing: unknown): VerifiedDealing {
  const n = s.trustees.length;
  const recipients = [...E.keys()];
  const sh = setupHash(s);
  const o = expectObject(dealing, 'dealing', ['type', 'v', 'dealer', 'commitments', 'proofs', 'shares']);
  header(o, 'dealing', DEALING_TYPE);
  const dealer = index(o.dealer, 'dealing.dealer', n);
  participantKey(E, dealer, 'dealing.dealer', 'dealer');
  const commitments = expectArray(o.commitments, 'dealing.commitments', s.threshold).map((c, k) =>
    decodePoint(c, `dealing.commitments[${k}]`),
  );
  const proofs = expectArray(o.proofs, 'dealing.proofs', s.threshold).map((p, k) =>
    decodeProof(p, `dealing.proofs[${k}]`),
  );
  const shares = expectArray(o.shares, 'dealing.shares', recipients.length).map((x, j) => {
    const f = `dealing.shares[${j}]`;
    const so = expectObject(x, f, ['recipient', 'ephemeral', 'ciphertext']);
    const recipient = at(recipients, j, 'recipient');
    if (so.recipient !== recipient)
      fail(
        ProtocolErrorCode.DKG_INVALID,
        `${f}.recipient`,
        `must be ${recipient} (one share per participant, in order)`,
      );
    const ephemeral = decodePoint(so.ephemeral, `${f}.ephemeral`);
    if (!isHex(so.ciphertext, SHARE_CIPHERTEXT_BYTES))
      badEncoding(`${f}.ciphertext`, `must be ${SHARE_CIPHERTEXT_BYTES} bytes of lowercase 0x-hex`);
    return { recipient, ephemeral, ciphertext: hexToBytes(so.ciphertext) };
  });
  commitments.forEach((C, k) => {
    if (!checkSchnorr(coefficientContext(sh, dealer, k), C, at(proofs, k, 'coefficient proof'))) {
      fail(
        ProtocolErrorCode.DKG_BAD_PROOF,
        `dealing.proofs[${k}]`,
        `dealer ${dealer}'s proof of knowledge of coefficient ${k} does not verify`,
        { proof: `dealing.proofs[${k}]`, dealer },
      );
    }
  });
  const d = { dealer, commitments, shares };
  return { ...d, hash: dealingHash(sh, d) };
}

function slotOf(s: ElectionSetup, E: ReadonlyMap<number, Point>, d: VerifiedDealing, recipient: number): ShareSlot {
  return {
    setupHash: setupHash(s),
    dealer: d.dealer,
    recipient,
    recipientKey: participantKey(E, recipient, 'recipient', 'recipient'),
    commitments: d.commitments,
  };
}

/** The encrypted share of `recipient` in a checked dealing (which holds one per participant). */
function shareOf(d: VerifiedDealing, recipient: number): VerifiedDealing['shares'][number] {
  const x = d.shares.find((y) => y.recipient === recipient);
  if (x === undefined)
    fail(
      ProtocolErrorCode.DKG_INVALID,
      'dealing.shares',
      `dealer ${d.dealer}'s dealing holds no share for trustee ${recipient}, which takes no part in the ceremony`,
      { trustee: recipient },
    );
  return x;
}

function decodeSecret(s: ElectionSetup, secret: TrusteeSecret): { trustee: number; e: bigint } {
  const o = expectObject(secret, 'secret', ['type', 'v', 'trustee', 'secret']);
  header(o, 'secret', TRUSTEE_SECRET_TYPE);
  return { trustee: index(o.trustee, 'secret.trustee', s.trustees.length), e: decodeScalar(o.secret, 'secret.secret') };
}

/** Why a share is bad, or undefined when it decrypts and matches the commitments. */
function shareFault(
  slot: ShareSlot,
  d: VerifiedDealing,
  S: Point,
): { reason: 'undecryptable' | 'mismatch' } | { share: bigint } {
  const x = shareOf(d, slot.recipient);
  const share = decryptShare(slot, x.ephemeral, S, x.ciphertext);
  if (share === undefined) return { reason: 'undecryptable' };
  if (!mulSecret(G, share).equals(evalCommitments(d.commitments, slot.recipient))) return { reason: 'mismatch' };
  return { share };
}

/** Step 2: a recipient decrypts and checks its share P_i(j); throws DKG_BAD_SHARE (then complain). */
export function openShare(
  setup: ElectionSetup,
  keys: readonly TrusteeKeyMessage[],
  dealing: unknown,
  secret: TrusteeSecret,
): bigint {
  const s = parseElectionSetup(setup);
  const E = trusteeKeys(s, keys);
  const d = checkDealing(s, E, dealing);
  const { trustee, e } = decodeSecret(s, secret);
  const x = shareOf(d, trustee);
  const r = shareFault(slotOf(s, E, d, trustee), d, mulSecret(x.ephemeral, e));
  if ('reason' in r)
    fail(
      ProtocolErrorCode.DKG_BAD_SHARE,
      `dealing.shares[${d.shares.indexOf(x)}]`,
      `dealer ${d.dealer}'s share for trustee ${trustee} is ${r.reason === 'undecryptable' ? 'not decryptable' : 'inconsistent with its commitments'}`,
      { dealer: d.dealer, reason: r.reason },
    );
  return r.share;
}

function complaintContext(
  sh: Uint8Array,
  dealingHashBytes: Uint8Array,
  dealer: number,
  complainer: number,
): Uint8Array {
  return new Transcript(TAGS.complaint).bytes(sh).bytes(dealingHashBytes).uint(dealer).uint(complainer).hash();
}

/** Step 2: a complaint against a dealing, revealing the shared point of the complainer's share. */
export function makeComplaint(
  setup: ElectionSetup,
  keys: readonly TrusteeKeyMessage[],
  dealing: unknown,
  secret: TrusteeSecret,
  rng: Rng = defaultRng,
): Complaint {
  const s = parseElectionSetup(setup);
  const E = trusteeKeys(s, keys);
  const d = checkDealing(s, E, dealing);
  const { trustee, e } = decodeSecret(s, secret);
  const Y = shareOf(d, trustee).ephemeral;
  const S = mulSecret(Y, e);
  const Ej = participantKey(E, trustee, 'secret.trustee', 'trustee');
  const proof = proveDleq(complaintContext(setupHash(s), d.hash, d.dealer, trustee), e, Y, Ej, S, rng);
  return {
    type: COMPLAINT_TYPE,
    v: CRYPTO_VERSION,
    dealer: d.dealer,
    complainer: trustee,
    dealing: bytesToHex(d.hash),
    sharedSecret: pointToHex(S),
    proof: encodeProof(proof),
  };
}

/** The outcome of a complaint: upheld (the dealer is disqualified) or rejected (the share was fine). */
export interface ComplaintVerdict {
  upheld: boolean;
  dealer: number;
  complainer: number;
  reason: 'undecryptable' | 'mismatch' | 'share-valid';
}

/**
 * Step 2, checked by everyone: decrypt the complained-about share with the revealed shared point
 * and check it against the commitments. Throws DKG_COMPLAINT_INVALID for a complaint that does
 * not name this dealing or whose proof fails (a forged shared point).
 */
export function verifyComplaint(
  setup: ElectionSetup,
  keys: readonly TrusteeKeyMessage[],
  dealing: unknown,
  complaint: unknown,
): ComplaintVerdict {
  const s = parseElectionSetup(setup);
  const E = trusteeKeys(s, keys);
  const d = checkDealing(s, E, dealing);
  return judgeComplaint(s, E, d, complaint);
}

function judgeComplaint(
  s: ElectionSetup,
  E: ReadonlyMap<number, Point>,
  d: VerifiedDealing,
  complaint: unknown,
): ComplaintVerdict {
  const n = s.trustees.length;
  const o = expectObject(complaint, 'complaint', [
    'type',
    'v',
    'dealer',
    'complainer',
    'dealing',
    'sharedSecret',
    'proof',
  ]);
  header(o, 'complaint', COMPLAINT_TYPE);
  const dealer = index(o.dealer, 'complaint.dealer', n);
  const complainer = index(o.complainer, 'complaint.complainer', n);
  if (dealer !== d.dealer || o.dealing !== bytesToHex(d.hash))
    fail(ProtocolErrorCode.DKG_COMPLAINT_INVALID, 'complaint.dealing', `does not name dealer ${d.dealer}'s dealing`);
  const S = decodePoint(o.sharedSecret, 'complaint.sharedSecret');
  const proof = decodeProof(o.proof, 'complaint.proof');
  if (!E.has(complainer))
    fail(
      ProtocolErrorCode.DKG_COMPLAINT_INVALID,
      'complaint.complainer',
      `trustee ${complainer} takes no part in the key ceremony (no key): it holds no share to complain about`,
    );
  const Y = shareOf(d, complainer).ephemeral;
  const Ec = participantKey(E, complainer, 'complaint.complainer', 'complainer');
  if (!checkDleq(complaintContext(setupHash(s), d.hash, dealer, complainer), Y, Ec, S, proof)) {
    fail(
      ProtocolErrorCode.DKG_COMPLAINT_INVALID,
      'complaint.proof',
      `trustee ${complainer}'s proof that it revealed the right shared secret does not verify`,
      { proof: 'complaint.proof' },
    );
  }
  const r = shareFault(slotOf(s, E, d, complainer), d, S);
  return { upheld: 'reason' in r, dealer, complainer, reason: 'reason' in r ? r.reason : 'share-valid' };
}

/** The outcome of the ceremony. */
export interface KeyCeremonyResult {
  params: ElectionParams;
  /** Dealers whose polynomials make up the key. */
  qualified: number[];
  /** The participants (trustees whose keys were given): each holds a share s_j; only they can decrypt. */
  holders: number[];
  /** Dealers left out, with the reason (no dealing, invalid dealing, upheld complaint). */
  disqualified: { dealer: number; reason: string }[];
  /** Rejected complaints (the complainer's share was fine, or the complaint was malformed). */
  rejectedComplaints: { index: number; reason: string }[];
  /** The caller's own share s_j when its TrusteeSecret was given. */
  share?: TrusteeShare;
}

/**
 * Step 3: from every published dealing and complaint, the qualified set, the joint key, every
 * verification key and (given the trustee's secret) its share. Deterministic: every validator
 * computes the same result from the same messages. Throws DKG_INVALID if fewer than `threshold`
 * dealers qualify.
 */
export function finalizeKey(
  setup: ElectionSetup,
  keys: readonly TrusteeKeyMessage[],
  dealings: readonly unknown[],
  complaints: readonly unknown[],
  secret?: TrusteeSecret,
): KeyCeremonyResult {
  const s = parseElectionSetup(setup);
  const n = s.trustees.length;
  const E = trusteeKeys(s, keys);
  const byDealer = new Map<number, VerifiedDealing>();
  const disqualified = new Map<number, string>();
  dealings.forEach((x, i) => {
    let d: VerifiedDealing;
    try {
      d = checkDealing(s, E, x);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const dealer = (x as { dealer?: unknown } | null)?.dealer;
      if (typeof dealer === 'number' && Number.isInteger(dealer) && dealer >= 1 && dealer <= n)
        disqualified.set(dealer, `dealings[${i}] invalid: ${err.message}`);
      return;
    }
    if (byDealer.has(d.dealer)) disqualified.set(d.dealer, `dealt twice (dealings[${i}])`);
    else byDealer.set(d.dealer, d);
  });
  const rejectedComplaints: KeyCeremonyResult['rejectedComplaints'] = [];
  complaints.forEach((c, i) => {
    const dealer = (c as { dealer?: unknown } | null)?.dealer;
    const d = typeof dealer === 'number' ? byDealer.get(dealer) : undefined;
    if (d === undefined) {
      rejectedComplaints.push({ index: i, reason: 'names no valid dealing' });
      return;
    }
    try {
      const v = judgeComplaint(s, E, d, c);
      if (v.upheld) disqualified.set(v.dealer, `complaint of trustee ${v.complainer} upheld: share ${v.reason}`);
      else
        rejectedComplaints.push({
          index: i,
          reason: `trustee ${v.complainer}'s share from dealer ${v.dealer} is valid`,
        });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      rejectedComplaints.push({ index: i, reason: err.message });
    }
  });
  for (let i = 1; i <= n; i++)
    if (!byDealer.has(i) && !disqualified.has(i)) disqualified.set(i, E.has(i) ? 'no dealing' : 'no election key');
  const qualified = [...byDealer.keys()].filter((i) => !disqualified.has(i)).sort((a, b) => a - b);
  if (qualified.length < s.threshold) {
    throw new ProtocolError(
      ProtocolErrorCode.DKG_INVALID,
      `only ${qualified.length} dealers qualified; the threshold is ${s.threshold}`,
      { qualified, disqualified: Object.fromEntries(disqualified) },
    );
  }
  const Q = qualified.map((i) => must(byDealer.get(i), `dealing of qualified dealer ${i}`));
  const K = Q.reduce((acc, d) => acc.add(at(d.commitments, 0, 'constant commitment')), IDENTITY);
  const vks = Array.from({ length: n }, (_, j) =>
    Q.reduce((acc, d) => acc.add(evalCommitments(d.commitments, j + 1)), IDENTITY),
  );
  const params = electionParams(s, K, vks);
  const result: KeyCeremonyResult = {
    params,
    qualified,
    holders: [...E.keys()],
    disqualified: [...disqualified.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([dealer, reason]) => ({ dealer, reason })),
    rejectedComplaints,
  };
  if (secret !== undefined) {
    const { trustee, e } = decodeSecret(s, secret);
    participantKey(E, trustee, 'secret.trustee', 'trustee');
    let sj = 0n;
    for (const d of Q) {
      const ephemeral = shareOf(d, trustee).ephemeral;
      const r = shareFault(slotOf(s, E, d, trustee), d, mulSecret(ephemeral, e));
      if ('reason' in r)
        fail(
          ProtocolErrorCode.DKG_BAD_SHARE,
          `dealing of ${d.dealer}`,
          `share for trustee ${trustee} is ${r.reason}, and no upheld complaint disqualified the dealer`,
          { dealer: d.dealer },
        );
      sj = mod(sj + r.share);
    }
    result.share = { type: SHARE_TYPE, v: CRYPTO_VERSION, trustee, secret: scalarToHex(sj) };
  }
  return result;
}
