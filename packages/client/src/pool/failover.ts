/**
 * Failover: run one logical request on a validator, and on a failure that another validator
 * might answer differently, back off exponentially and run it on the next one. Answers no other
 * validator would change (a double vote, invalid params, a caller's abort) stop at once.
 */
import { performance } from 'node:perf_hooks';
import {
  AbortError,
  BaseError,
  DoubleVoteError,
  type FailedAttempt,
  HttpRequestError,
  InvalidResponseError,
  InvalidVoteError,
  NoHealthyValidatorError,
  NotReplicatedError,
  RpcError,
  RpcErrorCode,
  TimeoutError,
} from '../errors.js';
import { backoffDelay, sleep } from '../utils/sleep.js';
import type { ValidatorHandle, ValidatorPool } from './validatorPool.js';

export interface RetryOptions {
  /** Total tries of one request, across validators. */
  attempts: number;
  /** Delay before the first retry; doubles each retry (with jitter). */
  baseDelayMs: number;
  /** Longest delay between tries. */
  maxDelayMs: number;
}

export const defaultRetryOptions: RetryOptions = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2000 };

const DEFINITIVE_RPC_CODES: ReadonlySet<number> = new Set([
  RpcErrorCode.ParseError,
  RpcErrorCode.InvalidRequest,
  RpcErrorCode.InvalidParams,
  RpcErrorCode.DoubleVote,
]);

/**
 * True when another validator (or the same one later) might answer differently: network errors,
 * timeouts, HTTP 5xx/429/408/404, JSON-RPC internal/server errors (POOL_FULL, -32002 UNAVAILABLE
 * and RECOVERING, -32012 TX_NOT_REPLICATED included), malformed answers. False for definitive answers and aborts.
 * @example
 * isRetryable(new HttpRequestError({ url, status: 503 })) // true
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof AbortError || err instanceof DoubleVoteError || err instanceof InvalidVoteError) return false;
  if (err instanceof TimeoutError || err instanceof InvalidResponseError || err instanceof NotReplicatedError)
    return true;
  if (err instanceof HttpRequestError)
    return (
      err.status === undefined || err.status >= 500 || err.status === 429 || err.status === 408 || err.status === 404
    );
  if (err instanceof RpcError) return !DEFINITIVE_RPC_CODES.has(err.code);
  return false;
}

export interface FailoverOptions {
  retry: RetryOptions;
  signal?: AbortSignal;
  /** Try this validator first (pinning a logical operation to the node that knows it). */
  prefer?: string;
  /** Override the retry classification (e.g. to turn RPC errors into typed errors first). */
  retryable?: (err: unknown) => boolean;
}

export interface FailoverResult<T> {
  value: T;
  validator: ValidatorHandle;
  /** Tries that failed before this one. */
  failures: FailedAttempt[];
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new BaseError(String(e));
}

/**
 * Run `fn` on validators until it succeeds, a definitive error occurs, or attempts run out
 * (NoHealthyValidatorError listing each failed try, its cause the last error).
 * @example
 * const { value } = await withFailover(pool, 'eth_blockNumber', (v) => v.transport.request('eth_blockNumber'), { retry: defaultRetryOptions });
 */
export async function withFailover<T>(
  pool: ValidatorPool,
  operation: string,
  fn: (validator: ValidatorHandle, signal: AbortSignal | undefined) => Promise<T>,
  options: FailoverOptions,
): Promise<FailoverResult<T>> {
  const retryable = options.retryable ?? isRetryable;
  const failures: FailedAttempt[] = [];
  const tried = new Set<string>();
  const pick = (attempt: number): ValidatorHandle | undefined => {
    if (attempt === 0 && options.prefer !== undefined) {
      const preferred = pool.handle(options.prefer);
      if (preferred && pool.status(preferred.nodeId)?.healthy) return preferred;
    }
    let v = pool.select(tried) ?? pool.lastResort(tried);
    if (!v) {
      // Every validator failed once in this operation: start a new round.
      tried.clear();
      v = pool.select() ?? pool.lastResort();
    }
    return v;
  };
  for (let attempt = 0; attempt < Math.max(1, options.retry.attempts); attempt++) {
    if (options.signal?.aborted) throw new AbortError(operation, options.signal.reason);
    if (pool.closed) throw new AbortError(operation, 'the client was closed');
    if (attempt > 0)
      await sleep(
        backoffDelay(attempt, options.retry.baseDelayMs, options.retry.maxDelayMs),
        options.signal,
        operation,
      );
    const v = pick(attempt);
    if (!v) break;
    const t0 = performance.now();
    try {
      const value = await fn(v, options.signal);
      pool.reportSuccess(v.nodeId, performance.now() - t0);
      return { value, validator: v, failures };
    } catch (err) {
      if (!retryable(err)) {
        // The validator answered; only its answer was negative.
        if (!(err instanceof AbortError)) pool.reportSuccess(v.nodeId, performance.now() - t0);
        throw err;
      }
      pool.reportFailure(v.nodeId, err);
      failures.push({ validator: v.nodeId, error: asError(err) });
      tried.add(v.nodeId);
    }
  }
  throw new NoHealthyValidatorError(failures, {
    operation,
    validators: pool.validators.map((s) => ({
      nodeId: s.nodeId,
      healthy: s.healthy,
      ...(s.lastError ? { lastError: s.lastError } : {}),
    })),
  });
}
