import { describe, it, expect } from '@jest/globals';
import {
  ProtocolErrorCode,
  bytesToUtf8,
  createProposal,
  genesisHash,
  proposalSigningBytes,
  validateProposal,
} from '@poa-vote/shared';
import { clone, expectProtocolError, flipHex, makeBlock, makeCertificate, makeChain, tx } from './fixtures.js';

const chain = makeChain({ n: 3 });
const { genesis, signers } = chain;
const parentHash = genesisHash(genesis);
// Leader of slot 1 is authority 1, of slot 2 authority 2.
const block = makeBlock(chain, { height: 1, slot: 1, parentHash, transactions: [tx(1)] });
const polka = makeCertificate(chain, 'prevote', block, [0, 1], 1);

describe('createProposal', () => {
  it('signs the canonical proposal statement with its domain', () => {
    const text = bytesToUtf8(proposalSigningBytes(1337, { height: 1, slot: 1, blockHash: block.hash, validRound: -1 }));
    expect(text).toBe(
      `{"blockHash":"${block.hash}","chainId":1337,"domain":"poa-evote/proposal/v1","height":1,"slot":1,"validRound":-1}`,
    );
    const p = createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 });
    expect(p).toEqual({ height: 1, slot: 1, block, validRound: -1, signature: p.signature });
    expect('polka' in p).toBe(false);
  });
});

