/** JSON-RPC 2.0 message shapes and the contract between the dispatcher and its methods. */
import type { z } from 'zod';
import type { JsonRpcId, JsonRpcResponse } from '@poa-vote/shared';
import type { JsonRpcError } from './errors.js';

/** The envelope is the shared wire contract's (packages/shared/src/api/rpc.ts). */
export type { JsonRpcFailure, JsonRpcId, JsonRpcResponse, JsonRpcSuccess } from '@poa-vote/shared';

/** What a dispatch produces: one response, a batch of them, or nothing to send (notifications). */
export type JsonRpcReply = JsonRpcResponse | JsonRpcResponse[] | undefined;

/** A server-push channel a transport may offer (WebSocket), used by eth_subscribe. */
export interface PushChannel {
  /** Start a subscription to a topic; returns its id. */
  subscribe(topic: string): string;
  /** End a subscription; false when the id is not one of this connection's. */
  unsubscribe(id: string): boolean;
}

/** The transport-level state a call runs in: one per HTTP request or WebSocket connection. */
export interface RpcSession {
  transport: 'http' | 'ws';
  push?: PushChannel;
  /**
   * Reply bytes the session already holds (a WebSocket's unsent data and its other requests'
   * answers): they count against the reply budget, so that concurrent requests on one
   * connection cannot each build a full budget's worth.
   */
  heldReplyBytes?(): number;
  /** Told the bytes of each answer counted against the budget. */
  onReplyBytes?(bytes: number): void;
}

/** What a method sees of its call besides params. */
export interface CallContext {
  /** The request id; undefined for a notification. */
  id: JsonRpcId | undefined;
  session: RpcSession;
}

/** One call's outcome when a method answers several calls at once. */
export type CallOutcome = { result: unknown } | { error: JsonRpcError };

/**
 * A method: positional parameter names (for error messages and by-name params), a zod schema of
 * the positional params, and either `call` (one call at a time) or `callMany` (all calls of a
 * batch in one go, e.g. one backend round trip for every eth_sendTransaction of a batch).
 */
export interface RpcMethod<P = unknown> {
  paramNames: readonly string[];
  params: z.ZodType<P>;
  /** One line for the API description (rpc.discover, GET /openrpc.json). */
  summary?: string;
  /** The answer's shape: the API description's `result` (tests check real answers against it). */
  result?: z.ZodType;
  call?(params: P, ctx: CallContext): unknown;
  callMany?(calls: readonly { params: P; ctx: CallContext }[]): Promise<CallOutcome[]>;
}

/** Define a method with its params type inferred from the schema. */
export function defineMethod<S extends z.ZodType>(spec: {
  paramNames: readonly string[];
  params: S;
  summary?: string;
  result?: z.ZodType;
  call?(params: z.output<S>, ctx: CallContext): unknown;
  callMany?(calls: readonly { params: z.output<S>; ctx: CallContext }[]): Promise<CallOutcome[]>;
}): RpcMethod<z.output<S>> {
  if (!spec.call === !spec.callMany) throw new TypeError('a JSON-RPC method needs exactly one of call or callMany');
  return spec as RpcMethod<z.output<S>>;
}
