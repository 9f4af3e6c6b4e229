import { describe, it, expect } from '@jest/globals';
import {
  ProtocolErrorCode,
  bytesToUtf8,
  certificateFromVotes,
  createVote,
  genesisHash,
  validateVote,
  verifyCertificate,
  voteSigningBytes,
} from '@poa-vote/shared';
import { clone, expectProtocolError, flipHex, makeBlock, makeCertificate, makeChain } from './fixtures.js';

const chain = makeChain({ n: 3 });
const { genesis, signers } = chain;
const block = makeBlock(chain, { height: 1, slot: 1, parentHash: genesisHash(genesis) });
const other = makeBlock(chain, { height: 1, slot: 2, parentHash: genesisHash(genesis) });
const at = { type: 'prevote' as const, height: 1, slot: 1, blockHash: block.hash };

describe('votes', () => {
  it('signs the canonical vote statement with its domain', () => {
    expect(bytesToUtf8(voteSigningBytes(1337, at))).toBe(
      `{"blockHash":"${block.hash}","chainId":1337,"domain":"poa-evote/vote/v1","height":1,"slot":1,"type":"prevote"}`,
    );
    const v = createVote(genesis, signers[2]!, 2, at);
    expect(v).toEqual({ ...at, validator: 2, signature: v.signature });
    expect(validateVote(genesis, clone(v))).toEqual(v);
  });

  it('rejects a bad signature', () => {
    const v = createVote(genesis, signers[1]!, 1, at);
    expectProtocolError(
      () => validateVote(genesis, { ...v, signature: flipHex(v.signature) }),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
      'prevote of validator-2 at height 1 slot 1 has a bad signature',
    );
    // Signed by authority 1, claimed as authority 0.
    expectProtocolError(
      () => validateVote(genesis, { ...v, validator: 0 }),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
      /validator-1/,
    );
  });

  it('binds every field and the chain id', () => {
    const v = createVote(genesis, signers[1]!, 1, at);
    for (const tampered of [{ slot: 2 }, { height: 2 }, { type: 'precommit' }, { blockHash: other.hash }]) {
      expectProtocolError(() => validateVote(genesis, { ...v, ...tampered }), ProtocolErrorCode.VOTE_BAD_SIGNATURE);
    }
    const elsewhere = makeChain({ signers, chainId: 1 });
    expectProtocolError(() => validateVote(elsewhere.genesis, v), ProtocolErrorCode.VOTE_BAD_SIGNATURE);
  });

  it('rejects an unknown validator', () => {
    const v = createVote(genesis, signers[1]!, 1, at);
    for (const validator of [3, -1, 1.5, '1', undefined]) {
      expectProtocolError(
        () => validateVote(genesis, { ...v, validator }),
        ProtocolErrorCode.VOTE_UNKNOWN_VALIDATOR,
        /is not an authority index/,
      );
    }
  });

  it('rejects malformed votes, naming the field', () => {
    const v = createVote(genesis, signers[0]!, 0, at);
    expectProtocolError(() => validateVote(genesis, null), ProtocolErrorCode.VOTE_INVALID, 'vote must be an object');
    expectProtocolError(
      () => validateVote(genesis, { ...v, type: 'vote' }),
      ProtocolErrorCode.VOTE_INVALID,
      /vote\.type/,
    );
    expectProtocolError(
      () => validateVote(genesis, { ...v, height: 0 }),
      ProtocolErrorCode.VOTE_INVALID,
      /vote\.height/,
    );
    expectProtocolError(() => validateVote(genesis, { ...v, slot: -1 }), ProtocolErrorCode.VOTE_INVALID, /vote\.slot/);
    expectProtocolError(
      () => validateVote(genesis, { ...v, blockHash: '0x00' }),
      ProtocolErrorCode.VOTE_INVALID,
      /vote\.blockHash/,
    );
    expectProtocolError(
      () => validateVote(genesis, { ...v, signature: v.signature.slice(0, 66) }),
      ProtocolErrorCode.VOTE_INVALID,
      /vote\.signature/,
    );
  });
});

describe('certificateFromVotes', () => {
  it('sorts signers by index and drops repeated votes of one signer', () => {
    const votes = [2, 0, 2].map((i) => createVote(genesis, signers[i]!, i, at));
    const c = certificateFromVotes(votes);
    expect(c).toEqual({
      ...at,
      signatures: [
        { validator: 0, signature: votes[1]!.signature },
        { validator: 2, signature: votes[0]!.signature },
      ],
    });
  });

  it('refuses no votes and disagreeing votes', () => {
    expectProtocolError(() => certificateFromVotes([]), ProtocolErrorCode.CERT_INVALID, /at least one vote/);
    const a = createVote(genesis, signers[0]!, 0, at);
    const b = createVote(genesis, signers[1]!, 1, { ...at, blockHash: other.hash });
    expectProtocolError(
      () => certificateFromVotes([a, b]),
      ProtocolErrorCode.CERT_INVALID,
      'certificate votes disagree',
    );
    const c = createVote(genesis, signers[1]!, 1, { ...at, type: 'precommit' });
    expectProtocolError(() => certificateFromVotes([a, c]), ProtocolErrorCode.CERT_INVALID);
  });
});

