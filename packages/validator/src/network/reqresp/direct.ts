/**
 * The `direct` method: one consensus message to one authority (a status to a lagging peer, a
 * proposal re-sent to a peer that missed the gossip). One frame, no response. The receiver
 * validates it exactly as it would the same message from gossip.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { parseTransaction, type Transaction, validateBlock } from '@poa-vote/shared';
import type { ConsensusMessage } from '../../consensus/interface.js';
import { decodeMessage, encodeMessage } from '../gossip/encoding.js';
import {
  GossipAction,
  GossipErrorCode,
  GossipValidationError,
  MissingTxsError,
  validateMessageOfKind,
} from '../gossip/validation.js';
import { GOSSIP_KINDS, topicMaxBytes } from '../gossip/topic.js';
import type { MessageHandler } from '../interface.js';
import { type ReqRespContext, authorityOfStream, failInbound } from './context.js';
import { encodeFrame, readFrame, sendOneWay, sizeStreamFor } from './frame.js';
import { ReqRespMethod, protocolId } from './protocols.js';
import { validateFinalizedBlocks } from './sync.js';

function reject(code: string, message: string): never {
  throw new GossipValidationError(GossipAction.REJECT, code, message);
}

/** Validate the wire bytes of a directed message: JSON, the size limit of its kind, protocol rules. */
export function validateDirectMessage(ctx: ReqRespContext, payload: Uint8Array): ConsensusMessage {
  let input: unknown;
  try {
    input = decodeMessage(payload);
  } catch (e) {
    reject(GossipErrorCode.MALFORMED, `direct message is not UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    reject(GossipErrorCode.MALFORMED, 'direct message must be a JSON object');
  const m = input as Record<string, unknown>;
  const kind = GOSSIP_KINDS.find((k) => k === m.type);
  if (kind !== undefined) {
    const max = topicMaxBytes(kind, {
      maxMessageBytes: ctx.maxMessageBytes,
      maxTxBatchBytes: ctx.maxTxBatchBytes,
      maxTxBytes: ctx.genesis.limits.maxTxBytes,
    });
    if (payload.byteLength > max)
      reject(GossipErrorCode.TOO_LARGE, `${kind} message of ${payload.byteLength} bytes exceeds the limit of ${max}`);
    return validateMessageOfKind(ctx, kind, m);
  }
  switch (m.type) {
    case 'sync-response':
      try {
        return {
          type: 'sync-response',
          blocks: validateFinalizedBlocks(ctx.genesis, m.blocks, { max: ctx.maxSyncBlocks }),
        };
      } catch (e) {
        return reject(GossipErrorCode.INVALID, (e as Error).message);
      }
    case 'block-response':
      try {
        return { type: 'block-response', block: validateBlock(ctx.genesis, m.block) };
      } catch (e) {
        return reject(GossipErrorCode.INVALID, `invalid block-response: ${(e as Error).message}`);
      }
    case 'pool-request':
      if (typeof m.cursor !== 'number' || !Number.isSafeInteger(m.cursor) || m.cursor < -1)
        reject(GossipErrorCode.MALFORMED, 'pool-request.cursor must be an integer >= -1');
      return { type: 'pool-request', cursor: m.cursor };
    case 'pool-response':
      return validatePoolResponse(ctx, m);
    default:
      return reject(GossipErrorCode.MALFORMED, `message type ${JSON.stringify(m.type)} cannot be sent directly`);
  }
}

/** A page of a peer's pool: bounded, each transaction well-formed, holders authority indexes. */
function validatePoolResponse(ctx: ReqRespContext, m: Record<string, unknown>): ConsensusMessage {
  const n = ctx.genesis.authorities.length;
  if (!Array.isArray(m.entries) || m.entries.length > ctx.maxTxsPerMessage)
    reject(
      GossipErrorCode.MALFORMED,
      `pool-response.entries must be an array of at most ${ctx.maxTxsPerMessage} entries`,
    );
  if (typeof m.next !== 'number' || !Number.isSafeInteger(m.next) || m.next < -1)
    reject(GossipErrorCode.MALFORMED, 'pool-response.next must be an integer >= -1');
  if (typeof m.done !== 'boolean') reject(GossipErrorCode.MALFORMED, 'pool-response.done must be a boolean');
  if (typeof m.height !== 'number' || !Number.isSafeInteger(m.height) || m.height < 0)
    reject(GossipErrorCode.MALFORMED, 'pool-response.height must be a non-negative integer');
  const entries = m.entries.map((e: unknown, i) => {
    if (typeof e !== 'object' || e === null)
      reject(GossipErrorCode.MALFORMED, `pool-response.entries[${i}] must be an object`);
    const r = e as Record<string, unknown>;
    let tx: Transaction;
    try {
      tx = parseTransaction(r.tx, ctx.genesis.limits.maxTxBytes);
    } catch (err) {
      return reject(GossipErrorCode.INVALID, `pool-response.entries[${i}].tx: ${(err as Error).message}`);
    }
    const holders = r.holders;
    if (
      !Array.isArray(holders) ||
      holders.length > n ||
      !holders.every((h) => typeof h === 'number' && Number.isSafeInteger(h) && h >= 0 && h < n)
    ) {
      reject(GossipErrorCode.MALFORMED, `pool-response.entries[${i}].holders must be at most ${n} authority indexes`);
    }
    if (typeof r.replicated !== 'boolean')
      reject(GossipErrorCode.MALFORMED, `pool-response.entries[${i}].replicated must be a boolean`);
    return { tx, holders: [...new Set(holders as number[])], replicated: r.replicated };
  });
  return { type: 'pool-response', entries, next: m.next, done: m.done, height: m.height };
}

/** Receive one directed message and hand it, validated, to `deliver`. */
export async function handleDirectStream(
  ctx: ReqRespContext,
  stream: Stream,
  conn: Connection,
  deliver: MessageHandler,
): Promise<void> {
  let from: number | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
    sizeStreamFor(stream, ctx.maxMessageBytes);
    const signal = AbortSignal.timeout(ctx.requestTimeoutMs);
    const payload = await readFrame(stream, ctx.maxMessageBytes, signal);
    await stream.close({ signal });
    let msg: ConsensusMessage;
    try {
      msg = validateDirectMessage(ctx, payload);
    } catch (e) {
      if (e instanceof MissingTxsError) ctx.onMissingTxs?.(from, payload);
      throw e;
    }
    deliver(from, msg);
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.direct, from, e);
  }
}

/** Send one message to a peer over an open connection; `data` is its wire encoding when known. */
export async function sendDirect(
  ctx: ReqRespContext,
  conn: Connection,
  msg: ConsensusMessage,
  data: Uint8Array = encodeMessage(msg),
): Promise<void> {
  await sendOneWay(
    conn,
    protocolId(ctx.genesis.chainId, ReqRespMethod.direct),
    encodeFrame(data),
    ctx.requestTimeoutMs,
  );
}
