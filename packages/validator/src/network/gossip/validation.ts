/**
 * Validation of gossiped objects, in the order that makes floods cheap to refuse: size limit of
 * the topic, JSON shape, then the protocol rules of @poa-vote/shared. Failures throw a
 * GossipValidationError whose action (IGNORE or REJECT) is mapped to gossipsub's verdict in
 * one place, `topicValidatorResult`; REJECT also lowers the forwarding peer's score.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub';
import {
  type Genesis,
  type Hex,
  type QuorumCertificate,
  type Transaction,
  ProtocolError,
  isHex,
  parseTransaction,
  validateProposal,
  validateVote,
  verifyCertificate,
} from '@poa-vote/shared';
import type { BatchId, ConsensusMessage, Status, TxAck, TxRefusal } from '../../consensus/interface.js';
import { expandProposal } from './compact.js';
import { decodeMessage } from './encoding.js';
import { GossipKind, topicMaxBytes } from './topic.js';

/** Verdict on a gossiped message. */
export enum GossipAction {
  /** Valid: deliver and forward. */
  ACCEPT = 'ACCEPT',
  /** Not useful but not malicious (e.g. our own message echoed): drop, no penalty. */
  IGNORE = 'IGNORE',
  /** Invalid: drop and penalize the peer that forwarded it. */
  REJECT = 'REJECT',
}

export enum GossipErrorCode {
  TOO_LARGE = 'GOSSIP_TOO_LARGE',
  MALFORMED = 'GOSSIP_MALFORMED',
  WRONG_TOPIC = 'GOSSIP_WRONG_TOPIC',
  UNKNOWN_PEER = 'GOSSIP_UNKNOWN_PEER',
  FROM_SELF = 'GOSSIP_FROM_SELF',
  INVALID = 'GOSSIP_INVALID',
  /** A compact proposal names transactions this node does not hold (it fetches the block). */
  MISSING_TXS = 'GOSSIP_MISSING_TXS',
}

