/**
 * JSON-RPC 2.0 errors. The wire codes are numbers (the spec fixes them), so the enum is numeric;
 * the machine-readable reason travels as a string in `data.code`. Server codes follow EIP-1474
 * where it has one; -32010/-32011 are this chain's.
 */

/** Error codes on the wire: the spec's reserved codes, then this server's (-32000..-32099). */
export enum JsonRpcErrorCode {
  PARSE_ERROR = -32700,
  INVALID_REQUEST = -32600,
  METHOD_NOT_FOUND = -32601,
  INVALID_PARAMS = -32602,
  INTERNAL_ERROR = -32603,
  /** The node cannot serve the call right now (shutting down): try another node (EIP-1474 "resource unavailable"). */
  UNAVAILABLE = -32002,
  /** A request, connection or node limit was reached (EIP-1474 "limit exceeded"); `data` names it. */
  LIMIT_EXCEEDED = -32005,
  /** The voter already has a different vote in this election. */
  DOUBLE_VOTE = -32010,
  /** The transaction pool is full: retry later or on another node. */
  POOL_FULL = -32011,
  /** Taken but not confirmed on a quorum of validators in time: resubmit the identical vote anywhere. */
  NOT_REPLICATED = -32012,
}

/** The `error` member of a JSON-RPC response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error a method handler throws to answer with a specific JSON-RPC error. */
export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  constructor(
    readonly code: JsonRpcErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  /** The wire form of this error. */
  toObject(): JsonRpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

/** -32602 with a message naming the bad parameter. */
export function invalidParams(message: string, data?: unknown): JsonRpcError {
  return new JsonRpcError(JsonRpcErrorCode.INVALID_PARAMS, message, data);
}

/** -32600 with a message saying what is wrong with the request object. */
export function invalidRequest(message: string, data?: unknown): JsonRpcError {
  return new JsonRpcError(JsonRpcErrorCode.INVALID_REQUEST, message, data);
}

/** Names of the limits a -32005 or -32600 error can report in `data.limit`. */
export type LimitName =
  | 'maxBatchItems'
  | 'maxResponseBytes'
  | 'maxIdBytes'
  | 'maxJsonDepth'
  | 'maxPendingResponseBytes'
  | 'heapLimitPercent'
  | 'httpMaxPipelined'
  | 'wsMaxInFlight'
  | 'wsMaxConnections'
  | 'wsMaxConnectionsPerIp';

/** -32005 "limit exceeded", with the limit and its value in `data` so a client can adapt. */
export function limitExceeded(message: string, limit: LimitName, value: number): JsonRpcError {
  return new JsonRpcError(JsonRpcErrorCode.LIMIT_EXCEEDED, `limit exceeded: ${message}`, { limit, value });
}
