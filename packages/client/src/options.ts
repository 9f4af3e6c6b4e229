/** Options of createVotingClient, their defaults, and their validation. */
import type { Genesis } from '@poa-vote/shared';
import { InvalidArgumentError } from './errors.js';
import { defaultRetryOptions, type RetryOptions } from './pool/failover.js';
import type { ValidatorPoolOptions } from './pool/options.js';
import type { WebSocketTransportOptions } from './transport/ws.js';
import { toGenesis } from './verify/genesis.js';

/**
 * Validators that need a credential to write (`--api-tokens-file`) take it as
 * `Authorization: Bearer <token>`: give the client a `fetchFn` that adds the header to every HTTP
 * request, and `webSocket.apiToken` for the WebSocket upgrade:
 * @example
 * const token = process.env.POA_API_TOKEN!;
 * const client = createVotingClient({
 *   validators,
 *   fetchFn: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` } }),
 *   webSocket: { apiToken: token },
 * });
 */
export interface VotingClientOptions extends Omit<ValidatorPoolOptions, 'expectedChainId'> {
  /**
   * The genesis document the client trusts (object or parsed JSON). Verification checks every
   * block against it, and validators serving another chain id count as unhealthy.
   */
  genesis?: Genesis | unknown;
  /** Failover policy of every request. */
  retry?: Partial<RetryOptions>;
  /** WebSocket subscriptions (waitForConfirmation); `apiToken` goes on the upgrade request. */
  webSocket?: WebSocketTransportOptions;
}

/** Validate the retry policy, naming the bad field. */
export function resolveRetry(retry: Partial<RetryOptions> | undefined): RetryOptions {
  if (retry === undefined) return { ...defaultRetryOptions };
  if (typeof retry !== 'object' || retry === null)
    throw new InvalidArgumentError('retry', 'must be an object {attempts, baseDelayMs, maxDelayMs}');
  const out = { ...defaultRetryOptions, ...retry };
  if (!Number.isSafeInteger(out.attempts) || out.attempts < 1 || out.attempts > 100)
    throw new InvalidArgumentError(
      'retry.attempts',
      `must be an integer from 1 to 100, got ${JSON.stringify(retry.attempts)}`,
    );
  if (!Number.isSafeInteger(out.baseDelayMs) || out.baseDelayMs < 0)
    throw new InvalidArgumentError(
      'retry.baseDelayMs',
      `must be a non-negative integer, got ${JSON.stringify(retry.baseDelayMs)}`,
    );
  if (!Number.isSafeInteger(out.maxDelayMs) || out.maxDelayMs < out.baseDelayMs)
    throw new InvalidArgumentError(
      'retry.maxDelayMs',
      `must be an integer >= retry.baseDelayMs, got ${JSON.stringify(retry.maxDelayMs)}`,
    );
  return out;
}

/** Validate the genesis option (undefined stays undefined). */
export function resolveGenesis(genesis: unknown): Genesis | undefined {
  return genesis === undefined ? undefined : toGenesis(genesis);
}
