/**
 * POST /rpc and POST /: JSON-RPC over HTTP on node:http directly (express's body parsing costs
 * ~6x in throughput here). Only JSON bodies are executed (415 otherwise: see browser.ts). JSON-RPC
 * errors go out with HTTP 200 (ethers throws on non-2xx before reading the body); a reply-less
 * call or batch (notifications only) gets 204 without a body. Node-wide refusals for load
 * (memory, unsent replies) go out with 503 and -32005.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../util/logger.js';
import type { Admission } from '../admission.js';
import { JsonRpcError, JsonRpcErrorCode, invalidRequest } from '../jsonrpc/errors.js';
import { type JsonRpcServer, failure } from '../jsonrpc/server.js';
import type { RpcSession } from '../jsonrpc/types.js';
import { BODY_ABORTED, BODY_TOO_LARGE, readBody } from './body.js';
import type { BrowserGuard } from './browser.js';
import { sendJson } from './respond.js';

const HTTP_SESSION: RpcSession = { transport: 'http' };

export interface RpcHandlerOptions {
  maxBodyBytes: number;
  guard: BrowserGuard;
  admission: Admission;
  logger: Logger;
  /** The session of a request (write access reads its Authorization header and address); default: one shared session. */
  sessionOf?: (req: IncomingMessage) => RpcSession;
}

/** The request handler of the JSON-RPC endpoint. */
export function createRpcHandler(
  rpc: JsonRpcServer,
  opts: RpcHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { maxBodyBytes, guard, admission, logger } = opts;
  const tooLarge = failure(
    null,
    new JsonRpcError(JsonRpcErrorCode.INVALID_REQUEST, `request body exceeds ${maxBodyBytes} bytes`),
  );
  return (req, res) => {
    const badType = guard.checkContentType(req);
    if (badType) {
      sendJson(res, badType.status, failure(null, invalidRequest(badType.message, badType.data)));
      return;
    }
    const refused = admission.refusal();
    if (refused) {
      sendJson(res, 503, failure(null, refused), { 'retry-after': '1' });
      return;
    }
    void (async () => {
      const body = await readBody(req, maxBodyBytes);
      if (body === BODY_ABORTED) return;
      if (body === BODY_TOO_LARGE) {
        sendJson(res, 413, tooLarge);
        return;
      }
      const reply = await rpc.serveText(body, opts.sessionOf?.(req) ?? HTTP_SESSION);
      if (res.destroyed) return;
      if (reply === undefined) {
        res.writeHead(204);
        res.end();
        return;
      }
      const bytes = Buffer.byteLength(reply, 'utf8');
      admission.trackHttp(res, bytes);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes) });
      res.end(reply);
    })().catch((e: unknown) => {
      logger.error({ err: e }, 'JSON-RPC over HTTP failed');
      if (!res.headersSent)
        sendJson(res, 500, failure(null, new JsonRpcError(JsonRpcErrorCode.INTERNAL_ERROR, 'internal error')));
      else res.destroy();
    });
  };
}
