import { describe, it, expect } from '@jest/globals';
import { utf8ToBytes, sha256Hex } from '@poa-vote/shared';
import {
  GOSSIP_KINDS,
  GossipKind,
  decodeMessage,
  encodeMessage,
  gossipKindOf,
  gossipTopic,
  messageId,
  messageIdToString,
  parseGossipTopic,
  protocolId,
  ReqRespMethod,
  topicMaxBytes,
} from '../../../../src/network/index.js';
import { tx } from '../fixtures.js';

describe('gossip topics', () => {
  it('are namespaced by chain id', () => {
    expect(GOSSIP_KINDS.map((k) => gossipTopic(7, k))).toEqual([
      '/poa-evote/7/txs/1',
      '/poa-evote/7/proposal/1',
      '/poa-evote/7/vote/1',
      '/poa-evote/7/status/1',
      '/poa-evote/7/acks/1',
    ]);
    expect(parseGossipTopic(7, '/poa-evote/7/vote/1')).toBe(GossipKind.vote);
    expect(parseGossipTopic(8, '/poa-evote/7/vote/1')).toBeUndefined();
    expect(protocolId(7, ReqRespMethod.sync)).toBe('/poa-evote/7/sync/1');
    expect(protocolId(7, ReqRespMethod.block)).toBe('/poa-evote/7/block/1');
    expect(protocolId(7, ReqRespMethod.direct)).toBe('/poa-evote/7/direct/1');
  });

  it('map message types to kinds; directed-only types have none', () => {
    expect(gossipKindOf({ type: 'txs', txs: [] })).toBe(GossipKind.txs);
    expect(gossipKindOf({ type: 'sync-request', fromHeight: 1, max: 1 })).toBeUndefined();
  });

  it('have per-kind size limits', () => {
    const limits = { maxMessageBytes: 16 << 20, maxTxBatchBytes: 1 << 20, maxTxBytes: 16384 };
    expect(topicMaxBytes(GossipKind.proposal, limits)).toBe(16 << 20);
    expect(topicMaxBytes(GossipKind.vote, limits)).toBe(4096);
    // The envelope, plus room for acknowledgements riding along.
    expect(topicMaxBytes(GossipKind.txs, limits)).toBe((1 << 20) + 1024 + 64 * 1024);
    expect(topicMaxBytes(GossipKind.txs, { ...limits, maxTxBatchBytes: 1000 })).toBe(16384 + 1024 + 64 * 1024);
    expect(topicMaxBytes(GossipKind.acks, limits)).toBe(4 << 20);
  });
});

describe('message encoding', () => {
  it('is the UTF-8 JSON of the message, and the id is its sha256', () => {
    const msg = { type: 'txs' as const, txs: [tx(1, 'ballot ✓')] };
    const data = encodeMessage(msg);
    expect(data).toEqual(utf8ToBytes(JSON.stringify(msg)));
    expect(decodeMessage(data)).toEqual(msg);
    expect(`0x${messageIdToString(messageId(data))}`).toBe(sha256Hex(data));
    expect(messageIdToString(messageId(encodeMessage(msg)))).toBe(messageIdToString(messageId(data)));
  });
});
