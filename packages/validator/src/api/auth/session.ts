/**
 * What write access needs to know about the transport a call came on: the Authorization header
 * and the client's address (of the HTTP request, or of a WebSocket's upgrade request). It is
 * attached to the call's RpcSession in a WeakMap, without widening that type for every method.
 */
import type { IncomingMessage } from 'node:http';
import type { JsonRpcServer } from '../jsonrpc/server.js';
import type { RpcSession } from '../jsonrpc/types.js';

/** The client a session belongs to. */
export interface SessionClient {
  /** The raw Authorization header, if any. */
  authorization?: string;
  /** The remote IP address of the connection. */
  address?: string;
}

const clients = new WeakMap<RpcSession, SessionClient>();

/** The client of a request (an HTTP request, or a WebSocket's upgrade request). */
export function clientOfRequest(req: IncomingMessage): SessionClient {
  const authorization = req.headers.authorization;
  const address = req.socket.remoteAddress;
  return { ...(authorization !== undefined ? { authorization } : {}), ...(address !== undefined ? { address } : {}) };
}

/** Attach a client to a session. */
export function attachClient(session: RpcSession, client: SessionClient): RpcSession {
  clients.set(session, client);
  return session;
}

/** A fresh HTTP session for one request. */
export function httpSession(req: IncomingMessage): RpcSession {
  return attachClient({ transport: 'http' }, clientOfRequest(req));
}

/** The client of a session; empty for sessions without one (in-process calls). */
export function clientOf(session: RpcSession): SessionClient {
  return clients.get(session) ?? {};
}

const DISPATCH = new Set<PropertyKey>(['serveText', 'serve', 'handleText', 'handle']);

/**
 * A view of `rpc` whose dispatches carry `client` in their sessions: what one WebSocket
 * connection gets, so its calls run as the client of its upgrade request. Everything else is the
 * server itself.
 */
export function withClient(rpc: JsonRpcServer, client: SessionClient): JsonRpcServer {
  return new Proxy(rpc, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (!DISPATCH.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return (message: unknown, session: RpcSession) =>
        (value as (m: unknown, s: RpcSession) => unknown).call(target, message, attachClient(session, client));
    },
  });
}
