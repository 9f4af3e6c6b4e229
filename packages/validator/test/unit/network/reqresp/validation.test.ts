import { describe, it, expect } from '@jest/globals';
import { fixtureStateRoot } from '@poa-vote/test-utils';
import { type Hex, createBlock, genesisHash } from '@poa-vote/shared';
import {
  AuthorityBook,
  GossipErrorCode,
  GossipValidationError,
  NetworkErrorCode,
  type ReqRespContext,
  encodeMessage,
  encodeSyncResponse,
  parseBlockRequest,
  parseSyncRequest,
  validateBlockResponse,
  validateDirectMessage,
  validateFinalizedBlocks,
} from '../../../../src/network/index.js';
import { silentLogger } from '../../../../src/util/logger.js';
import type { ConsensusMessage } from '../../../../src/consensus/interface.js';
import { makeBlock, makeChain, makeFinalized, makeVote, tx } from '../fixtures.js';

const chain = makeChain(3);
const ctx: ReqRespContext = {
  genesis: chain.genesis,
  book: new AuthorityBook(chain.genesis),
  logger: silentLogger,
  maxMessageBytes: 1 << 20,
  maxTxBatchBytes: 1 << 16,
  maxTxsPerMessage: 100,
  requestTimeoutMs: 1000,
  maxSyncBlocks: 8,
};

// A chain of two finalized blocks: block 1 at slot 1, block 2 at slot 2.
const b1 = makeBlock(chain, 1, [tx(1)]);
const fb1 = makeFinalized(chain, b1);
const b2 = createBlock(
  chain.genesis,
  { height: 2, slot: 2, parentHash: b1.hash, proposer: 2, transactions: [tx(2)], stateRoot: fixtureStateRoot(b1.hash) },
  chain.signers[2]!,
);
const fb2 = makeFinalized(chain, b2);

describe('sync protocol', () => {
  it('parses requests and clamps max to the local limit', () => {
    expect(parseSyncRequest({ fromHeight: 3, max: 1000 }, 8)).toEqual({ fromHeight: 3, max: 8 });
    expect(() => parseSyncRequest({ fromHeight: 0, max: 1 }, 8)).toThrow(/fromHeight must be an integer >= 1/);
    expect(() => parseSyncRequest({ fromHeight: 1, max: 0 }, 8)).toThrow(/max must be an integer >= 1/);
    expect(() => parseSyncRequest([1, 2], 8)).toThrow(/must be an object/);
  });

  it('trims responses to the byte limit, keeping whole blocks', () => {
    const one = encodeSyncResponse([fb1], 1 << 20);
    expect(one.count).toBe(1);
    const trimmed = encodeSyncResponse([fb1, fb2], one.payload.byteLength + 10);
    expect(trimmed.count).toBe(1);
    expect(JSON.parse(Buffer.from(trimmed.payload).toString())).toEqual([fb1]);
    expect(encodeSyncResponse([fb1], 10)).toEqual({ payload: new TextEncoder().encode('[]'), count: 0 });
  });

  it('accepts contiguous, certified blocks from the requested height', () => {
    expect(
      validateFinalizedBlocks(chain.genesis, JSON.parse(JSON.stringify([fb1, fb2])), { fromHeight: 1, max: 8 }),
    ).toEqual([fb1, fb2]);
    expect(validateFinalizedBlocks(chain.genesis, [], { fromHeight: 1, max: 8 })).toEqual([]);
  });

  it("rejects responses that are not what was asked (certificates are the core's to verify)", () => {
    const bad = (input: unknown, expected: { fromHeight?: number; max: number }, message: RegExp): void => {
      let err: { code?: string; message: string } | undefined;
      try {
        validateFinalizedBlocks(chain.genesis, input, expected);
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err?.code).toBe(NetworkErrorCode.BAD_RESPONSE);
      expect(err?.message).toMatch(message);
    };
    bad({}, { max: 8 }, /must be an array/);
    bad([fb1, fb2], { max: 1 }, /2 blocks, at most 1 expected/);
    bad([fb2], { fromHeight: 1, max: 8 }, /entry 0 has height 2, 1 was expected/);
    bad([fb2, fb1], { max: 8 }, /entry 1/);
    bad([{ block: b1, certificate: null }], { max: 8 }, /entry 0.certificate must be a certificate object/);
    bad([{ block: { header: { height: 'x' } }, certificate: {} }], { max: 8 }, /height must be an integer/);
  });
});

describe('block protocol', () => {
  it('parses requests', () => {
    expect(parseBlockRequest({ hash: b1.hash })).toEqual({ hash: b1.hash });
    expect(() => parseBlockRequest({ hash: '0x12' })).toThrow(/32-byte 0x-hex hash/);
  });

  it('accepts null or the requested valid block only', () => {
    expect(validateBlockResponse(ctx, null, b1.hash)).toBeUndefined();
    expect(validateBlockResponse(ctx, JSON.parse(JSON.stringify(b1)), b1.hash)).toEqual(b1);
    expect(() => validateBlockResponse(ctx, b2, b1.hash)).toThrow(/is not the requested/);
    expect(() => validateBlockResponse(ctx, { ...b1, signature: b2.signature }, b1.hash)).toThrow(
      /bad block response: block .* is not signed/,
    );
  });
});

describe('direct messages', () => {
  const enc = (m: unknown): Uint8Array => encodeMessage(m as ConsensusMessage);
  const refusal = (data: Uint8Array): GossipValidationError => {
    try {
      validateDirectMessage(ctx, data);
    } catch (e) {
      expect(e).toBeInstanceOf(GossipValidationError);
      return e as GossipValidationError;
    }
    throw new Error('expected a refusal');
  };

  it('validates each type like gossip, plus sync and block responses', () => {
    const status = { height: 1, slot: 1, headHash: genesisHash(chain.genesis) };
    const vote = makeVote(chain, 1, 1, b1.hash);
    expect(validateDirectMessage(ctx, enc({ type: 'status', status }))).toEqual({ type: 'status', status });
    expect(validateDirectMessage(ctx, enc({ type: 'vote', vote }))).toEqual({ type: 'vote', vote });
    expect(validateDirectMessage(ctx, enc({ type: 'sync-response', blocks: [fb1, fb2] }))).toEqual({
      type: 'sync-response',
      blocks: [fb1, fb2],
    });
    expect(validateDirectMessage(ctx, enc({ type: 'block-response', block: b1 }))).toEqual({
      type: 'block-response',
      block: b1,
    });
    expect(refusal(enc({ type: 'vote', vote: { ...vote, signature: `0x${'00'.repeat(64)}` as Hex } })).code).toBe(
      'VOTE_BAD_SIGNATURE',
    );
    expect(refusal(enc({ type: 'vote', vote: { ...vote, pad: 'x'.repeat(5000) } })).code).toBe(
      GossipErrorCode.TOO_LARGE,
    );
    expect(refusal(enc({ type: 'sync-request', fromHeight: 1, max: 1 })).message).toMatch(/cannot be sent directly/);
    expect(refusal(enc({ type: 'block-response', block: { ...b1, hash: b2.hash } })).code).toBe(
      GossipErrorCode.INVALID,
    );
    expect(refusal(new Uint8Array([0x5b])).code).toBe(GossipErrorCode.MALFORMED);
  });
});
