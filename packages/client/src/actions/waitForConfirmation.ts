/** Wait until a vote is finalized (or included), pushed by WebSocket heads, polling as a fallback; re-send it if it is stranded. */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { must, type Hex, type Transaction } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import {
  AbortError,
  BaseError,
  DoubleVoteError,
  InvalidArgumentError,
  InvalidVoteError,
  NoHealthyValidatorError,
  TimeoutError,
} from '../errors.js';
import { isRetryable } from '../pool/failover.js';
import type { Subscription } from '../transport/ws.js';
import { linkedAbortController } from '../utils/signal.js';
import { voteTransaction, type VoteInput } from '../utils/voteTransaction.js';
import type { GetTransactionStatusReturnType } from './getTransactionStatus.js';
import { checkRef } from './readOptions.js';
import { sendVote } from './sendVote.js';
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
  /**
   * The vote itself, as submitted. With it the wait can re-send the identical vote (same hash;
   * same submission id when `transactionId` is set) to another validator when the one that took
   * it is unreachable and another does not know it, or when the validators answering report it
   * `unknown` for `resendAfterMs`. Without it nothing is re-sent.
   */
  vote?: VoteInput;
  /** Re-send after the vote has been reported `unknown` this long (default 5 s). */
  resendAfterMs?: number;
  /** Most re-sends in one wait (default 3); 0 never re-sends. */
  maxResends?: number;
}

export type WaitForConfirmationReturnType = GetTransactionStatusReturnType & {
  /** Times the vote was re-sent during the wait. */
  resends: number;
  /** The validator that acknowledged the last re-send, when there was one. */
  acknowledgedBy?: string;
};

/** With a live subscription a slow poll still runs, in case the socket is silently dead. */
const SAFETY_POLL_FACTOR = 5;
const MIN_SAFETY_POLL_MS = 5000;

function rejection(s: GetTransactionStatusReturnType): BaseError {
  if (s.conflictsWith !== undefined || /double/i.test(s.reason ?? '')) {
    return new DoubleVoteError({
      ...(s.hash ? { hash: s.hash } : {}),
      validator: s.validator,
      ...(s.conflictsWith ? { conflictsWith: s.conflictsWith } : {}),
    });
  }
  return new InvalidVoteError(s.reason ?? 'rejected by the validators', {
    ...(s.hash ? { hash: s.hash } : {}),
    validator: s.validator,
  });
}

