import { describe, it, expect } from '@jest/globals';
import {
  type Block,
  type ChainCursor,
  type FinalizedBlock,
  type Hex,
  ProtocolErrorCode,
  Signer,
  createBlock,
  emptyStateRoot,
  createProposal,
  createVote,
  certificateFromVotes,
  genesisCursor,
  genesisHash,
  leaderOf,
  parseGenesis,
  parseTransaction,
  verifyFinalizedBlock,
} from '@poa-vote/shared';
import { clone, expectProtocolError, makeBlock, makeCertificate, makeChain, tx } from './fixtures.js';

const chain = makeChain({ n: 3 });
const { genesis } = chain;

const b1 = makeBlock(chain, { height: 1, slot: 1, parentHash: genesisHash(genesis), transactions: [tx(1), tx(2)] });
const b2 = makeBlock(chain, { height: 2, slot: 2, parentHash: b1.hash, transactions: [tx(3)] });
// Slots 3 and 4 were missed; block 3 was created in slot 5 and only finalized in slot 6.
const b3 = makeBlock(chain, { height: 3, slot: 5, parentHash: b2.hash, transactions: [tx(1, '2')] });
const finalized: FinalizedBlock[] = [
  { block: b1, certificate: makeCertificate(chain, 'precommit', b1, [0, 1]) },
  { block: b2, certificate: makeCertificate(chain, 'precommit', b2, [1, 2]) },
  { block: b3, certificate: makeCertificate(chain, 'precommit', b3, [0, 1, 2], 6) },
];

function cursorOf(b: Block): ChainCursor {
  return { height: b.header.height, hash: b.hash, slot: b.header.slot };
}

describe('verifyFinalizedBlock', () => {
  it('starts from the genesis hash at height 0', () => {
    expect(genesisCursor(genesis)).toEqual({ height: 0, hash: genesisHash(genesis), slot: 0 });
  });

  it('verifies a chain from genesis, block by block, from wire data', () => {
    let cursor = genesisCursor(genesis);
    for (const f of finalized) {
      const out = verifyFinalizedBlock(genesis, cursor, clone(f));
      expect(out.block).toEqual(f.block);
      expect(out.certificate).toEqual(f.certificate);
      expect(out.cursor).toEqual(cursorOf(f.block));
      cursor = out.cursor;
    }
    expect(cursor).toEqual({ height: 3, hash: b3.hash, slot: 5 });
  });

  it('rejects a certificate for another block, type or height', () => {
    const other = makeBlock(chain, { height: 1, slot: 1, parentHash: genesisHash(genesis), transactions: [tx(9)] });
    const start = genesisCursor(genesis);
    expectProtocolError(
      () =>
        verifyFinalizedBlock(genesis, start, {
          block: b1,
          certificate: makeCertificate(chain, 'precommit', other, [0, 1]),
        }),
      ProtocolErrorCode.CERT_INVALID,
      `expected ${b1.hash}`,
    );
    expectProtocolError(
      () =>
        verifyFinalizedBlock(genesis, start, { block: b1, certificate: makeCertificate(chain, 'prevote', b1, [0, 1]) }),
      ProtocolErrorCode.CERT_INVALID,
      'expected a precommit certificate, got prevote',
    );
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, cursorOf(b1), { block: b2, certificate: finalized[0]!.certificate }),
      ProtocolErrorCode.CERT_INVALID,
      'certificate is for height 1, expected 2',
    );
  });

  it('rejects a certificate below quorum', () => {
    expectProtocolError(
      () =>
        verifyFinalizedBlock(genesis, genesisCursor(genesis), {
          block: b1,
          certificate: makeCertificate(chain, 'precommit', b1, [2]),
        }),
      ProtocolErrorCode.CERT_NO_QUORUM,
    );
  });

  it('rejects a missing certificate', () => {
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, genesisCursor(genesis), { block: b1, certificate: undefined }),
      ProtocolErrorCode.CERT_INVALID,
      'certificate must be an object',
    );
  });

  it('rejects a block that does not extend the cursor', () => {
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, genesisCursor(genesis), finalized[1]!),
      ProtocolErrorCode.BLOCK_BAD_HEIGHT,
      'block height 2 does not follow 0',
    );
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, { ...cursorOf(b1), hash: b3.hash }, finalized[1]!),
      ProtocolErrorCode.BLOCK_BAD_PARENT,
    );
    // A fork of block 1 built on another genesis.
    const foreign = makeBlock(chain, { height: 1, slot: 1, parentHash: b3.hash });
    expectProtocolError(
      () =>
        verifyFinalizedBlock(genesis, genesisCursor(genesis), {
          block: foreign,
          certificate: makeCertificate(chain, 'precommit', foreign, [0, 1]),
        }),
      ProtocolErrorCode.BLOCK_BAD_PARENT,
    );
  });

  it('rejects data certified by other authorities', () => {
    const impostors = makeChain({ n: 3 });
    const fake = makeBlock(impostors, { height: 1, slot: 1, parentHash: genesisHash(genesis) });
    expectProtocolError(
      () =>
        verifyFinalizedBlock(genesis, genesisCursor(genesis), {
          block: fake,
          certificate: makeCertificate(impostors, 'precommit', fake, [0, 1]),
        }),
      ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
    );
  });

  it('rejects a tampered block even with a genuine certificate', () => {
    const tampered = clone(finalized[0]!);
    tampered.block.transactions[0]!.data = '{"candidate_id":"mallory"}';
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, genesisCursor(genesis), tampered),
      ProtocolErrorCode.BLOCK_BAD_TX_ROOT,
    );
  });

  it('rejects input that is not an object', () => {
    expectProtocolError(
      () => verifyFinalizedBlock(genesis, genesisCursor(genesis), null as never),
      ProtocolErrorCode.BLOCK_INVALID,
      /finalized block must be an object/,
    );
  });
});