describe('validateProposal', () => {
  it('accepts a fresh proposal by the slot leader', () => {
    const p = createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 });
    expect(validateProposal(genesis, clone(p))).toEqual(p);
  });

  it('returns a proposal it validated itself as is, but checks any copy of it, and any other genesis, in full', () => {
    const p = createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 });
    const checked = validateProposal(genesis, clone(p));
    expect(validateProposal(genesis, checked)).toBe(checked);
    // A forged copy of a validated proposal is not trusted because the original was.
    expectProtocolError(
      () => validateProposal(genesis, { ...clone(checked), signature: flipHex(checked.signature) }),
      ProtocolErrorCode.PROPOSAL_INVALID,
    );
    // Against another genesis (other authorities) the validated object is checked in full, and fails.
    const other = makeChain({ n: 3 }).genesis;
    expect(() => validateProposal(other, checked)).toThrow();
  });

  it('rejects a proposal not signed by the slot leader', () => {
    const p = createProposal(genesis, signers[0]!, { slot: 1, block, validRound: -1 });
    expectProtocolError(
      () => validateProposal(genesis, clone(p)),
      ProtocolErrorCode.PROPOSAL_INVALID,
      'proposal for slot 1 is not signed by its leader validator-2',
    );
    const good = createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 });
    expectProtocolError(
      () => validateProposal(genesis, { ...clone(good), signature: flipHex(good.signature) }),
      ProtocolErrorCode.PROPOSAL_INVALID,
      /not signed by its leader/,
    );
  });

  it('accepts a re-proposal whose validRound carries a polka', () => {
    const p = createProposal(genesis, signers[2]!, { slot: 2, block, validRound: 1, polka });
    expect(validateProposal(genesis, clone(p))).toEqual(p);
  });

  it('rejects a validRound without a polka', () => {
    const p = createProposal(genesis, signers[2]!, { slot: 2, block, validRound: 1 });
    expectProtocolError(
      () => validateProposal(genesis, clone(p)),
      ProtocolErrorCode.CERT_INVALID,
      'certificate must be an object',
    );
  });

  it('rejects a polka that does not justify the block at validRound', () => {
    const atSlot0 = makeCertificate(chain, 'prevote', block, [0, 1], 0);
    const p0 = createProposal(genesis, signers[2]!, { slot: 2, block, validRound: 1, polka: atSlot0 });
    expectProtocolError(
      () => validateProposal(genesis, clone(p0)),
      ProtocolErrorCode.PROPOSAL_INVALID,
      'proposal polka is for slot 0, validRound is 1',
    );
    const otherBlock = makeBlock(chain, { height: 1, slot: 1, parentHash, transactions: [tx(2)] });
    const pOther = createProposal(genesis, signers[2]!, {
      slot: 2,
      block,
      validRound: 1,
      polka: makeCertificate(chain, 'prevote', otherBlock, [0, 1], 1),
    });
    expectProtocolError(
      () => validateProposal(genesis, clone(pOther)),
      ProtocolErrorCode.CERT_INVALID,
      /certificate is for block .* expected/,
    );
    const precommits = createProposal(genesis, signers[2]!, {
      slot: 2,
      block,
      validRound: 1,
      polka: makeCertificate(chain, 'precommit', block, [0, 1], 1),
    });
    expectProtocolError(
      () => validateProposal(genesis, clone(precommits)),
      ProtocolErrorCode.CERT_INVALID,
      'expected a prevote certificate, got precommit',
    );
    const thin = createProposal(genesis, signers[2]!, {
      slot: 2,
      block,
      validRound: 1,
      polka: makeCertificate(chain, 'prevote', block, [0], 1),
    });
    expectProtocolError(() => validateProposal(genesis, clone(thin)), ProtocolErrorCode.CERT_NO_QUORUM);
  });

  it('rejects a fresh proposal whose block was created in another slot', () => {
    const p = createProposal(genesis, signers[2]!, { slot: 2, block, validRound: -1 });
    expectProtocolError(
      () => validateProposal(genesis, clone(p)),
      ProtocolErrorCode.PROPOSAL_INVALID,
      'a fresh proposal (validRound -1) must carry a block created in its own slot',
    );
  });

  it('rejects a block from a later slot than the proposal', () => {
    const later = makeBlock(chain, { height: 1, slot: 4, parentHash });
    const p = createProposal(genesis, signers[2]!, { slot: 2, block: later, validRound: -1 });
    expectProtocolError(
      () => validateProposal(genesis, clone(p)),
      ProtocolErrorCode.PROPOSAL_INVALID,
      'proposal at slot 2 carries a block from a later slot 4',
    );
  });

  it('rejects a validRound that is not an earlier slot', () => {
    for (const validRound of [1, 2, -2, 0.5, '0']) {
      const p = { ...clone(createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 })), validRound };
      expectProtocolError(
        () => validateProposal(genesis, p),
        ProtocolErrorCode.PROPOSAL_INVALID,
        'proposal.validRound must be -1 or an earlier slot',
      );
    }
  });

  it('rejects a height that differs from the block', () => {
    const p = clone(createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 }));
    expectProtocolError(
      () => validateProposal(genesis, { ...p, height: 2 }),
      ProtocolErrorCode.PROPOSAL_INVALID,
      "proposal height 2 differs from its block's 1",
    );
  });

  it("applies the block's own rules", () => {
    const p = clone(createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 }));
    p.block.transactions[0]!.data = 'tampered';
    expectProtocolError(() => validateProposal(genesis, p), ProtocolErrorCode.BLOCK_BAD_TX_ROOT);
  });

  it('rejects malformed proposals, naming the field', () => {
    const p = clone(createProposal(genesis, signers[1]!, { slot: 1, block, validRound: -1 }));
    expectProtocolError(
      () => validateProposal(genesis, 'proposal'),
      ProtocolErrorCode.PROPOSAL_INVALID,
      'proposal must be an object',
    );
    expectProtocolError(
      () => validateProposal(genesis, { ...p, slot: -1 }),
      ProtocolErrorCode.PROPOSAL_INVALID,
      /proposal\.slot/,
    );
    expectProtocolError(
      () => validateProposal(genesis, { ...p, signature: 'sig' }),
      ProtocolErrorCode.PROPOSAL_INVALID,
      /proposal\.signature/,
    );
    expectProtocolError(
      () => validateProposal(genesis, { ...p, block: null }),
      ProtocolErrorCode.BLOCK_INVALID,
      'block must be an object',
    );
  });
});
