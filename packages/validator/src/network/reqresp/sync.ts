/**
 * The `sync` method: a lagging node asks a peer for finalized blocks from a height. The server
 * answers from storage and trims the answer to the frame limit; the client checks the answer's
 * shape and that the blocks are contiguous from fromHeight; the consensus core verifies them.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { type FinalizedBlock, type Genesis, utf8ToBytes } from '@poa-vote/shared';
import { NetworkError, NetworkErrorCode, type SyncRequestHandler } from '../interface.js';
import { type ReqRespContext, authorityOfStream, failInbound } from './context.js';
import { encodeFrame, jsonFrame, parseJsonPayload, readFrame, requestResponse, writeFrame } from './frame.js';
import { ReqRespMethod, protocolId } from './protocols.js';

export interface SyncRequest {
  fromHeight: number;
  max: number;
}

/** A sync request is a few dozen bytes of JSON. */
const MAX_SYNC_REQUEST_BYTES = 1024;

function badRequest(message: string): never {
  throw new NetworkError(NetworkErrorCode.BAD_REQUEST, `bad sync request: ${message}`);
}

/** Validate an untrusted sync request; `max` is clamped to the local limit. */
export function parseSyncRequest(input: unknown, maxSyncBlocks: number): SyncRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    badRequest('must be an object {fromHeight, max}');
  const r = input as Record<string, unknown>;
  if (typeof r.fromHeight !== 'number' || !Number.isSafeInteger(r.fromHeight) || r.fromHeight < 1)
    badRequest('fromHeight must be an integer >= 1');
  if (typeof r.max !== 'number' || !Number.isSafeInteger(r.max) || r.max < 1) badRequest('max must be an integer >= 1');
  return { fromHeight: r.fromHeight, max: Math.min(r.max, maxSyncBlocks) };
}

/** JSON of as many leading blocks as fit in maxBytes (a block that alone exceeds it cannot be served). */
export function encodeSyncResponse(
  blocks: readonly FinalizedBlock[],
  maxBytes: number,
): { payload: Uint8Array; count: number } {
  const parts: string[] = [];
  let size = 2;
  for (const fb of blocks) {
    const part = JSON.stringify({ block: fb.block, certificate: fb.certificate });
    const bytes = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0);
    if (size + bytes > maxBytes) break;
    parts.push(part);
    size += bytes;
  }
  return { payload: utf8ToBytes(`[${parts.join(',')}]`), count: parts.length };
}

function badResponse(message: string): never {
  throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, `bad sync response: ${message}`);
}

/**
 * Shape checks of an untrusted sync answer: an array of {block, certificate} objects with
 * consecutive heights from `fromHeight`. The cryptographic checks (block rules, links, quorum
 * certificate) are the consensus core's, done once there with verifyFinalizedBlock: repeating
 * them here doubled the cost of catching up.
 */
export function validateFinalizedBlocks(
  _genesis: Genesis,
  input: unknown,
  expect: { fromHeight?: number; max: number },
): FinalizedBlock[] {
  if (!Array.isArray(input)) badResponse('must be an array of finalized blocks');
  if (input.length > expect.max) badResponse(`${input.length} blocks, at most ${expect.max} expected`);
  let next = expect.fromHeight;
  for (let i = 0; i < input.length; i++) {
    const entry = input[i] as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null) badResponse(`entry ${i} must be an object {block, certificate}`);
    const block = entry.block as { header?: { height?: unknown } } | null;
    if (typeof block !== 'object' || block === null || typeof block.header !== 'object' || block.header === null)
      badResponse(`entry ${i}.block must be a block object`);
    if (typeof entry.certificate !== 'object' || entry.certificate === null)
      badResponse(`entry ${i}.certificate must be a certificate object`);
    const height = block.header.height;
    if (typeof height !== 'number' || !Number.isSafeInteger(height))
      badResponse(`entry ${i}.block.header.height must be an integer`);
    if (next !== undefined && height !== next) badResponse(`entry ${i} has height ${height}, ${next} was expected`);
    next = height + 1;
  }
  return input as FinalizedBlock[];
}

/** Serve one inbound sync request from the node's handler. */
export async function handleSyncStream(
  ctx: ReqRespContext,
  stream: Stream,
  conn: Connection,
  handler: () => SyncRequestHandler | undefined,
): Promise<void> {
  let from: number | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
    const signal = AbortSignal.timeout(ctx.requestTimeoutMs);
    const req = parseSyncRequest(
      parseJsonPayload(await readFrame(stream, MAX_SYNC_REQUEST_BYTES, signal), 'sync request'),
      ctx.maxSyncBlocks,
    );
    const serve = handler();
    const blocks = serve ? await serve(req.fromHeight, req.max) : [];
    const { payload, count } = encodeSyncResponse(blocks.slice(0, req.max), ctx.maxMessageBytes);
    if (count < Math.min(blocks.length, req.max))
      ctx.logger.debug(
        { peer: from, served: count, available: blocks.length },
        'sync response trimmed to the frame limit',
      );
    await writeFrame(stream, encodeFrame(payload), signal);
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.sync, from, e);
  }
}

/** Ask a peer (over an open connection) for finalized blocks; returns them validated. */
export async function requestSync(ctx: ReqRespContext, conn: Connection, req: SyncRequest): Promise<FinalizedBlock[]> {
  const max = Math.min(req.max, ctx.maxSyncBlocks);
  const payload = await requestResponse(
    conn,
    protocolId(ctx.genesis.chainId, ReqRespMethod.sync),
    jsonFrame({ fromHeight: req.fromHeight, max }),
    ctx.maxMessageBytes,
    ctx.requestTimeoutMs,
  );
  return validateFinalizedBlocks(ctx.genesis, parseJsonPayload(payload, 'sync response'), {
    fromHeight: req.fromHeight,
    max,
  });
}
