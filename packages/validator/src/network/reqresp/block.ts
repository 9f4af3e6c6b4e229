/**
 * The `block` method: a validator that saw votes for a candidate block it does not hold asks
 * peers for it by hash. The answer is the block or null; the client checks the block's own
 * rules and that it is the block asked for.
 */
import type { Connection, Stream } from '@libp2p/interface';
import { type Block, type Hex, isHex, validateBlock } from '@poa-vote/shared';
import { type BlockRequestHandler, NetworkError, NetworkErrorCode } from '../interface.js';
import { type ReqRespContext, authorityOfStream, failInbound } from './context.js';
import { jsonFrame, parseJsonPayload, readFrame, requestResponse, writeFrame } from './frame.js';
import { ReqRespMethod, protocolId } from './protocols.js';

const MAX_BLOCK_REQUEST_BYTES = 1024;

/** Validate an untrusted block request {hash}. */
export function parseBlockRequest(input: unknown): { hash: Hex } {
  const r = input as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || !isHex(r.hash, 32))
    throw new NetworkError(
      NetworkErrorCode.BAD_REQUEST,
      'bad block request: must be {hash} with a 32-byte 0x-hex hash',
    );
  return { hash: r.hash };
}

/** Validate an untrusted block response: null, or a valid block with the requested hash. */
export function validateBlockResponse(
  ctx: Pick<ReqRespContext, 'genesis'>,
  input: unknown,
  hash: Hex,
): Block | undefined {
  if (input === null) return undefined;
  let block: Block;
  try {
    block = validateBlock(ctx.genesis, input);
  } catch (e) {
    throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, `bad block response: ${(e as Error).message}`);
  }
  if (block.hash !== hash)
    throw new NetworkError(
      NetworkErrorCode.BAD_RESPONSE,
      `bad block response: block ${block.hash} is not the requested ${hash}`,
    );
  return block;
}

/** Serve one inbound block request from the node's handler. */
export async function handleBlockStream(
  ctx: ReqRespContext,
  stream: Stream,
  conn: Connection,
  handler: () => BlockRequestHandler | undefined,
): Promise<void> {
  let from: number | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
    const signal = AbortSignal.timeout(ctx.requestTimeoutMs);
    const { hash } = parseBlockRequest(
      parseJsonPayload(await readFrame(stream, MAX_BLOCK_REQUEST_BYTES, signal), 'block request'),
    );
    const block = handler()?.(hash);
    let frame = jsonFrame(block ?? null);
    if (frame.byteLength - 4 > ctx.maxMessageBytes) {
      ctx.logger.warn({ peer: from, hash, bytes: frame.byteLength }, 'block too large to serve, answering null');
      frame = jsonFrame(null);
    }
    await writeFrame(stream, frame, signal);
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.block, from, e);
  }
}

/** Ask a peer for a block by hash; undefined when it does not have it. */
export async function requestBlock(ctx: ReqRespContext, conn: Connection, hash: Hex): Promise<Block | undefined> {
  const payload = await requestResponse(
    conn,
    protocolId(ctx.genesis.chainId, ReqRespMethod.block),
    jsonFrame({ hash }),
    ctx.maxMessageBytes,
    ctx.requestTimeoutMs,
  );
  return validateBlockResponse(ctx, parseJsonPayload(payload, 'block response'), hash);
}