describe('worked example of docs/PROTOCOL.md', () => {
  it('reproduces every published hash and signature', () => {
    // RFC 8032 section 7.1 test seeds 1-3 as the three authorities.
    const seeds = [
      '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      '0x4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      '0xc5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    ] as Hex[];
    const signers = seeds.map((s) => new Signer(s));
    const g = parseGenesis({
      chainId: 1337,
      genesisTime: 1_700_000_000_000,
      authorities: signers.map((s, i) => ({ id: `validator-${i + 1}`, publicKey: s.publicKey })),
    });
    expect(genesisHash(g)).toBe('0xa383da7b80cd1b927e6d4bf533578ad955cbb7b84487dbe8ba87d3151ae399a9');
    const t1 = parseTransaction({ from: 'voter-42', to: 'election-7', data: '{"candidate_id":"alice"}' }, 16_384);
    const t2 = parseTransaction(
      { from: 'voter-43', to: 'election-7', data: '7b2263616e646964617465223a22626f62227d' },
      16_384,
    );
    const proposer = leaderOf(g, 4);
    const b = createBlock(
      g,
      { height: 1, slot: 4, parentHash: genesisHash(g), proposer, transactions: [t1, t2], stateRoot: emptyStateRoot() },
      signers[proposer]!,
    );
    expect(b.header.txRoot).toBe('0x38c1e5320ba606c63b56c10dc940b1a7e9d5dd5d6f46e2c59c0ecfbde4566905');
    expect(b.hash).toBe('0xda30e67813cc0932ae2d689f42ffdda1b94580ac760facc3bd72762770b78875');
    expect(b.signature).toBe(
      '0xb3c8c0d63fecd9c7f9cdfa418da16f949c1f1df34f26662f1b3e27d8103f2a19191be38e98238eac00d0d1f252929a5f419d5ca218341c2306fa9fe8bac23f05',
    );
    const at = { type: 'precommit' as const, height: 1, slot: 4, blockHash: b.hash };
    const v0 = createVote(g, signers[0]!, 0, at);
    expect(v0.signature).toBe(
      '0x49afd4f1d8ec96cd4135a78563c2597d9213754d9c10bcbaf0559d46fcad34592c68e3ed9e1d513bf1ebdf2db8dd4972a142cd56cd56bdf54f82482950e0ab08',
    );
    const v2 = createVote(g, signers[2]!, 2, at);
    expect(v2.signature).toBe(
      '0xf88a222761861f4dce08e4c5f0a99536fd81c94d0d1c3907e4633532b594d425876c6c0caa2e9153cb9e4df865e40d93f37cb23bacd4f69388bfcbecc3477d06',
    );
    expect(createProposal(g, signers[1]!, { slot: 4, block: b, validRound: -1 }).signature).toBe(
      '0xaaf2cc5ea3b7fbd1ed7a81110dc0736fa78824300f9b30d9591a6d306b70752e5b7d3bd4b649782c7c494d69c75f8e08b3bcd108a03625d64d479f2c477e590a',
    );
    const out = verifyFinalizedBlock(
      g,
      genesisCursor(g),
      clone({ block: b, certificate: certificateFromVotes([v2, v0]) }),
    );
    expect(out.cursor).toEqual({ height: 1, hash: b.hash, slot: 4 });
  });
});