function positive(v: unknown, field: string, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidArgumentError(
      field,
      `must be ${min === 0 ? 'a non-negative' : 'a positive'} integer${field === 'maxResends' ? '' : ' of milliseconds'}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

interface Resendable {
  tx: Transaction;
  hash: Hex;
  submissionId: string;
}

/** The vote to re-send, checked against the reference waited on. */
function resendable(ref: string, vote: VoteInput | undefined, client: ClientContext): Resendable | undefined {
  if (vote === undefined) return undefined;
  const { tx, hash } = voteTransaction(vote, client.genesis?.limits.maxTxBytes);
  if (ref.toLowerCase() !== hash && ref !== vote.transactionId) {
    throw new InvalidArgumentError(
      'vote',
      `its hash is ${hash}, not ${ref} (and its transactionId is not ${ref} either)`,
    );
  }
  return { tx, hash, submissionId: vote.transactionId ?? randomUUID() };
}

/**
 * Resolve with the vote's status once it is finalized (or included, with `until: 'included'`).
 * Subscribes to finalizedHeads/candidateHeads on a validator's WebSocket and re-checks the status on
 * every push; while the socket is down it polls every `pollIntervalMs`. Concurrent waits share
 * one subscription per validator, and their checks go out as one JSON-RPC batch.
 *
 * Given the vote (as `hashOrVote` or `options.vote`), it never strands it: when the validator
 * that took it is unreachable and the one answering reports it `unknown`, or when it has been
 * reported `unknown` for `resendAfterMs`, the identical vote is re-sent (at most `maxResends`
 * times), which is safe because its hash is derived from its content. Throws TimeoutError,
 * AbortError, or DoubleVoteError / InvalidVoteError when the vote is rejected.
 * @example
 * const { hash, validator } = await submitVote(client, vote);
 * const status = await waitForConfirmation(client, hash, { validator, vote, timeoutMs: 30_000 });
 * console.log('finalized in block', status.blockNumber);
 */
export function waitForConfirmation(
  client: ClientContext,
  hashOrVote: string | VoteInput,
  options: WaitForConfirmationParameters = {},
): Promise<WaitForConfirmationReturnType> {
  const voteArg = typeof hashOrVote === 'object' && hashOrVote !== null ? hashOrVote : undefined;
  if (voteArg && options.vote !== undefined)
    throw new InvalidArgumentError('vote', 'give the vote either as the first argument or as options.vote, not both');
  const vote = voteArg ?? options.vote;
  const given = voteArg ? voteTransaction(voteArg, client.genesis?.limits.maxTxBytes).hash : checkRef(hashOrVote);
  const resend = resendable(given, vote, client);
  // Every validator knows a vote by its hash; a submission id only on the validator that took it.
  const ref = resend?.hash ?? given;
  const until = options.until ?? 'finalized';
  if (until !== 'finalized' && until !== 'included')
    throw new InvalidArgumentError('until', `must be "finalized" or "included", got ${JSON.stringify(until)}`);
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', 60_000);
  const pollIntervalMs = positive(options.pollIntervalMs, 'pollIntervalMs', 1000);
  const resendAfterMs = positive(options.resendAfterMs, 'resendAfterMs', 5000);
  const maxResends = positive(options.maxResends, 'maxResends', 3, 0);
  const safetyPollMs = Math.max(pollIntervalMs * SAFETY_POLL_FACTOR, MIN_SAFETY_POLL_MS);
  if (options.validator !== undefined && !client.pool.handle(options.validator)) {
    throw new InvalidArgumentError('validator', `${options.validator} is not one of the configured validators`);
  }
  const reached = (s: GetTransactionStatusReturnType): boolean =>
    s.state === 'finalized' || (until === 'included' && s.state === 'included');

  return new Promise((resolve, reject) => {
    const { controller, dispose } = linkedAbortController(options.signal, client.pool.signal);
    let settled = false;
    let checking = false;
    let checkAgain = false;
    let subscribed = false;
    let last: GetTransactionStatusReturnType | undefined;
    let lastError: unknown;
    let pollTimer: NodeJS.Timeout | undefined;
    let resendTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let subscription: Subscription | undefined;
    let subscribedTo: string | undefined;
    /** The validator known to hold the vote (it acknowledged it). */
    let holder = options.validator;
    /** Since when the validators answering have reported the vote unknown (monotonic ms). */
    let unknownSince: number | undefined;
    let resends = 0;
    let resending = false;
    let acknowledgedBy: string | undefined;

    const finish = (err: unknown, value?: GetTransactionStatusReturnType): void => {
      if (settled) return;
      settled = true;
      clearTimeout(pollTimer);
      clearTimeout(resendTimer);
      clearTimeout(deadline);
      subscription?.unsubscribe();
      dispose();
      controller.signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve({ ...must(value, 'confirmed status'), resends, ...(acknowledgedBy ? { acknowledgedBy } : {}) });
    };

    const onAbort = (): void => finish(new AbortError('waitForConfirmation', controller.signal.reason));
    if (controller.signal.aborted) return onAbort();
    controller.signal.addEventListener('abort', onAbort, { once: true });

    deadline = setTimeout(() => {
      const seen = last
        ? `last status: ${last.state} (from ${last.validator})`
        : lastError instanceof Error
          ? `last error: ${lastError.message.split('\n')[0]}`
          : undefined;
      const resent = resend ? `; re-sent ${resends} of at most ${maxResends} times` : '';
      finish(
        new TimeoutError(
          `waiting for ${ref} to be ${until}`,
          timeoutMs,
          seen || resent ? { details: `${seen ?? 'no status'}${resent}` } : {},
        ),
      );
    }, timeoutMs);

    let preferred = options.validator ?? client.pool.select()?.nodeId;

    const reSend = async (prefer: string): Promise<void> => {
      if (!resend || resending || settled || resends >= maxResends) return;
      resending = true;
      resends++;
      try {
        const by = await sendVote(client, resend.tx, resend.hash, resend.submissionId, {
          signal: controller.signal,
          prefer,
        });
        if (settled) return;
        holder = preferred = acknowledgedBy = by;
        unknownSince = undefined;
        if (subscribedTo !== undefined && subscribedTo !== by && client.pool.status(subscribedTo)?.healthy === false)
          subscribe(by);
      } catch (err) {
        if (settled) return;
        lastError = err;
        // Another vote of this voter won, or the vote is invalid: waiting cannot change that.
        if (err instanceof DoubleVoteError || err instanceof InvalidVoteError) return finish(err);
        // Nobody took it this time: the next re-send waits another resendAfterMs.
        unknownSince = performance.now();
      } finally {
        resending = false;
      }
      void check();
    };

    /** Decide from a status whether the vote is stranded and must be sent again. */
    const consider = (s: GetTransactionStatusReturnType): void => {
      if (!resend || settled) return;
      if (s.state !== 'unknown') {
        unknownSince = undefined;
        return;
      }
      const now = performance.now();
      unknownSince ??= now;
      const holderDown =
        holder !== undefined && holder !== s.validator && client.pool.status(holder)?.healthy === false;
      if (holderDown || now - unknownSince >= resendAfterMs) {
        void reSend(s.validator);
      } else if (resends < maxResends) {
        // Pushes and polls may be rarer than the bound: look again when it is reached.
        clearTimeout(resendTimer);
        resendTimer = setTimeout(() => void check(), Math.ceil(unknownSince + resendAfterMs - now));
      }
    };

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
        else consider(s);
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
      pollTimer = setTimeout(
        () => {
          void check().finally(schedulePoll);
        },
        subscribed ? safetyPollMs : pollIntervalMs,
      );
    };

    function subscribe(nodeId: string): void {
      const handle = client.pool.handle(nodeId);
      if (!handle) return;
      subscription?.unsubscribe();
      subscription = undefined;
      subscribed = false;
      subscribedTo = nodeId;
      // Without a socket the wait is plain polling; subscribe() only throws once the client is closed.
      try {
        const sub: Subscription = client.webSockets
          .get(handle.nodeId, handle.rpcUrl)
          .subscribe([until === 'finalized' ? 'finalizedHeads' : 'candidateHeads'], {
            onData: () => void check(),
            onSubscribed: () => {
              if (subscription !== sub) return;
              subscribed = true;
              schedulePoll();
              // Closes the gap between the first check and the subscription taking effect.
              void check();
            },
            onLost: () => {
              if (subscription !== sub) return;
              subscribed = false;
              schedulePoll();
              void check();
            },
          });
        subscription = sub;
      } catch {
        subscription = undefined;
      }
    }

    if (preferred !== undefined) subscribe(preferred);
    void check();
    schedulePoll();
  });
}
