/**
 * JSON-RPC 2.0 errors. The wire codes are numbers (the spec fixes them), so the enum is numeric;
 * the machine-readable reason travels as a string in `data.code`. Server codes follow EIP-1474
 * where it has one; -32010/-32011 are this chain's.
 */

import { JsonRpcErrorCode, type JsonRpcErrorObject } from '@poa-vote/shared';

/** Error codes and the error object are the shared wire contract's (packages/shared/src/api/rpc.ts). */
export { JsonRpcErrorCode, type JsonRpcErrorObject };

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
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
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
