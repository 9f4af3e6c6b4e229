/** Typed errors for a validator's answer to eth_sendTransaction. */
import {
  DoubleVoteError,
  InvalidVoteError,
  NotReplicatedError,
  RpcError,
  RpcErrorCode,
  RpcErrorDataCode,
} from '../errors.js';

function count(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (Array.isArray(v)) return v.length;
  return undefined;
}

/**
 * Map a definitive RPC answer to DoubleVoteError or InvalidVoteError, and -32012 to
 * NotReplicatedError (retryable); other errors pass through.
 */
export function toSubmitError(err: unknown, hash: string, validator: string): unknown {
  if (!(err instanceof RpcError)) return err;
  if (err.code === RpcErrorCode.DoubleVote || err.dataCode === RpcErrorDataCode.TX_DOUBLE_VOTE) {
    const data = err.data as { conflictsWith?: unknown } | undefined;
    const conflictsWith = typeof data?.conflictsWith === 'string' ? data.conflictsWith : undefined;
    return new DoubleVoteError({ hash, validator, cause: err, ...(conflictsWith ? { conflictsWith } : {}) });
  }
  if (
    err.code === RpcErrorCode.InvalidParams ||
    err.dataCode === RpcErrorDataCode.TX_INVALID ||
    err.dataCode === RpcErrorDataCode.TX_TOO_LARGE
  ) {
    return new InvalidVoteError(err.details, { hash, validator, cause: err });
  }
  if (err.code === RpcErrorCode.NotReplicated || err.dataCode === RpcErrorDataCode.TX_NOT_REPLICATED) {
    const data = err.data as { holders?: unknown; needed?: unknown } | undefined;
    const holders = count(data?.holders);
    const needed = count(data?.needed);
    return new NotReplicatedError({
      hash,
      validator,
      cause: err,
      ...(holders !== undefined ? { holders } : {}),
      ...(needed !== undefined ? { needed } : {}),
    });
  }
  return err;
}

/** A double vote that conflicts with this very vote means it is already recorded: success. */
export function isOwnVote(err: unknown, hash: string): boolean {
  return err instanceof DoubleVoteError && err.conflictsWith !== undefined && err.conflictsWith.toLowerCase() === hash;
}
