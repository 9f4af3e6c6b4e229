/**
 * Equivocation evidence: two signed, conflicting statements by one authority. Each piece is
 * self-verifying from the genesis keys, so it can be stored, served and checked by anyone.
 */
import { type Hex, canonicalize, isHex } from './encoding.js';
import { type Genesis, leaderOf } from './genesis.js';
import { type Vote, validateVote } from './vote.js';
import { proposalSigningBytes } from './proposal.js';
import { verifySignature } from './signature.js';
import { ProtocolError, ProtocolErrorCode, check } from './errors.js';
import { at } from './assert.js';
import { hashCanonical } from './hash.js';

export interface SignedProposalHeader {
  height: number;
  slot: number;
  blockHash: Hex;
  validRound: number;
  signature: Hex;
}

export type Evidence =
  | { kind: 'double-proposal'; validator: number; slot: number; a: SignedProposalHeader; b: SignedProposalHeader }
  | { kind: 'double-vote'; validator: number; a: Vote; b: Vote };

// Only the fields that make a statement: a relayed copy with extra properties keeps its id.
function statementText(kind: Evidence['kind'], s: Vote | SignedProposalHeader): string {
  if (kind === 'double-vote') {
    const v = s as Vote;
    return canonicalize({
      type: v.type,
      height: v.height,
      slot: v.slot,
      blockHash: v.blockHash,
      validator: v.validator,
      signature: v.signature,
    });
  }
  return canonicalize({
    height: s.height,
    slot: s.slot,
    blockHash: s.blockHash,
    validRound: (s as SignedProposalHeader).validRound,
    signature: s.signature,
  });
}

/** Stable id of a piece of evidence (order of a and b and extra properties do not matter). */
export function evidenceId(ev: Evidence): Hex {
  const [a, b] = [statementText(ev.kind, ev.a), statementText(ev.kind, ev.b)].sort();
  return hashCanonical({ kind: ev.kind, validator: ev.validator, a, b });
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function evidenceVote(genesis: Genesis, input: unknown, which: 'a' | 'b'): Vote {
  try {
    return validateVote(genesis, input);
  } catch (e) {
    throw new ProtocolError(ProtocolErrorCode.EVIDENCE_INVALID, `evidence vote ${which}: ${(e as Error).message}`);
  }
}

function checkProposalHeader(p: unknown, which: 'a' | 'b'): asserts p is SignedProposalHeader {
  const r = p as Record<string, unknown>;
  check(
    typeof p === 'object' && p !== null,
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which} must be an object`,
  );
  check(
    isNat(r.height) && r.height >= 1,
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which}.height must be an integer >= 1`,
  );
  check(
    isNat(r.slot),
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which}.slot must be a non-negative integer`,
  );
  check(
    isHex(r.blockHash, 32),
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which}.blockHash must be a 32-byte hash`,
  );
  check(
    typeof r.validRound === 'number' && Number.isSafeInteger(r.validRound) && r.validRound >= -1,
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which}.validRound must be an integer >= -1`,
  );
  check(
    isHex(r.signature, 64),
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence proposal ${which}.signature must be 64 bytes of 0x-hex`,
  );
}

/**
 * Verify untrusted evidence: both statements signed by the accused and really in conflict.
 * Every failure is an EVIDENCE_INVALID ProtocolError naming the problem.
 */
export function verifyEvidence(genesis: Genesis, ev: Evidence): void {
  check(typeof ev === 'object' && ev !== null, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence must be an object');
  check(
    ev.kind === 'double-vote' || ev.kind === 'double-proposal',
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence.kind must be "double-vote" or "double-proposal", got ${JSON.stringify((ev as { kind?: unknown }).kind)}`,
  );
  check(
    isNat(ev.validator) && ev.validator < genesis.authorities.length,
    ProtocolErrorCode.EVIDENCE_INVALID,
    `evidence.validator ${String(ev.validator)} is not an authority index`,
  );
  if (ev.kind === 'double-vote') {
    const a = evidenceVote(genesis, ev.a, 'a');
    const b = evidenceVote(genesis, ev.b, 'b');
    check(
      a.validator === ev.validator && b.validator === ev.validator,
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence votes are not both by the accused',
    );
    check(
      a.type === b.type && a.height === b.height && a.slot === b.slot,
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence votes are not for the same type, height and slot',
    );
    check(a.blockHash !== b.blockHash, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence votes do not conflict');
    return;
  }
  check(isNat(ev.slot), ProtocolErrorCode.EVIDENCE_INVALID, 'evidence.slot must be a non-negative integer');
  check(
    ev.validator === leaderOf(genesis, ev.slot),
    ProtocolErrorCode.EVIDENCE_INVALID,
    `accused authority ${ev.validator} is not the leader of slot ${ev.slot}`,
  );
  const pub = at(genesis.authorities, ev.validator, 'accused authority').publicKey;
  checkProposalHeader(ev.a, 'a');
  checkProposalHeader(ev.b, 'b');
  for (const [which, p] of [
    ['a', ev.a],
    ['b', ev.b],
  ] as const) {
    check(
      p.slot === ev.slot,
      ProtocolErrorCode.EVIDENCE_INVALID,
      `evidence proposal ${which} is for slot ${p.slot}, not ${ev.slot}`,
    );
    check(
      verifySignature(pub, proposalSigningBytes(genesis.chainId, p), p.signature),
      ProtocolErrorCode.EVIDENCE_INVALID,
      `evidence proposal ${which} signature does not verify`,
    );
  }
  check(
    ev.a.blockHash !== ev.b.blockHash || ev.a.validRound !== ev.b.validRound || ev.a.height !== ev.b.height,
    ProtocolErrorCode.EVIDENCE_INVALID,
    'evidence proposals do not conflict',
  );
}
