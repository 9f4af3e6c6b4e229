/**
 * POST /rpc and POST /: JSON-RPC over HTTP on node:http directly (express's body parsing costs
 * ~6x in throughput here). The body is parsed once, whatever its content type. JSON-RPC errors
 * go out with HTTP 200 (ethers throws on non-2xx before reading the body); a reply-less call or
 * batch (notifications only) gets 204 without a body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiLogger } from '../logger.js';
import { JsonRpcError, JsonRpcErrorCode } from '../jsonrpc/errors.js';
import { type JsonRpcServer, failure } from '../jsonrpc/server.js';
import type { RpcSession } from '../jsonrpc/types.js';
import { BODY_ABORTED, BODY_TOO_LARGE, readBody } from './body.js';
import { sendJson } from './respond.js';

const HTTP_SESSION: RpcSession = { transport: 'http' };

/** The request handler of the JSON-RPC endpoint. */
export function createRpcHandler(rpc: JsonRpcServer, maxBodyBytes: number, logger: ApiLogger): (req: IncomingMessage, res: ServerResponse) => void {
  const tooLarge = failure(null, new JsonRpcError(JsonRpcErrorCode.INVALID_REQUEST, `request body exceeds ${maxBodyBytes} bytes`));
  return (req, res) => {
    void (async () => {
      const body = await readBody(req, maxBodyBytes);
      if (body === BODY_ABORTED) return;
      if (body === BODY_TOO_LARGE) {
        sendJson(res, 413, tooLarge);
        return;
      }
      const reply = await rpc.handleText(body, HTTP_SESSION);
      if (reply === undefined) {
        res.writeHead(204);
        res.end();
        return;
      }
      sendJson(res, 200, reply);
    })().catch((e: unknown) => {
      logger.error({ err: e }, 'JSON-RPC over HTTP failed');
      if (!res.headersSent) sendJson(res, 500, failure(null, new JsonRpcError(JsonRpcErrorCode.INTERNAL_ERROR, 'internal error')));
      else res.destroy();
    });
  };
}
