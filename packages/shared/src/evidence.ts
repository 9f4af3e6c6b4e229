/**
 * Equivocation evidence: two signed, conflicting statements by one authority. Each piece is
 * self-verifying from the genesis keys, so it can be stored, served and checked by anyone.
 */
import { type Hex, canonicalize } from './encoding.js';
import { type Genesis, leaderOf } from './genesis.js';
import { type Vote, validateVote } from './vote.js';
import { proposalSigningBytes } from './proposal.js';
import { verifySignature } from './signature.js';
import { ProtocolErrorCode, check } from './errors.js';
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

/** Stable id of a piece of evidence (order of a and b does not matter). */
export function evidenceId(ev: Evidence): Hex {
  const [a, b] = [canonicalize(ev.a), canonicalize(ev.b)].sort();
  return hashCanonical({ kind: ev.kind, validator: ev.validator, a, b });
}

/** Verify evidence: both statements signed by the accused and really in conflict. */
export function verifyEvidence(genesis: Genesis, ev: Evidence): void {
  if (ev.kind === 'double-vote') {
    const a = validateVote(genesis, ev.a);
    const b = validateVote(genesis, ev.b);
    check(a.validator === ev.validator && b.validator === ev.validator, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence votes are not both by the accused');
    check(a.type === b.type && a.height === b.height && a.slot === b.slot, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence votes are not for the same type, height and slot');
    check(a.blockHash !== b.blockHash, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence votes do not conflict');
    return;
  }
  check(ev.validator === leaderOf(genesis, ev.slot), ProtocolErrorCode.EVIDENCE_INVALID, 'accused is not the leader of the slot');
  const pub = genesis.authorities[ev.validator]?.publicKey;
  check(pub !== undefined, ProtocolErrorCode.EVIDENCE_INVALID, 'unknown authority');
  for (const p of [ev.a, ev.b]) {
    check(p.slot === ev.slot, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence proposals are not for the slot');
    check(verifySignature(pub, proposalSigningBytes(genesis.chainId, p), p.signature), ProtocolErrorCode.EVIDENCE_INVALID, 'evidence proposal signature does not verify');
  }
  check(ev.a.blockHash !== ev.b.blockHash || ev.a.validRound !== ev.b.validRound || ev.a.height !== ev.b.height, ProtocolErrorCode.EVIDENCE_INVALID, 'evidence proposals do not conflict');
}
