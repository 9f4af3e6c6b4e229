import { describe, it, expect } from '@jest/globals';
import {
  type Block,
  ProtocolErrorCode,
  blockHash,
  blockSigningBytes,
  blockWireSize,
  bytesToUtf8,
  canonicalBytes,
  checkBlockLinks,
  createBlock,
  emptyStateRoot,
  genesisCursor,
  genesisHash,
  hashCanonical,
  merkleRoot,
  slotStart,
  txHash,
  txSize,
  validateBlock,
  verifySignature,
} from '@poa-vote/shared';
import { type TestChain, clone, expectProtocolError, flipHex, makeBlock, makeChain, tx } from './fixtures.js';

const chain = makeChain({ n: 3 });
const { genesis } = chain;
const parent = genesisHash(genesis);

function block1(txs = [tx(1), tx(2), tx(3)], slot = 4): Block {
  return makeBlock(chain, { height: 1, slot, parentHash: parent, transactions: txs });
}

/** Re-hash and re-sign a tampered header with the right key: only the rule under test is broken. */
function resign(c: TestChain, b: Block, signer = b.header.proposer): Block {
  const hash = blockHash(b.header);
  return { ...b, hash, signature: c.signers[signer]!.sign(blockSigningBytes(c.genesis.chainId, hash)) };
}

