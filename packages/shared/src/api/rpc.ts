/**
 * The JSON-RPC 2.0 envelope and this chain's error codes, each with the shape of its `data`.
 * The validator answers with these; the client and the test servers parse and build them.
 */
import { z } from 'zod';

/** A request id: echoed back with its type. */
export const jsonRpcIdSchema = z.union([z.string(), z.number(), z.null()]);
export type JsonRpcId = z.infer<typeof jsonRpcIdSchema>;

/** Error codes on the wire: the spec's reserved codes, then this server's (-32000..-32099, EIP-1474 where it has one). */
export enum JsonRpcErrorCode {
  PARSE_ERROR = -32700,
  INVALID_REQUEST = -32600,
  METHOD_NOT_FOUND = -32601,
  INVALID_PARAMS = -32602,
  INTERNAL_ERROR = -32603,
  /** A write without valid credentials. */
  UNAUTHORIZED = -32001,
  /** The node cannot serve the call right now (shutting down, recovering): try another node. */
  UNAVAILABLE = -32002,
  /** A request, connection or node limit was reached; `data` names it. */
  LIMIT_EXCEEDED = -32005,
  /** The voter already has a different vote in this election. */
  DOUBLE_VOTE = -32010,
  /** The transaction pool is full: retry later or on another node. */
  POOL_FULL = -32011,
  /** Taken but not confirmed on a quorum of validators in time: resubmit the identical vote anywhere. */
  NOT_REPLICATED = -32012,
}

const hash = z.string().regex(/^0x[0-9a-f]{64}$/, 'must be a 0x-prefixed 32-byte hex hash');

/** `data` of each error code (all optional on the wire: a server may omit `data`). */
export const errorDataSchemas = {
  /** -32602: the bad parameter, or a transaction rule (`code` TX_*, SUBMISSION_ID_TAKEN). */
  [JsonRpcErrorCode.INVALID_PARAMS]: z.looseObject({
    param: z.string().optional(),
    code: z.string().optional(),
    hash: hash.optional(),
  }),
  /** -32600: what is wrong with the request; `limit` when a limit was hit. */
  [JsonRpcErrorCode.INVALID_REQUEST]: z.looseObject({ limit: z.string().optional(), value: z.number().optional() }),
  [JsonRpcErrorCode.METHOD_NOT_FOUND]: z.looseObject({}),
  [JsonRpcErrorCode.INTERNAL_ERROR]: z.looseObject({}),
  [JsonRpcErrorCode.PARSE_ERROR]: z.looseObject({}),
  /** -32001: `code` says why (no token, unknown or revoked token). */
  [JsonRpcErrorCode.UNAUTHORIZED]: z.looseObject({ code: z.string().optional() }),
  /** -32002: `code` UNAVAILABLE (shutting down) or RECOVERING (reading its peers' pools). */
  [JsonRpcErrorCode.UNAVAILABLE]: z.looseObject({
    code: z.enum(['UNAVAILABLE', 'RECOVERING']).optional(),
    hash: hash.optional(),
  }),
  /** -32005: the limit's name and value, so a client can adapt. */
  [JsonRpcErrorCode.LIMIT_EXCEEDED]: z.looseObject({ limit: z.string(), value: z.number() }),
  /** -32010: the earlier vote this one conflicts with. */
  [JsonRpcErrorCode.DOUBLE_VOTE]: z.looseObject({
    code: z.literal('TX_DOUBLE_VOTE'),
    hash: hash.optional(),
    conflictsWith: hash.optional(),
  }),
  [JsonRpcErrorCode.POOL_FULL]: z.looseObject({ code: z.literal('POOL_FULL'), hash: hash.optional() }),
  /** -32012: how many validators hold the vote and how many a quorum needs. */
  [JsonRpcErrorCode.NOT_REPLICATED]: z.looseObject({
    code: z.literal('TX_NOT_REPLICATED'),
    hash,
    holders: z.number().int().nonnegative(),
    needed: z.number().int().positive(),
  }),
} as const satisfies Record<JsonRpcErrorCode, z.ZodType>;

/** The `data` of an error with code C. */
export type ErrorData<C extends JsonRpcErrorCode> = z.infer<(typeof errorDataSchemas)[C]>;

/** The `error` member of a JSON-RPC response. */
export const jsonRpcErrorObjectSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type JsonRpcErrorObject = z.infer<typeof jsonRpcErrorObjectSchema>;

export const jsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: jsonRpcIdSchema.optional(),
  method: z.string(),
  params: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
});
export type JsonRpcRequest = z.infer<typeof jsonRpcRequestSchema>;

export const jsonRpcSuccessSchema = z.object({ jsonrpc: z.literal('2.0'), id: jsonRpcIdSchema, result: z.unknown() });
export const jsonRpcFailureSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: jsonRpcIdSchema,
  error: jsonRpcErrorObjectSchema,
});
export const jsonRpcResponseSchema = z.union([jsonRpcSuccessSchema, jsonRpcFailureSchema]);
export type JsonRpcSuccess = z.infer<typeof jsonRpcSuccessSchema>;
export type JsonRpcFailure = z.infer<typeof jsonRpcFailureSchema>;
export type JsonRpcResponse = z.infer<typeof jsonRpcResponseSchema>;

/** The typed `data` of an error object, when it matches its code's schema. */
export function errorData<C extends JsonRpcErrorCode>(code: C, data: unknown): ErrorData<C> | undefined {
  const parsed = errorDataSchemas[code].safeParse(data);
  return parsed.success ? (parsed.data as ErrorData<C>) : undefined;
}
