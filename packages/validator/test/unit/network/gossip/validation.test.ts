import { describe, it, expect } from '@jest/globals';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import { type Hex, genesisHash, utf8ToBytes } from '@poa-vote/shared';
import {
  GossipAction,
  GossipErrorCode,
  GossipKind,
  GossipValidationError,
  type ValidationContext,
  encodeMessage,
  topicValidatorResult,
  validateGossipData,
} from '../../../../src/network/index.js';
import type { ConsensusMessage } from '../../../../src/consensus/interface.js';
import { makeBlock, makeChain, makeProposal, makeVote, tx } from '../fixtures.js';

const chain = makeChain(3);
const ctx: ValidationContext = {
  genesis: chain.genesis,
  maxMessageBytes: 16 * 1024 * 1024,
  maxTxBatchBytes: 1024 * 1024,
  maxTxsPerMessage: 100,
};

function refusal(kind: GossipKind, data: Uint8Array): GossipValidationError {
  try {
    validateGossipData(ctx, kind, data);
  } catch (e) {
    expect(e).toBeInstanceOf(GossipValidationError);
    return e as GossipValidationError;
  }
  throw new Error('expected the message to be refused');
}

const enc = (m: unknown): Uint8Array => encodeMessage(m as ConsensusMessage);
const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}` as Hex;

describe('validateGossipData', () => {
  const proposal = makeProposal(chain, 3, [tx(1)]);
  const vote = makeVote(chain, 2, 3, proposal.block.hash);
  const status = { height: 1, slot: 3, headHash: genesisHash(chain.genesis) };

  it('accepts valid messages and strips unknown fields', () => {
    expect(validateGossipData(ctx, GossipKind.proposal, enc({ type: 'proposal', proposal }))).toEqual({
      type: 'proposal',
      proposal,
    });
    expect(validateGossipData(ctx, GossipKind.vote, enc({ type: 'vote', vote: { ...vote, extra: 1 } }))).toEqual({
      type: 'vote',
      vote,
    });
    expect(
      validateGossipData(ctx, GossipKind.status, enc({ type: 'status', status: { ...status, junk: true } })),
    ).toEqual({ type: 'status', status });
    expect(
      validateGossipData(ctx, GossipKind.txs, enc({ type: 'txs', txs: [{ ...tx(1), gas: '0x1' }, tx(2)] })),
    ).toEqual({ type: 'txs', txs: [tx(1), tx(2)] });
  });

  it('rejects bad signatures with the protocol code', () => {
    const e = refusal(GossipKind.vote, enc({ type: 'vote', vote: { ...vote, signature: flip(vote.signature) } }));
    expect(e.action).toBe(GossipAction.REJECT);
    expect(e.code).toBe('VOTE_BAD_SIGNATURE');
    expect(
      refusal(
        GossipKind.proposal,
        enc({ type: 'proposal', proposal: { ...proposal, signature: flip(proposal.signature) } }),
      ).code,
    ).toBe('PROPOSAL_INVALID');
  });

  it('rejects oversized messages before parsing them', () => {
    const big = new Uint8Array(5000).fill(0x7b); // "{{{{..." is not JSON: size must be checked first
    const e = refusal(GossipKind.vote, big);
    expect(e.code).toBe(GossipErrorCode.TOO_LARGE);
    expect(e.message).toMatch(/5000 bytes exceeds the topic limit of 4096/);
  });

  it('rejects malformed JSON, a message on the wrong topic, and bad shapes', () => {
    expect(refusal(GossipKind.vote, utf8ToBytes('{"type":')).code).toBe(GossipErrorCode.MALFORMED);
    expect(refusal(GossipKind.vote, new Uint8Array([0xff, 0xfe])).code).toBe(GossipErrorCode.MALFORMED);
    expect(refusal(GossipKind.vote, enc({ type: 'status', status })).code).toBe(GossipErrorCode.WRONG_TOPIC);
    expect(
      refusal(GossipKind.status, enc({ type: 'status', status: { ...status, headHash: '0x12' } })).message,
    ).toMatch(/headHash/);
    expect(refusal(GossipKind.txs, enc({ type: 'txs', txs: [] })).message).toMatch(/non-empty array/);
    expect(
      refusal(GossipKind.txs, enc({ type: 'txs', txs: [tx(1), { from: 'v', to: 'nope', data: 'x' }] })).message,
    ).toMatch(/transaction 1/);
    expect(refusal(GossipKind.txs, enc({ type: 'txs', txs: Array.from({ length: 101 }, (_, i) => tx(i)) })).code).toBe(
      GossipErrorCode.TOO_LARGE,
    );
  });

  it('checks a status polka as a prevote quorum at the status height', () => {
    const block = makeBlock(chain, 1);
    const votes = [0, 1].map((i) => makeVote(chain, i, 1, block.hash));
    const polka = {
      type: 'prevote',
      height: 1,
      slot: 1,
      blockHash: block.hash,
      signatures: votes.map((v) => ({ validator: v.validator, signature: v.signature })),
    };
    expect(validateGossipData(ctx, GossipKind.status, enc({ type: 'status', status: { ...status, polka } }))).toEqual({
      type: 'status',
      status: { ...status, polka },
    });
    const weak = { ...polka, signatures: polka.signatures.slice(0, 1) };
    expect(refusal(GossipKind.status, enc({ type: 'status', status: { ...status, polka: weak } })).code).toBe(
      'CERT_NO_QUORUM',
    );
  });
});

describe('topicValidatorResult', () => {
  it('maps verdicts to gossipsub results in one place', () => {
    expect(topicValidatorResult(GossipAction.ACCEPT)).toBe(TopicValidatorResult.Accept);
    expect(topicValidatorResult(new GossipValidationError(GossipAction.REJECT, 'X', 'x'))).toBe(
      TopicValidatorResult.Reject,
    );
    expect(topicValidatorResult(new GossipValidationError(GossipAction.IGNORE, 'X', 'x'))).toBe(
      TopicValidatorResult.Ignore,
    );
    expect(topicValidatorResult(new Error('bug'))).toBe(TopicValidatorResult.Ignore);
  });
});
