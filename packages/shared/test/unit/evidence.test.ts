import { describe, it, expect } from '@jest/globals';
import {
  type Evidence,
  type Proposal,
  type SignedProposalHeader,
  type Vote,
  ProtocolErrorCode,
  canonicalize,
  createProposal,
  createVote,
  evidenceId,
  genesisHash,
  hashCanonical,
  verifyEvidence,
} from '@poa-vote/shared';
import { clone, expectProtocolError, flipHex, makeBlock, makeChain, tx } from './fixtures.js';

const chain = makeChain({ n: 3 });
const { genesis, signers } = chain;
const parentHash = genesisHash(genesis);
// Two different blocks for height 1, slot 1 (leader: authority 1).
const blockA = makeBlock(chain, { height: 1, slot: 1, parentHash, transactions: [tx(1)] });
const blockB = makeBlock(chain, { height: 1, slot: 1, parentHash, transactions: [tx(2)] });

function vote(
  validator: number,
  blockHash = blockA.hash,
  over: Partial<Pick<Vote, 'type' | 'height' | 'slot'>> = {},
): Vote {
  return createVote(genesis, signers[validator]!, validator, {
    type: 'prevote',
    height: 1,
    slot: 1,
    blockHash,
    ...over,
  });
}

function header(p: Proposal): SignedProposalHeader {
  return { height: p.height, slot: p.slot, blockHash: p.block.hash, validRound: p.validRound, signature: p.signature };
}

const doubleVote: Evidence = { kind: 'double-vote', validator: 2, a: vote(2, blockA.hash), b: vote(2, blockB.hash) };
const doubleProposal: Evidence = {
  kind: 'double-proposal',
  validator: 1,
  slot: 1,
  a: header(createProposal(genesis, signers[1]!, { slot: 1, block: blockA, validRound: -1 })),
  b: header(createProposal(genesis, signers[1]!, { slot: 1, block: blockB, validRound: -1 })),
};

describe('double-vote evidence', () => {
  it('verifies two conflicting votes of one authority', () => {
    expect(() => verifyEvidence(genesis, clone(doubleVote))).not.toThrow();
    const precommits: Evidence = {
      kind: 'double-vote',
      validator: 0,
      a: vote(0, blockA.hash, { type: 'precommit' }),
      b: vote(0, blockB.hash, { type: 'precommit' }),
    };
    expect(() => verifyEvidence(genesis, precommits)).not.toThrow();
  });

  it('rejects votes that do not conflict', () => {
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: doubleVote.a }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence votes do not conflict',
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: vote(2, blockB.hash, { slot: 2 }) }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence votes are not for the same type, height and slot',
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: vote(2, blockB.hash, { type: 'precommit' }) }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      /not for the same type/,
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: vote(2, blockB.hash, { height: 2 }) }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      /not for the same type, height/,
    );
  });

  it('rejects votes by someone other than the accused', () => {
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: vote(1, blockB.hash) }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence votes are not both by the accused',
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, validator: 1 }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      /not both by the accused/,
    );
  });

  it('rejects a forged vote, naming which one', () => {
    const forged = { ...doubleVote.b, signature: flipHex(doubleVote.b.signature) };
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, b: forged }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      /^evidence vote b: prevote of validator-3 .* has a bad signature/,
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleVote, a: null as unknown as Vote }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence vote a: vote must be an object',
    );
  });
});

