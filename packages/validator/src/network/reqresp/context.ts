/** What request/response handlers and callers share: the chain, the peers and the limits. */
import type { Connection, Stream } from '@libp2p/interface';
import type { Genesis } from '@poa-vote/shared';
import type { AuthorityBook } from '../identity.js';
import type { Logger } from '../../util/logger.js';
import { NetworkError, NetworkErrorCode } from '../interface.js';
import type { ValidationContext } from '../gossip/validation.js';

export interface ReqRespContext extends ValidationContext {
  genesis: Genesis;
  book: AuthorityBook;
  logger: Logger;
  requestTimeoutMs: number;
  maxSyncBlocks: number;
  /** Told about every failed inbound exchange (peer scoring decides whether it was the peer's fault). */
  onInboundFault?: (from: number, method: string, err: unknown) => void;
  /** A directed compact proposal named votes this node lacks (gossip/compact.ts): complete it. */
  onMissingTxs?: (from: number, data: Uint8Array) => void;
}

/** The authority on the other end of an inbound stream; aborts the stream for outsiders. */
export function authorityOfStream(ctx: ReqRespContext, stream: Stream, conn: Connection): number {
  const from = ctx.book.indexOf(conn.remotePeer);
  if (from === undefined) {
    const err = new NetworkError(
      NetworkErrorCode.UNKNOWN_PEER,
      `peer ${conn.remotePeer.toString()} is not a genesis authority`,
    );
    stream.abort(err);
    throw err;
  }
  return from;
}

/** Log and abort a failed inbound exchange; never throws. */
export function failInbound(
  ctx: ReqRespContext,
  stream: Stream,
  method: string,
  from: number | undefined,
  err: unknown,
): void {
  const e = err instanceof Error ? err : new Error(String(err));
  if (stream.status === 'open') stream.abort(e);
  if (from !== undefined) ctx.onInboundFault?.(from, method, err);
  ctx.logger.debug(
    { method, peer: from, code: (e as { code?: string }).code, err: e.message },
    'inbound request failed',
  );
}