describe('createBlock', () => {
  it('fills the header from the genesis, slot and transactions, and signs its hash', () => {
    const txs = [tx(1), tx(2)];
    const b = block1(txs, 4);
    expect(b.header).toEqual({
      chainId: 1337,
      height: 1,
      slot: 4,
      timestamp: slotStart(genesis, 4),
      parentHash: parent,
      proposer: 1,
      txRoot: merkleRoot(txs.map(txHash)),
      txCount: 2,
      stateRoot: emptyStateRoot(),
    });
    expect(b.hash).toBe(hashCanonical(b.header));
    expect(b.hash).toBe(blockHash(b.header));
    expect(bytesToUtf8(blockSigningBytes(1337, b.hash))).toBe(`poa-evote/block/v1/1337/${b.hash}`);
    expect(verifySignature(genesis.authorities[1]!.publicKey, blockSigningBytes(1337, b.hash), b.signature)).toBe(true);
  });

  it('has the empty-tree root for an empty block', () => {
    const b = block1([], 0);
    expect(b.header.txRoot).toBe('0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(validateBlock(genesis, clone(b))).toEqual(b);
  });
});

describe('validateBlock', () => {
  it('accepts a well-formed block from the wire and reduces transactions to their fields', () => {
    const b = block1();
    expect(validateBlock(genesis, clone(b))).toEqual(b);
    const wire = clone(b) as unknown as { transactions: Record<string, unknown>[]; header: Record<string, unknown> };
    wire.transactions[0]!.gas = '0x5208';
    wire.header.extra = 'ignored';
    expect(validateBlock(genesis, wire)).toEqual(b);
  });

  it('rejects a block whose hash does not match its header', () => {
    const b = clone(block1());
    expectProtocolError(
      () => validateBlock(genesis, { ...b, hash: flipHex(b.hash) }),
      ProtocolErrorCode.BLOCK_BAD_HASH,
      /does not match its header/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...b.header, parentHash: flipHex(b.header.parentHash) } }),
      ProtocolErrorCode.BLOCK_BAD_HASH,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...b.header, height: 2 } }),
      ProtocolErrorCode.BLOCK_BAD_HASH,
    );
  });

  it('rejects a tampered transaction (txRoot mismatch)', () => {
    const b = clone(block1());
    b.transactions[1] = { ...b.transactions[1]!, data: '{"candidate_id":"mallory"}' };
    expectProtocolError(
      () => validateBlock(genesis, b),
      ProtocolErrorCode.BLOCK_BAD_TX_ROOT,
      `block ${b.hash} txRoot does not match its transactions`,
    );
    const reordered = clone(block1());
    reordered.transactions.reverse();
    expectProtocolError(() => validateBlock(genesis, reordered), ProtocolErrorCode.BLOCK_BAD_TX_ROOT);
  });

  it('rejects a bad signature', () => {
    const b = clone(block1());
    expectProtocolError(
      () => validateBlock(genesis, { ...b, signature: flipHex(b.signature) }),
      ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
      /is not signed by its proposer validator-2/,
    );
    const byOther = chain.signers[2]!.sign(blockSigningBytes(genesis.chainId, b.hash));
    expectProtocolError(
      () => validateBlock(genesis, { ...b, signature: byOther }),
      ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, signature: undefined }),
      ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
    );
    // Re-hashed tampering without the proposer's key is caught by the signature.
    const forged = { ...b, header: { ...b.header, txCount: 0, txRoot: merkleRoot([]) }, transactions: [] };
    expectProtocolError(
      () => validateBlock(genesis, { ...forged, hash: blockHash(forged.header) }),
      ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
    );
  });

  it('rejects a block by someone other than the leader of its slot', () => {
    // Authority 2 creates a block for slot 4, whose leader is authority 1.
    const b = createBlock(
      genesis,
      { height: 1, slot: 4, parentHash: parent, proposer: 2, transactions: [], stateRoot: emptyStateRoot() },
      chain.signers[2]!,
    );
    expectProtocolError(
      () => validateBlock(genesis, clone(b)),
      ProtocolErrorCode.BLOCK_WRONG_LEADER,
      'block of slot 4 must be proposed by authority 1, not 2',
    );
    const outOfRange = resign(chain, { ...block1([]), header: { ...block1([]).header, proposer: 3 } }, 0);
    expectProtocolError(() => validateBlock(genesis, clone(outOfRange)), ProtocolErrorCode.BLOCK_WRONG_LEADER);
  });

  it('rejects a timestamp other than the start of the slot', () => {
    const b = block1();
    for (const timestamp of [
      b.header.timestamp + 1,
      b.header.timestamp - 1000,
      String(b.header.timestamp),
      undefined,
    ]) {
      const t = resign(chain, { ...b, header: { ...b.header, timestamp: timestamp as number } });
      expectProtocolError(
        () => validateBlock(genesis, clone(t)),
        ProtocolErrorCode.BLOCK_BAD_TIMESTAMP,
        /block timestamp .* must be the start of slot 4/,
      );
    }
  });

  it('rejects a slot whose start is beyond safe integers', () => {
    const slot = Math.ceil((Number.MAX_SAFE_INTEGER - genesis.genesisTime) / genesis.slotDurationMs) + 3;
    const b = makeBlock(chain, { height: 1, slot, parentHash: parent });
    expect(Number.isSafeInteger(b.header.timestamp)).toBe(false);
    expectProtocolError(() => validateBlock(genesis, b), ProtocolErrorCode.BLOCK_BAD_TIMESTAMP, /safe integer/);
  });

  it('rejects the same transaction twice', () => {
    const b = block1([tx(1), tx(2), tx(1)]);
    expectProtocolError(
      () => validateBlock(genesis, clone(b)),
      ProtocolErrorCode.BLOCK_BAD_TX,
      `block transaction 2 (${txHash(tx(1))}) appears twice`,
    );
  });

  it('rejects two votes of one voter in one election, allows the same voter in another election', () => {
    const b = block1([tx(1, '1', 'alice'), tx(2), tx(1, '1', 'bob')]);
    expectProtocolError(
      () => validateBlock(genesis, clone(b)),
      ProtocolErrorCode.BLOCK_BAD_TX,
      'block transactions 0 and 2 are two votes of voter voter-1 in election-1',
    );
    const ok = block1([tx(1, '1'), tx(1, '2')]);
    expect(validateBlock(genesis, clone(ok)).transactions).toHaveLength(2);
  });

  it('rejects an invalid transaction, naming its index', () => {
    const b = block1([tx(1), { from: 'voter 2', to: 'election-1', data: 'x' }]);
    expectProtocolError(
      () => validateBlock(genesis, clone(b)),
      ProtocolErrorCode.BLOCK_BAD_TX,
      /^block transaction 1: transaction "from"/,
    );
  });

  it('enforces the transaction count limit', () => {
    const small = makeChain({ signers: chain.signers, limits: { maxTxPerBlock: 2 } });
    const b = makeBlock(small, {
      height: 1,
      slot: 4,
      parentHash: genesisHash(small.genesis),
      transactions: [tx(1), tx(2), tx(3)],
    });
    expectProtocolError(
      () => validateBlock(small.genesis, clone(b)),
      ProtocolErrorCode.BLOCK_TOO_LARGE,
      'block has 3 transactions, the limit is 2',
    );
    const two = makeBlock(small, {
      height: 1,
      slot: 4,
      parentHash: genesisHash(small.genesis),
      transactions: [tx(1), tx(2)],
    });
    expect(validateBlock(small.genesis, clone(two)).header.txCount).toBe(2);
  });

  it('enforces the byte limits', () => {
    const one = txSize(tx(1));
    const small = makeChain({ signers: chain.signers, limits: { maxTxBytes: one, maxBlockBytes: 2 * one } });
    const parentHash = genesisHash(small.genesis);
    const b = makeBlock(small, { height: 1, slot: 4, parentHash, transactions: [tx(1), tx(2), tx(3)] });
    expectProtocolError(
      () => validateBlock(small.genesis, clone(b)),
      ProtocolErrorCode.BLOCK_TOO_LARGE,
      `block transactions total ${3 * one} bytes, the limit is ${2 * one}`,
    );
    const big = makeBlock(small, {
      height: 1,
      slot: 4,
      parentHash,
      transactions: [{ ...tx(1), data: `${tx(1).data} ` }],
    });
    expectProtocolError(
      () => validateBlock(small.genesis, clone(big)),
      ProtocolErrorCode.BLOCK_BAD_TX,
      /block transaction 0: transaction is \d+ bytes, the limit is/,
    );
    expect(
      validateBlock(
        small.genesis,
        clone(makeBlock(small, { height: 1, slot: 4, parentHash, transactions: [tx(1), tx(2)] })),
      ).header.txCount,
    ).toBe(2);
  });

  it('rejects a block of another chain', () => {
    const other = makeChain({ signers: chain.signers, chainId: 99 });
    const b = makeBlock(other, { height: 1, slot: 4, parentHash: genesisHash(other.genesis) });
    expectProtocolError(
      () => validateBlock(genesis, clone(b)),
      ProtocolErrorCode.BLOCK_INVALID,
      'block is for chain 99, this chain is 1337',
    );
  });

  it('rejects a transaction count that differs from the header', () => {
    const b = clone(block1([tx(1), tx(2)]));
    b.transactions.pop();
    expectProtocolError(
      () => validateBlock(genesis, b),
      ProtocolErrorCode.BLOCK_INVALID,
      'block carries 1 transactions, its header says 2',
    );
  });

  it('rejects malformed blocks with a message naming the field', () => {
    const b = clone(block1());
    const h = b.header as unknown as Record<string, unknown>;
    expectProtocolError(() => validateBlock(genesis, null), ProtocolErrorCode.BLOCK_INVALID, 'block must be an object');
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: undefined }),
      ProtocolErrorCode.BLOCK_INVALID,
      'block.header must be an object',
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, height: 0 } }),
      ProtocolErrorCode.BLOCK_BAD_HEIGHT,
      /block\.header\.height/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, height: '1' } }),
      ProtocolErrorCode.BLOCK_BAD_HEIGHT,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, slot: -1 } }),
      ProtocolErrorCode.BLOCK_BAD_SLOT,
      /block\.header\.slot/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, parentHash: '0x12' } }),
      ProtocolErrorCode.BLOCK_INVALID,
      /block\.header\.parentHash/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, txRoot: b.header.txRoot.toUpperCase() } }),
      ProtocolErrorCode.BLOCK_INVALID,
      /block\.header\.txRoot/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, proposer: 'validator-2' } }),
      ProtocolErrorCode.BLOCK_INVALID,
      /block\.header\.proposer/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, header: { ...h, txCount: -1 } }),
      ProtocolErrorCode.BLOCK_INVALID,
      /block\.header\.txCount/,
    );
    expectProtocolError(
      () => validateBlock(genesis, { ...b, transactions: 'none' }),
      ProtocolErrorCode.BLOCK_INVALID,
      'block.transactions must be an array',
    );
  });
});

