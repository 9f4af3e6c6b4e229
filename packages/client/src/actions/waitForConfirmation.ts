/** Wait until a vote is finalized (or included), pushed by WebSocket heads, polling as a fallback. */
import type { ClientContext } from '../context.js';
import { AbortError, BaseError, DoubleVoteError, InvalidArgumentError, InvalidVoteError, NoHealthyValidatorError, TimeoutError } from '../errors.js';
import { isRetryable } from '../pool/failover.js';
import type { Subscription } from '../transport/ws.js';
import { linkedAbortController } from '../utils/signal.js';
import type { GetTransactionStatusReturnType } from './getTransactionStatus.js';
import { checkRef } from './readOptions.js';
import { batchedTransactionStatus } from './statusBatcher.js';

export interface WaitForConfirmationParameters {
  /** 'finalized' (default): irreversible. 'included': in a block that gathered a quorum of prevotes. */
  until?: 'finalized' | 'included';
  /** Give up with TimeoutError after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Polling interval while no WebSocket subscription is live (default 1 s). */
  pollIntervalMs?: number;
  /** Validator to subscribe to and ask first (e.g. the one that accepted the vote). */
  validator?: string;
}

export type WaitForConfirmationReturnType = GetTransactionStatusReturnType;

/** With a live subscription a slow poll still runs, in case the socket is silently dead. */
const SAFETY_POLL_FACTOR = 5;
const MIN_SAFETY_POLL_MS = 5000;

function rejection(s: GetTransactionStatusReturnType): BaseError {
  if (s.conflictsWith !== undefined || /double/i.test(s.reason ?? '')) {
    return new DoubleVoteError({ ...(s.hash ? { hash: s.hash } : {}), validator: s.validator, ...(s.conflictsWith ? { conflictsWith: s.conflictsWith } : {}) });
  }
  return new InvalidVoteError(s.reason ?? 'rejected by the validators', { ...(s.hash ? { hash: s.hash } : {}), validator: s.validator });
}

function positive(v: unknown, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(field, `must be a positive integer of milliseconds, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Resolve with the vote's status once it is finalized (or included, with `until: 'included'`).
 * Subscribes to finalizedHeads/newHeads on a validator's WebSocket and re-checks the status on
 * every push; while the socket is down it polls every `pollIntervalMs`. Concurrent waits share
 * one subscription per validator, and their checks go out as one JSON-RPC batch. Throws TimeoutError,
 * AbortError, or DoubleVoteError / InvalidVoteError when the vote is rejected.
 * @example
 * const { hash, validator } = await submitVote(client, vote);
 * const status = await waitForConfirmation(client, hash, { validator, timeoutMs: 30_000 });
 * console.log('finalized in block', status.blockNumber);
 */
export function waitForConfirmation(client: ClientContext, hash: string, options: WaitForConfirmationParameters = {}): Promise<WaitForConfirmationReturnType> {
  const ref = checkRef(hash);
  const until = options.until ?? 'finalized';
  if (until !== 'finalized' && until !== 'included') throw new InvalidArgumentError('until', `must be "finalized" or "included", got ${JSON.stringify(until)}`);
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', 60_000);
  const pollIntervalMs = positive(options.pollIntervalMs, 'pollIntervalMs', 1000);
  const safetyPollMs = Math.max(pollIntervalMs * SAFETY_POLL_FACTOR, MIN_SAFETY_POLL_MS);
  if (options.validator !== undefined && !client.pool.handle(options.validator)) {
    throw new InvalidArgumentError('validator', `${options.validator} is not one of the configured validators`);
  }
  const reached = (s: GetTransactionStatusReturnType): boolean => s.state === 'finalized' || (until === 'included' && s.state === 'included');

  return new Promise((resolve, reject) => {
    const { controller, dispose } = linkedAbortController(options.signal, client.pool.signal);
    let settled = false;
    let checking = false;
    let checkAgain = false;
    let subscribed = false;
    let last: GetTransactionStatusReturnType | undefined;
    let lastError: unknown;
    let pollTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let subscription: Subscription | undefined;

    const finish = (err: unknown, value?: GetTransactionStatusReturnType): void => {
      if (settled) return;
      settled = true;
      clearTimeout(pollTimer);
      clearTimeout(deadline);
      subscription?.unsubscribe();
      dispose();
      controller.signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve(value!);
    };

    const onAbort = (): void => finish(new AbortError('waitForConfirmation', controller.signal.reason));
    if (controller.signal.aborted) return onAbort();
    controller.signal.addEventListener('abort', onAbort, { once: true });

    deadline = setTimeout(() => {
      const seen = last ? `last status: ${last.state} (from ${last.validator})` : lastError instanceof Error ? `last error: ${lastError.message.split('\n')[0]}` : undefined;
      finish(new TimeoutError(`waiting for ${ref} to be ${until}`, timeoutMs, seen ? { details: seen } : {}));
    }, timeoutMs);

    const preferred = options.validator ?? client.pool.select()?.nodeId;

    const check = async (): Promise<void> => {
      if (settled) return;
      if (checking) {
        checkAgain = true;
        return;
      }
      checking = true;
      try {
        const s = await batchedTransactionStatus(client, ref, preferred);
        last = s;
        if (reached(s)) finish(undefined, s);
        else if (s.state === 'rejected') finish(rejection(s));
      } catch (err) {
        if (settled) return;
        lastError = err;
        // Validators being unreachable is what waiting rides out; anything else is final.
        if (!(err instanceof NoHealthyValidatorError) && !isRetryable(err)) finish(err);
      } finally {
        checking = false;
        if (checkAgain && !settled) {
          checkAgain = false;
          void check();
        }
      }
    };

    const schedulePoll = (): void => {
      clearTimeout(pollTimer);
      if (settled) return;
      pollTimer = setTimeout(() => {
        void check().finally(schedulePoll);
      }, subscribed ? safetyPollMs : pollIntervalMs);
    };

    const handle = preferred === undefined ? undefined : client.pool.handle(preferred);
    if (handle) {
      // Without a socket the wait is plain polling; subscribe() only throws once the client is closed.
      try {
        subscription = client.webSockets.get(handle.nodeId, handle.rpcUrl).subscribe([until === 'finalized' ? 'finalizedHeads' : 'newHeads'], {
          onData: () => void check(),
          onSubscribed: () => {
            subscribed = true;
            schedulePoll();
            // Closes the gap between the first check and the subscription taking effect.
            void check();
          },
          onLost: () => {
            subscribed = false;
            schedulePoll();
            void check();
          },
        });
      } catch {
        subscription = undefined;
      }
    }
    void check();
    schedulePoll();
  });
}
