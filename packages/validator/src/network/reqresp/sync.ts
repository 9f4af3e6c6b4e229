/**
 * The `sync` method: a lagging node asks a peer for finalized blocks from a height. The server
 * answers from storage and trims the answer to the frame limit; the client checks every block
 * and certificate against the genesis keys and that the blocks are contiguous from fromHeight.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { type Block, type FinalizedBlock, type Genesis, checkBlockLinks, utf8ToBytes, validateBlock, verifyCertificate } from '@poa-vote/shared';
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
  if (typeof input !== 'object' || input === null || Array.isArray(input)) badRequest('must be an object {fromHeight, max}');
  const r = input as Record<string, unknown>;
  if (typeof r.fromHeight !== 'number' || !Number.isSafeInteger(r.fromHeight) || r.fromHeight < 1) badRequest('fromHeight must be an integer >= 1');
  if (typeof r.max !== 'number' || !Number.isSafeInteger(r.max) || r.max < 1) badRequest('max must be an integer >= 1');
  return { fromHeight: r.fromHeight, max: Math.min(r.max, maxSyncBlocks) };
}

/** JSON of as many leading blocks as fit in maxBytes (a block that alone exceeds it cannot be served). */
export function encodeSyncResponse(blocks: readonly FinalizedBlock[], maxBytes: number): { payload: Uint8Array; count: number } {
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
 * Validate untrusted finalized blocks: each block by its own rules with a precommit quorum for
 * it, consecutive blocks linked, the first at `fromHeight` when given. Returns reduced copies.
 */
export function validateFinalizedBlocks(genesis: Genesis, input: unknown, expect: { fromHeight?: number; max: number }): FinalizedBlock[] {
  if (!Array.isArray(input)) badResponse('must be an array of finalized blocks');
  if (input.length > expect.max) badResponse(`${input.length} blocks, at most ${expect.max} expected`);
  const out: FinalizedBlock[] = [];
  let prev: Block | undefined;
  for (let i = 0; i < input.length; i++) {
    const entry = input[i] as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null) badResponse(`entry ${i} must be an object {block, certificate}`);
    try {
      const block = validateBlock(genesis, entry.block);
      if (i === 0 && expect.fromHeight !== undefined && block.header.height !== expect.fromHeight) {
        badResponse(`first block has height ${block.header.height}, ${expect.fromHeight} was requested`);
      }
      if (prev) checkBlockLinks(block, { hash: prev.hash, height: prev.header.height, slot: prev.header.slot });
      const certificate = verifyCertificate(genesis, entry.certificate, { type: 'precommit', height: block.header.height, blockHash: block.hash });
      out.push({ block, certificate });
      prev = block;
    } catch (e) {
      if (e instanceof NetworkError) throw e;
      badResponse(`entry ${i}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Serve one inbound sync request from the node's handler. */
export async function handleSyncStream(ctx: ReqRespContext, stream: Stream, conn: Connection, handler: () => SyncRequestHandler | undefined): Promise<void> {
  let from: number | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
    const signal = AbortSignal.timeout(ctx.requestTimeoutMs);
    const req = parseSyncRequest(parseJsonPayload(await readFrame(stream, MAX_SYNC_REQUEST_BYTES, signal), 'sync request'), ctx.maxSyncBlocks);
    const serve = handler();
    const blocks = serve ? await serve(req.fromHeight, req.max) : [];
    const { payload, count } = encodeSyncResponse(blocks.slice(0, req.max), ctx.maxMessageBytes);
    if (count < Math.min(blocks.length, req.max)) ctx.logger.debug({ peer: from, served: count, available: blocks.length }, 'sync response trimmed to the frame limit');
    await writeFrame(stream, encodeFrame(payload), signal);
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.sync, from, e);
  }
}

/** Ask a peer (over an open connection) for finalized blocks; returns them validated. */
export async function requestSync(ctx: ReqRespContext, conn: Connection, req: SyncRequest): Promise<FinalizedBlock[]> {
  const max = Math.min(req.max, ctx.maxSyncBlocks);
  const payload = await requestResponse(conn, protocolId(ctx.genesis.chainId, ReqRespMethod.sync), jsonFrame({ fromHeight: req.fromHeight, max }), ctx.maxMessageBytes, ctx.requestTimeoutMs);
  return validateFinalizedBlocks(ctx.genesis, parseJsonPayload(payload, 'sync response'), { fromHeight: req.fromHeight, max });
}