describe('checkBlockLinks', () => {
  const b1 = block1([], 0);
  const b2 = makeBlock(chain, { height: 2, slot: 2, parentHash: b1.hash });

  it('accepts a child of the parent, and block 1 in slot 0 after genesis', () => {
    expect(() => checkBlockLinks(b1, genesisCursor(genesis))).not.toThrow();
    expect(() => checkBlockLinks(b2, { hash: b1.hash, height: 1, slot: 0 })).not.toThrow();
  });

  it('rejects a wrong parent hash', () => {
    expectProtocolError(
      () => checkBlockLinks(b2, { hash: parent, height: 1, slot: 0 }),
      ProtocolErrorCode.BLOCK_BAD_PARENT,
      `parent ${b1.hash} is not ${parent}`,
    );
  });

  it('rejects a height that does not follow', () => {
    expectProtocolError(
      () => checkBlockLinks(b2, { hash: b1.hash, height: 0, slot: 0 }),
      ProtocolErrorCode.BLOCK_BAD_HEIGHT,
      'block height 2 does not follow 0',
    );
    expectProtocolError(
      () => checkBlockLinks(b2, { hash: b1.hash, height: 2, slot: 0 }),
      ProtocolErrorCode.BLOCK_BAD_HEIGHT,
    );
  });

  it('rejects a slot that is not after the parent slot', () => {
    expectProtocolError(
      () => checkBlockLinks(b2, { hash: b1.hash, height: 1, slot: 2 }),
      ProtocolErrorCode.BLOCK_BAD_SLOT,
      "block slot 2 is not after its parent's slot 2",
    );
    expectProtocolError(
      () => checkBlockLinks(b2, { hash: b1.hash, height: 1, slot: 3 }),
      ProtocolErrorCode.BLOCK_BAD_SLOT,
    );
  });
});

describe('blockWireSize', () => {
  it('is the length of the canonical encoding and grows with transactions', () => {
    const empty = block1([]);
    const full = block1();
    expect(blockWireSize(empty)).toBe(canonicalBytes(empty).length);
    expect(blockWireSize(full)).toBeGreaterThan(
      blockWireSize(empty) + full.transactions.map(txSize).reduce((a, n) => a + n, 0) - 1,
    );
  });
});