/** A refused message: the action to take, a stable code (gossip or protocol code) and why. */
export class GossipValidationError extends Error {
  override readonly name = 'GossipValidationError';
  constructor(
    readonly action: GossipAction.IGNORE | GossipAction.REJECT,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Some transactions of a compact proposal are not in the local pool: the sender is asked for the block. */
export class MissingTxsError extends GossipValidationError {
  constructor(
    readonly blockHash: string,
    readonly missing: number,
  ) {
    super(
      GossipAction.IGNORE,
      GossipErrorCode.MISSING_TXS,
      `compact proposal of block ${blockHash}: ${missing} transaction(s) not in the pool`,
    );
  }
}

/** What validation needs to know about the chain and the local limits. */
export interface ValidationContext {
  genesis: Genesis;
  maxMessageBytes: number;
  maxTxBatchBytes: number;
  maxTxsPerMessage: number;
  /** The local pool, to expand compact proposals (gossip/compact.ts); without it they cannot be expanded. */
  lookupTx?: ((hash: Hex) => Transaction | undefined) | undefined;
}

function reject(code: string, message: string): never {
  throw new GossipValidationError(GossipAction.REJECT, code, message);
}

/** Run a protocol check, turning its ProtocolError into a REJECT that keeps the protocol code. */
function protocolCheck<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GossipValidationError) throw e;
    const code = e instanceof ProtocolError ? e.code : GossipErrorCode.INVALID;
    return reject(code, `invalid ${what}: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A gossiped proposal: leader signature, block rules, polka when re-proposing. */
export function validateProposalMessage(ctx: ValidationContext, input: Record<string, unknown>): ConsensusMessage {
  const expanded = expandProposal(input.proposal, ctx.lookupTx, ctx.genesis.limits.maxTxPerBlock);
  if (!expanded.ok) {
    if ('malformed' in expanded) reject(GossipErrorCode.MALFORMED, expanded.malformed);
    throw new MissingTxsError(expanded.blockHash, expanded.missing);
  }
  return {
    type: 'proposal',
    proposal: protocolCheck('proposal', () => validateProposal(ctx.genesis, expanded.proposal)),
  };
}

/** A gossiped vote: known authority and valid signature. */
export function validateVoteMessage(ctx: ValidationContext, input: Record<string, unknown>): ConsensusMessage {
  return { type: 'vote', vote: protocolCheck('vote', () => validateVote(ctx.genesis, input.vote)) };
}

/** A gossiped status: shape, and its polka (if any) must be a valid prevote quorum at its height. */
export function validateStatusMessage(ctx: ValidationContext, input: Record<string, unknown>): ConsensusMessage {
  const s = input.status;
  if (!isObject(s)) reject(GossipErrorCode.MALFORMED, 'status must be an object');
  if (!isNat(s.height) || s.height < 1) reject(GossipErrorCode.MALFORMED, 'status.height must be an integer >= 1');
  if (!isNat(s.slot)) reject(GossipErrorCode.MALFORMED, 'status.slot must be a non-negative integer');
  if (!isHex(s.headHash, 32)) reject(GossipErrorCode.MALFORMED, 'status.headHash must be a 32-byte hash');
  const height = s.height;
  let polka: QuorumCertificate | undefined;
  if (s.polka !== undefined)
    polka = protocolCheck('status polka', () => verifyCertificate(ctx.genesis, s.polka, { type: 'prevote', height }));
  const status: Status = { height, slot: s.slot, headHash: s.headHash, ...(polka ? { polka } : {}) };
  return { type: 'status', status };
}

/** A gossiped transaction batch: a bounded, non-empty array of well-formed transactions. */
export function validateTxsMessage(ctx: ValidationContext, input: Record<string, unknown>): ConsensusMessage {
  const list = input.txs;
  if (!Array.isArray(list) || list.length === 0) reject(GossipErrorCode.MALFORMED, 'txs must be a non-empty array');
  if (list.length > ctx.maxTxsPerMessage)
    reject(
      GossipErrorCode.TOO_LARGE,
      `txs message carries ${list.length} transactions, the limit is ${ctx.maxTxsPerMessage}`,
    );
  const txs: Transaction[] = list.map((tx, i) =>
    protocolCheck(`transaction ${i}`, () => parseTransaction(tx, ctx.genesis.limits.maxTxBytes)),
  );
  const acks = input.acks === undefined ? undefined : acksOf(ctx, input.acks, 'txs.acks');
  return {
    type: 'txs',
    txs,
    ...(input.batch !== undefined ? { batch: batchId(input.batch, 'txs.batch') } : {}),
    ...(acks !== undefined ? { acks } : {}),
  };
}

function batchId(v: unknown, field: string): BatchId {
  if (!isObject(v) || !isNat(v.epoch) || !isNat(v.seq))
    reject(GossipErrorCode.MALFORMED, `${field} must be {epoch, seq} with non-negative integers`);
  return { epoch: v.epoch, seq: v.seq };
}

/** Most batches acknowledged in one message. */
export const MAX_ACKS_PER_MESSAGE = 1024;

/** Gossiped acknowledgements: bounded lists of {origin, epoch, seq, refused}. */
export function validateAcksMessage(ctx: ValidationContext, input: Record<string, unknown>): ConsensusMessage {
  return { type: 'acks', acks: acksOf(ctx, input.acks, 'acks') };
}

/** A bounded, non-empty list of acknowledgements (the `acks` message, or riding along a `txs` one). */
function acksOf(ctx: ValidationContext, list: unknown, field: string): TxAck[] {
  if (!Array.isArray(list) || list.length === 0)
    reject(GossipErrorCode.MALFORMED, `${field} must be a non-empty array`);
  if (list.length > MAX_ACKS_PER_MESSAGE)
    reject(
      GossipErrorCode.TOO_LARGE,
      `${field} carries ${list.length} acknowledgements, the limit is ${MAX_ACKS_PER_MESSAGE}`,
    );
  const n = ctx.genesis.authorities.length;
  return list.map((a: unknown, i): TxAck => {
    if (!isObject(a)) reject(GossipErrorCode.MALFORMED, `acks[${i}] must be an object`);
    if (!isNat(a.origin) || a.origin >= n)
      reject(GossipErrorCode.MALFORMED, `acks[${i}].origin must be an authority index below ${n}`);
    const { epoch, seq } = batchId(a, `acks[${i}]`);
    if (!Array.isArray(a.refused) || a.refused.length > ctx.maxTxsPerMessage)
      reject(
        GossipErrorCode.MALFORMED,
        `acks[${i}].refused must be an array of at most ${ctx.maxTxsPerMessage} entries`,
      );
    const refused: TxRefusal[] = a.refused.map((r: unknown, k) => {
      if (!isObject(r) || !isHex(r.hash, 32))
        reject(GossipErrorCode.MALFORMED, `acks[${i}].refused[${k}].hash must be a 32-byte hash`);
      if (r.reason !== 'conflict' && r.reason !== 'full')
        reject(GossipErrorCode.MALFORMED, `acks[${i}].refused[${k}].reason must be "conflict" or "full"`);
      if (r.conflictsWith !== undefined && !isHex(r.conflictsWith, 32))
        reject(GossipErrorCode.MALFORMED, `acks[${i}].refused[${k}].conflictsWith must be a 32-byte hash`);
      return {
        hash: r.hash,
        reason: r.reason,
        ...(r.conflictsWith !== undefined ? { conflictsWith: r.conflictsWith } : {}),
      };
    });
    return { origin: a.origin, epoch, seq, refused };
  });
}

const validators: Record<GossipKind, (ctx: ValidationContext, input: Record<string, unknown>) => ConsensusMessage> = {
  [GossipKind.proposal]: validateProposalMessage,
  [GossipKind.vote]: validateVoteMessage,
  [GossipKind.status]: validateStatusMessage,
  [GossipKind.txs]: validateTxsMessage,
  [GossipKind.acks]: validateAcksMessage,
};

/** Validate the decoded JSON of a message expected to be of `kind`; returns it reduced to its fields. */
export function validateMessageOfKind(ctx: ValidationContext, kind: GossipKind, input: unknown): ConsensusMessage {
  if (!isObject(input)) reject(GossipErrorCode.MALFORMED, 'message must be a JSON object');
  if (input.type !== kind)
    reject(GossipErrorCode.WRONG_TOPIC, `a ${String(input.type)} message cannot travel on the ${kind} topic`);
  return validators[kind](ctx, input);
}

/** Validate the raw data of a gossip message on a topic of `kind`: size, JSON, protocol rules. */
export function validateGossipData(ctx: ValidationContext, kind: GossipKind, data: Uint8Array): ConsensusMessage {
  const max = topicMaxBytes(kind, {
    maxMessageBytes: ctx.maxMessageBytes,
    maxTxBatchBytes: ctx.maxTxBatchBytes,
    maxTxBytes: ctx.genesis.limits.maxTxBytes,
  });
  if (data.byteLength > max)
    reject(GossipErrorCode.TOO_LARGE, `${kind} message of ${data.byteLength} bytes exceeds the topic limit of ${max}`);
  let input: unknown;
  try {
    input = decodeMessage(data);
  } catch (e) {
    reject(GossipErrorCode.MALFORMED, `${kind} message is not UTF-8 JSON: ${(e as Error).message}`);
  }
  return validateMessageOfKind(ctx, kind, input);
}

/** The one mapping from our verdicts (or any thrown error) to gossipsub's. */
export function topicValidatorResult(outcome: GossipAction | unknown): TopicValidatorResult {
  if (outcome === GossipAction.ACCEPT) return TopicValidatorResult.Accept;
  if (outcome instanceof GossipValidationError)
    return outcome.action === GossipAction.IGNORE ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
  // An unexpected exception is our bug, not the peer's fault: drop without penalty.
  return TopicValidatorResult.Ignore;
}