describe('double-proposal evidence', () => {
  it('verifies two proposals of the slot leader for different blocks', () => {
    expect(() => verifyEvidence(genesis, clone(doubleProposal))).not.toThrow();
    // Same block, different validRound is also two statements for one slot.
    const withValidRound = header(createProposal(genesis, signers[1]!, { slot: 1, block: blockA, validRound: 0 }));
    expect(() => verifyEvidence(genesis, { ...doubleProposal, b: withValidRound })).not.toThrow();
  });

  it('rejects proposals that do not conflict', () => {
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleProposal, b: doubleProposal.a }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence proposals do not conflict',
    );
  });

  it('rejects proposals of another slot or by a non-leader', () => {
    const blockSlot4 = makeBlock(chain, { height: 1, slot: 4, parentHash });
    const slot4 = header(createProposal(genesis, signers[1]!, { slot: 4, block: blockSlot4, validRound: -1 }));
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleProposal, b: slot4 }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence proposal b is for slot 4, not 1',
    );
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleProposal, validator: 2 }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'accused authority 2 is not the leader of slot 1',
    );
    const byOther = header(createProposal(genesis, signers[0]!, { slot: 1, block: blockB, validRound: -1 }));
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleProposal, b: byOther }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence proposal b signature does not verify',
    );
  });

  it('rejects a tampered statement', () => {
    expectProtocolError(
      () => verifyEvidence(genesis, { ...doubleProposal, a: { ...doubleProposal.a, height: 2 } }),
      ProtocolErrorCode.EVIDENCE_INVALID,
      'evidence proposal a signature does not verify',
    );
  });
});

describe('malformed evidence', () => {
  it('is rejected with EVIDENCE_INVALID, never a crash', () => {
    const bad = (ev: unknown, message: RegExp | string): void => {
      expectProtocolError(() => verifyEvidence(genesis, ev as Evidence), ProtocolErrorCode.EVIDENCE_INVALID, message);
    };
    bad(null, 'evidence must be an object');
    bad(
      { ...doubleProposal, kind: 'triple-proposal' },
      'evidence.kind must be "double-vote" or "double-proposal", got "triple-proposal"',
    );
    bad({ ...doubleVote, validator: 3 }, 'evidence.validator 3 is not an authority index');
    bad({ ...doubleProposal, slot: -1 }, 'evidence.slot must be a non-negative integer');
    bad({ ...doubleProposal, a: null }, 'evidence proposal a must be an object');
    bad(
      { ...doubleProposal, b: { ...doubleProposal.b, blockHash: 42 } },
      'evidence proposal b.blockHash must be a 32-byte hash',
    );
    bad({ ...doubleProposal, a: { ...doubleProposal.a, validRound: -2 } }, /evidence proposal a\.validRound/);
    bad({ ...doubleProposal, a: { ...doubleProposal.a, height: '\ud800' } }, /evidence proposal a\.height/);
    bad({ ...doubleProposal, a: { ...doubleProposal.a, signature: undefined } }, /evidence proposal a\.signature/);
  });
});

describe('evidenceId', () => {
  it('does not depend on the order of the two statements', () => {
    expect(evidenceId({ ...doubleVote, a: doubleVote.b, b: doubleVote.a })).toBe(evidenceId(doubleVote));
    expect(evidenceId({ ...doubleProposal, a: doubleProposal.b, b: doubleProposal.a })).toBe(
      evidenceId(doubleProposal),
    );
  });

  it('ignores properties outside the signed statements', () => {
    const relayed = {
      ...doubleVote,
      a: { ...doubleVote.a, note: 'relayed' },
      b: { ...doubleVote.b, receivedAt: 5 },
    } as Evidence;
    expect(evidenceId(relayed)).toBe(evidenceId(doubleVote));
    const relayedP = { ...doubleProposal, a: { ...doubleProposal.a, block: {} } } as Evidence;
    expect(evidenceId(relayedP)).toBe(evidenceId(doubleProposal));
  });

  it('is sha256 of the canonical {kind, validator, a, b} with a <= b as canonical texts', () => {
    const texts = [doubleVote.a, doubleVote.b].map((v) => canonicalize(v)).sort();
    expect(evidenceId(doubleVote)).toBe(hashCanonical({ kind: 'double-vote', validator: 2, a: texts[0], b: texts[1] }));
  });

  it('differs between pieces of evidence', () => {
    const other: Evidence = { kind: 'double-vote', validator: 0, a: vote(0, blockA.hash), b: vote(0, blockB.hash) };
    expect(evidenceId(other)).not.toBe(evidenceId(doubleVote));
    expect(evidenceId(doubleProposal)).not.toBe(evidenceId(doubleVote));
  });
});
