/**
 * The JSON-RPC errors of write access: a missing or invalid credential, a spent rate budget, a
 * submission id bound to another vote. Codes follow EIP-1474 where it has one (-32005 "limit
 * exceeded"); -32001 "unauthorized" is this server's. Every error travels with HTTP 200, like the
 * other JSON-RPC errors, so that a batch mixing reads and writes gets one answer per call.
 */
import type { Hex } from '@poa-vote/shared';
import { JsonRpcError, JsonRpcErrorCode, invalidParams } from '../jsonrpc/errors.js';

/** -32001: a write without a valid credential (the `data.code` says which problem). */
export const UNAUTHORIZED_CODE = -32001;

/** Why a write was refused, as `data.code` of the error. */
export enum WriteErrorCode {
  /** No `Authorization: Bearer` credential, and this node does not take open writes. */
  CREDENTIAL_MISSING = 'CREDENTIAL_MISSING',
  /** An Authorization header that is not `Bearer <token>`. */
  CREDENTIAL_MALFORMED = 'CREDENTIAL_MALFORMED',
  /** A bearer token this node does not know (never issued, or revoked). */
  CREDENTIAL_INVALID = 'CREDENTIAL_INVALID',
  /** The write budget of the credential or address is spent. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The submission id is bound to another vote (or another credential). */
  SUBMISSION_ID_TAKEN = 'SUBMISSION_ID_TAKEN',
  /** The submission id cannot be stored faithfully (empty, too long, lone surrogates). */
  SUBMISSION_ID_INVALID = 'SUBMISSION_ID_INVALID',
}

/** -32001 naming what is wrong with the credential. */
export function unauthorized(
  code: WriteErrorCode.CREDENTIAL_MISSING | WriteErrorCode.CREDENTIAL_MALFORMED | WriteErrorCode.CREDENTIAL_INVALID,
): JsonRpcError {
  const message =
    code === WriteErrorCode.CREDENTIAL_MISSING
      ? 'unauthorized: eth_sendTransaction needs a credential on this node: send the header "Authorization: Bearer <api token>"'
      : code === WriteErrorCode.CREDENTIAL_MALFORMED
        ? 'unauthorized: the Authorization header must be "Bearer <api token>"'
        : 'unauthorized: the bearer token is not valid on this node (unknown or revoked)';
  return new JsonRpcError(UNAUTHORIZED_CODE as JsonRpcErrorCode, message, { code });
}

/** -32005 with `data: {limit: 'writeRate', retryAfterMs}`. */
export function writeRateExceeded(
  scope: 'credential' | 'address',
  who: string,
  rate: number,
  burst: number,
  retryAfterMs: number,
): JsonRpcError {
  return new JsonRpcError(
    JsonRpcErrorCode.LIMIT_EXCEEDED,
    `limit exceeded: the write rate of ${scope} ${who} is ${rate} votes/s (burst ${burst}); retry in ${retryAfterMs} ms`,
    { code: WriteErrorCode.RATE_LIMITED, limit: 'writeRate', scope, retryAfterMs },
  );
}

/** -32602: the id is bound to another vote, or to the same vote sent with another credential. */
export function submissionIdTaken(id: string, boundTo: Hex, hash: Hex, byOtherCredential = false): JsonRpcError {
  const message = byOtherCredential
    ? `submission id ${JSON.stringify(id)} is bound to transaction ${boundTo}, submitted with another credential; use a fresh id`
    : `submission id ${JSON.stringify(id)} is already bound to transaction ${boundTo}; this vote (${hash}) needs a fresh id`;
  return invalidParams(message, { code: WriteErrorCode.SUBMISSION_ID_TAKEN, id, boundTo, hash });
}

/** -32602: the request id cannot serve as a submission id. */
export function submissionIdInvalid(reason: string): JsonRpcError {
  return invalidParams(`invalid request id: it is the vote's submission id and ${reason}`, {
    code: WriteErrorCode.SUBMISSION_ID_INVALID,
  });
}
