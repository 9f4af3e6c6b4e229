/**
 * Waiting inside an operation. These timers are ref'd on purpose: a caller awaiting a retry must
 * not see the process exit under it. Only background timers (the pool monitor, WebSocket
 * reconnects and pings) are unref'd.
 */
import { AbortError } from '../errors.js';

/** Wait `ms` milliseconds; rejects with AbortError (and clears the timer) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, operation = 'wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(operation, signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError(operation, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with equal jitter: between half and all of base * 2^(retry-1), capped. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number): number {
  const full = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return full / 2 + Math.random() * (full / 2);
}
