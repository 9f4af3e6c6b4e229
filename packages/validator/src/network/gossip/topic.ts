/**
 * Gossip topics, namespaced by chain id so that two chains never mix messages even if their
 * nodes meet: /poa-evote/<chainId>/<kind>/1.
 */
import { unreachable } from '@poa-vote/shared';
import type { ConsensusMessage } from '../../consensus/interface.js';

/** What a gossip topic carries. */
export enum GossipKind {
  txs = 'txs',
  proposal = 'proposal',
  vote = 'vote',
  status = 'status',
  /** Acknowledgements of transaction batches (see docs/DURABILITY.md). */
  acks = 'acks',
}

export const GOSSIP_KINDS: readonly GossipKind[] = [
  GossipKind.txs,
  GossipKind.proposal,
  GossipKind.vote,
  GossipKind.status,
  GossipKind.acks,
];

/** The topic name of a kind on a chain. */
export function gossipTopic(chainId: number, kind: GossipKind): string {
  return `/poa-evote/${chainId}/${kind}/1`;
}

/** The kind of a topic of this chain, or undefined for any other topic. */
export function parseGossipTopic(chainId: number, topic: string): GossipKind | undefined {
  return GOSSIP_KINDS.find((k) => gossipTopic(chainId, k) === topic);
}

/** The topic kind a consensus message is gossiped on, or undefined if it is never gossiped. */
export function gossipKindOf(msg: ConsensusMessage): GossipKind | undefined {
  switch (msg.type) {
    case 'proposal':
      return GossipKind.proposal;
    case 'vote':
      return GossipKind.vote;
    case 'status':
      return GossipKind.status;
    case 'txs':
      return GossipKind.txs;
    case 'acks':
      return GossipKind.acks;
    case 'pool-request':
    case 'pool-response':
    case 'sync-request':
    case 'sync-response':
    case 'block-request':
    case 'block-response':
      return undefined;
    default:
      // A new message type does not compile until it is placed: gossiped, or sent directly.
      return unreachable(msg, 'consensus message type');
  }
}

/** Fixed caps for small objects: a vote is ~400 bytes; a status may carry a 100-signature polka. */
const VOTE_MAX_BYTES = 4 * 1024;
const STATUS_MAX_BYTES = 64 * 1024;
/** Acknowledgements: a few dozen bytes per batch, plus ~150 per refused transaction. */
const ACKS_MAX_BYTES = 4 * 1024 * 1024;
/** Room for the JSON envelope around a transaction batch. */
const TXS_ENVELOPE_BYTES = 1024;
/** Room for acknowledgements riding along a transaction batch (the sender attaches at most this). */
export const TXS_ACKS_ALLOWANCE_BYTES = 64 * 1024;

/** Largest encoded message accepted on a topic. */
export function topicMaxBytes(
  kind: GossipKind,
  limits: { maxMessageBytes: number; maxTxBatchBytes: number; maxTxBytes: number },
): number {
  switch (kind) {
    case GossipKind.proposal:
      return limits.maxMessageBytes;
    case GossipKind.vote:
      return VOTE_MAX_BYTES;
    case GossipKind.status:
      return STATUS_MAX_BYTES;
    case GossipKind.acks:
      return Math.min(limits.maxMessageBytes, ACKS_MAX_BYTES);
    case GossipKind.txs:
      // A single transaction larger than the batch cap still travels, alone.
      return Math.min(
        limits.maxMessageBytes,
        Math.max(limits.maxTxBatchBytes, limits.maxTxBytes) + TXS_ENVELOPE_BYTES + TXS_ACKS_ALLOWANCE_BYTES,
      );
  }
}
