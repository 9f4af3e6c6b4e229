import { describe, expect, it } from '@jest/globals';
import {
  ProtocolErrorCode,
  dkgRound1,
  finalizeKey,
  makeComplaint,
  makeTrusteeKey,
  openShare,
  seededRng,
  verifyComplaint,
  verifyDealing,
  verifyTrusteeKey,
  type Dealing,
} from '@poa-vote/shared';
import { defaultCeremony, setupOf, errorOf } from './fixtures.js';

/** A dealing whose share for `recipient` is re-encrypted to a wrong value (a cheating dealer). */
function cheat(dealing: Dealing, recipient: number, donor: Dealing): Dealing {
  const d = structuredClone(dealing);
  // The donor dealing's share is a valid ciphertext, but of another polynomial under other commitments.
  const slot = d.shares.findIndex((x) => x.recipient === recipient);
  d.shares[slot] = structuredClone(donor.shares.find((x) => x.recipient === recipient)!);
  return d;
}

describe('key ceremony', () => {
  const c = defaultCeremony();
  const { setup, keys, secrets, dealings } = c;

  it('trustee keys carry a proof of knowledge bound to the trustee index and the setup', () => {
    verifyTrusteeKey(setup, keys[0]);
    const moved = { ...keys[0]!, trustee: 2 };
    expect(errorOf(() => verifyTrusteeKey(setup, moved)).code).toBe(ProtocolErrorCode.DKG_BAD_PROOF);
    expect(errorOf(() => verifyTrusteeKey(setupOf({ electionId: '9' }), keys[0])).code).toBe(
      ProtocolErrorCode.DKG_BAD_PROOF,
    );
  });

  it('every dealing verifies and every trustee opens its shares', () => {
    for (const d of dealings) {
      expect(verifyDealing(setup, keys, d).commitments).toHaveLength(2);
      for (const s of secrets) expect(typeof openShare(setup, keys, d, s)).toBe('bigint');
    }
  });

  it('all trustees agree on the key, the verification keys and the qualified set', () => {
    const results = secrets.map((s) => finalizeKey(setup, keys, dealings, [], s));
    for (const r of results) {
      expect(r.params).toEqual(c.params);
      expect(r.qualified).toEqual([1, 2, 3]);
      expect(r.disqualified).toEqual([]);
    }
    expect(new Set(results.map((r) => r.share!.secret)).size).toBe(3);
  });

  it('a forged coefficient proof or commitment is refused, naming it', () => {
    const d = structuredClone(dealings[1]!);
    d.commitments[1] = dealings[2]!.commitments[1]!;
    const err = errorOf(() => verifyDealing(setup, keys, d));
    expect([err.code, err.data?.proof]).toEqual([ProtocolErrorCode.DKG_BAD_PROOF, 'dealing.proofs[1]']);
    const e = structuredClone(dealings[1]!);
    e.shares[0]!.ciphertext = e.shares[0]!.ciphertext.slice(0, -2) as `0x${string}`;
    expect(errorOf(() => verifyDealing(setup, keys, e)).data?.field).toBe('dealing.shares[0].ciphertext');
  });

  it('a cheating dealer is caught by a complaint and disqualified; the key is built from the others', () => {
    const rng = seededRng('cheat');
    const bad = cheat(dealings[0]!, 3, dealings[1]!);
    verifyDealing(setup, keys, bad); // its public part is fine
    const err = errorOf(() => openShare(setup, keys, bad, secrets[2]!));
    expect([err.code, err.data?.reason]).toEqual([ProtocolErrorCode.DKG_BAD_SHARE, 'undecryptable']);
    const complaint = makeComplaint(setup, keys, bad, secrets[2]!, rng);
    expect(verifyComplaint(setup, keys, bad, complaint)).toEqual({
      upheld: true,
      dealer: 1,
      complainer: 3,
      reason: 'undecryptable',
    });
    const all = [bad, dealings[1]!, dealings[2]!];
    const r = finalizeKey(setup, keys, all, [complaint], secrets[2]);
    expect(r.qualified).toEqual([2, 3]);
    expect(r.disqualified[0]).toMatchObject({ dealer: 1 });
    expect(r.params.publicKey).not.toEqual(c.params.publicKey);
    // Without the complaint, trustee 3 cannot finish: its share is wrong and it must complain.
    expect(errorOf(() => finalizeKey(setup, keys, all, [], secrets[2])).code).toBe(ProtocolErrorCode.DKG_BAD_SHARE);
  });

  it('a dealer who encrypts a wrong value under a valid ciphertext is caught (share mismatch)', () => {
    // Deal with one polynomial but publish the commitments of another: every share mismatches.
    const rng = seededRng('mismatch');
    const d = dkgRound1(setup, 2, keys, rng);
    const forged = { ...d, commitments: dealings[1]!.commitments, proofs: dealings[1]!.proofs };
    // The AAD binds the commitments, so the share no longer decrypts; re-encrypting needs the recipient key,
    // so this dealer is caught either way.
    const complaint = makeComplaint(setup, keys, forged, secrets[0]!, rng);
    expect(verifyComplaint(setup, keys, forged, complaint).upheld).toBe(true);
  });

  it('a false complaint is rejected and the dealer stays qualified', () => {
    const rng = seededRng('false');
    const complaint = makeComplaint(setup, keys, dealings[0]!, secrets[1]!, rng);
    expect(verifyComplaint(setup, keys, dealings[0]!, complaint)).toEqual({
      upheld: false,
      dealer: 1,
      complainer: 2,
      reason: 'share-valid',
    });
    const r = finalizeKey(setup, keys, dealings, [complaint]);
    expect(r.qualified).toEqual([1, 2, 3]);
    expect(r.rejectedComplaints).toHaveLength(1);
    expect(r.params).toEqual(c.params);
  });

  it('a complaint with a forged shared secret or a moved proof is invalid', () => {
    const rng = seededRng('forged');
    const bad = cheat(dealings[0]!, 3, dealings[1]!);
    const complaint = makeComplaint(setup, keys, bad, secrets[2]!, rng);
    const forged = { ...complaint, sharedSecret: keys[0]!.key };
    expect(errorOf(() => verifyComplaint(setup, keys, bad, forged)).code).toBe(ProtocolErrorCode.DKG_COMPLAINT_INVALID);
    const otherDealing = { ...complaint };
    expect(errorOf(() => verifyComplaint(setup, keys, dealings[0]!, otherDealing)).code).toBe(
      ProtocolErrorCode.DKG_COMPLAINT_INVALID,
    );
    // Trustee 2 cannot complain in trustee 3's name.
    const stolen = { ...makeComplaint(setup, keys, bad, secrets[1]!, rng), complainer: 3 };
    expect(errorOf(() => verifyComplaint(setup, keys, bad, stolen)).code).toBe(ProtocolErrorCode.DKG_COMPLAINT_INVALID);
  });

  it('fewer than threshold qualified dealers stop the ceremony', () => {
    expect(errorOf(() => finalizeKey(setup, keys, [dealings[0]!], [])).code).toBe(ProtocolErrorCode.DKG_INVALID);
    const r = finalizeKey(setup, keys, [dealings[0]!, dealings[2]!], []);
    expect(r.qualified).toEqual([1, 3]);
    expect(r.disqualified).toEqual([{ dealer: 2, reason: 'no dealing' }]);
  });

  it('a trustee key message for the wrong index or a missing key is refused', () => {
    const k = makeTrusteeKey(setup, 1, seededRng('k')).message;
    expect(errorOf(() => dkgRound1(setup, 1, [k, k, keys[2]!], seededRng('x'))).data?.field).toBe(
      'trusteeKeys[1].trustee',
    );
    expect(errorOf(() => dkgRound1(setup, 1, [keys[1]!, k], seededRng('x'))).data?.field).toBe(
      'trusteeKeys[1].trustee',
    );
    // Fewer keys than the threshold: no ceremony.
    expect(errorOf(() => dkgRound1(setup, 1, [k], seededRng('x'))).data?.field).toBe('trusteeKeys');
  });

  it('runs with the threshold of participants: a trustee without a key neither deals nor receives a share', () => {
    const two = [keys[0]!, keys[2]!];
    expect(errorOf(() => dkgRound1(setup, 2, two, seededRng('x'))).data?.field).toBe('dealer');
    const ds = [1, 3].map((i) => dkgRound1(setup, i, two, seededRng(`d${i}`)));
    expect(ds[0]!.shares.map((x) => x.recipient)).toEqual([1, 3]);
    // A dealing made for all three is not a dealing of this ceremony.
    expect(errorOf(() => verifyDealing(setup, two, dealings[0])).data?.field).toBe('dealing.shares');
    expect(errorOf(() => openShare(setup, two, ds[0], secrets[1]!)).message).toMatch(/takes no part/);
    const results = [0, 2].map((i) => finalizeKey(setup, two, ds, [], secrets[i]));
    expect(results[0]!.params).toEqual(results[1]!.params);
    expect(results[0]!.qualified).toEqual([1, 3]);
    expect(results[0]!.holders).toEqual([1, 3]);
    expect(results[0]!.disqualified).toEqual([{ dealer: 2, reason: 'no election key' }]);
    expect(results.map((r) => r.share?.trustee)).toEqual([1, 3]);
    expect(() => finalizeKey(setup, two, ds, [], secrets[1])).toThrow(/takes no part/);
    // A bad share to a participant is still caught by its complaint.
    const bad = cheat(ds[0]!, 3, ds[1]!);
    const complaint = makeComplaint(setup, two, bad, secrets[2]!, seededRng('c'));
    expect(verifyComplaint(setup, two, bad, complaint).upheld).toBe(true);
  });
});