describe('verifyCertificate', () => {
  it('majority: 2 of 3 certifies, 1 of 3 does not', () => {
    expect(verifyCertificate(genesis, clone(makeCertificate(chain, 'precommit', block, [0, 2])))).toEqual(
      makeCertificate(chain, 'precommit', block, [0, 2]),
    );
    expect(
      verifyCertificate(genesis, clone(makeCertificate(chain, 'precommit', block, [0, 1, 2]))).signatures,
    ).toHaveLength(3);
    expectProtocolError(
      () => verifyCertificate(genesis, clone(makeCertificate(chain, 'precommit', block, [1]))),
      ProtocolErrorCode.CERT_NO_QUORUM,
      'certificate has 1 signatures, a quorum is 2',
    );
  });

  it('bft: 3 of 4 certifies, 2 of 4 does not', () => {
    const bft = makeChain({ n: 4, quorum: 'bft' });
    const b = makeBlock(bft, { height: 1, slot: 1, parentHash: genesisHash(bft.genesis) });
    expect(
      verifyCertificate(bft.genesis, clone(makeCertificate(bft, 'precommit', b, [0, 1, 3]))).signatures,
    ).toHaveLength(3);
    expectProtocolError(
      () => verifyCertificate(bft.genesis, clone(makeCertificate(bft, 'precommit', b, [0, 3]))),
      ProtocolErrorCode.CERT_NO_QUORUM,
      'certificate has 2 signatures, a quorum is 3',
    );
  });

  it('rejects a duplicate signer', () => {
    const c = clone(makeCertificate(chain, 'precommit', block, [0, 1]));
    c.signatures.push(c.signatures[0]!);
    expectProtocolError(
      () => verifyCertificate(genesis, c),
      ProtocolErrorCode.CERT_DUPLICATE_SIGNER,
      'certificate lists authority 0 twice',
    );
    // One authority repeated cannot fake a quorum either.
    const solo = clone(makeCertificate(chain, 'precommit', block, [1]));
    solo.signatures.push(solo.signatures[0]!);
    expectProtocolError(() => verifyCertificate(genesis, solo), ProtocolErrorCode.CERT_DUPLICATE_SIGNER);
  });

  it('rejects a bad signature, naming the signer', () => {
    const c = clone(makeCertificate(chain, 'precommit', block, [0, 1]));
    c.signatures[1]!.signature = flipHex(c.signatures[1]!.signature);
    expectProtocolError(
      () => verifyCertificate(genesis, c),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
      'certificate signature of validator-2 does not verify',
    );
    // Prevote signatures do not make a precommit certificate.
    const prevotes = clone(makeCertificate(chain, 'prevote', block, [0, 1]));
    expectProtocolError(
      () => verifyCertificate(genesis, { ...prevotes, type: 'precommit' }),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
    );
    // The slot is signed too.
    expectProtocolError(
      () => verifyCertificate(genesis, { ...prevotes, slot: 5 }),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
    );
  });

  it('pins the expected type, height and block hash', () => {
    const c = clone(makeCertificate(chain, 'prevote', block, [0, 1]));
    expect(verifyCertificate(genesis, c, { type: 'prevote', height: 1, blockHash: block.hash }).blockHash).toBe(
      block.hash,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, c, { type: 'precommit' }),
      ProtocolErrorCode.CERT_INVALID,
      'expected a precommit certificate, got prevote',
    );
    expectProtocolError(
      () => verifyCertificate(genesis, c, { height: 2 }),
      ProtocolErrorCode.CERT_INVALID,
      'certificate is for height 1, expected 2',
    );
    expectProtocolError(
      () => verifyCertificate(genesis, c, { blockHash: other.hash }),
      ProtocolErrorCode.CERT_INVALID,
      `certificate is for block ${block.hash}, expected ${other.hash}`,
    );
  });

  it('rejects malformed certificates, naming the problem', () => {
    const c = clone(makeCertificate(chain, 'precommit', block, [0, 1]));
    expectProtocolError(
      () => verifyCertificate(genesis, undefined),
      ProtocolErrorCode.CERT_INVALID,
      'certificate must be an object',
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, type: 'commit' }),
      ProtocolErrorCode.CERT_INVALID,
      /certificate\.type/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, height: 0 }),
      ProtocolErrorCode.CERT_INVALID,
      /certificate\.height/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, slot: 'one' }),
      ProtocolErrorCode.CERT_INVALID,
      /certificate\.slot/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, blockHash: 'x' }),
      ProtocolErrorCode.CERT_INVALID,
      /certificate\.blockHash/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, signatures: {} }),
      ProtocolErrorCode.CERT_INVALID,
      /certificate\.signatures/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, signatures: [null] }),
      ProtocolErrorCode.CERT_INVALID,
      'certificate signer is not an authority index',
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, signatures: [{ validator: 3, signature: c.signatures[0]!.signature }] }),
      ProtocolErrorCode.CERT_INVALID,
      /not an authority index/,
    );
    expectProtocolError(
      () => verifyCertificate(genesis, { ...c, signatures: [{ validator: 0, signature: '0x' }] }),
      ProtocolErrorCode.CERT_INVALID,
      /64 bytes/,
    );
  });
});
