/**
 * @poa-vote/client: the library election backends use to talk to the validators. Load
 * balancing and failover over a validator pool, vote submission with safe retries,
 * confirmation by WebSocket push, quorum reads, and trustless verification of the chain.
 */
export { createVotingClient, type VotingClient } from './client.js';
export type { VotingClientOptions } from './options.js';
export type { ClientContext } from './context.js';

export * from './actions/index.js';
export * from './verify/index.js';
export * from './errors.js';

export {
  ValidatorPool,
  defaultValidators,
  defaultValidatorPoolOptions,
  rankByLatency,
  withFailover,
  isRetryable,
  defaultRetryOptions,
} from './pool/index.js';
export type {
  ValidatorConfig,
  ValidatorPoolOptions,
  SelectionStrategy,
  ValidatorStatus,
  ValidatorHandle,
  ValidatorPoolEvents,
  RetryOptions,
} from './pool/index.js';

export { createHttpTransport, WebSocketTransport, wsUrlOf } from './transport/index.js';
export type {
  HttpTransport,
  HttpTransportOptions,
  JsonRpcCall,
  JsonRpcOutcome,
  WebSocketTransportOptions,
  Subscription,
  SubscriptionHandlers,
} from './transport/index.js';

export type {
  HealthReport,
  Receipt,
  TxStatus,
  TxState,
  ElectionResults,
  BlockchainInfo,
  BlockchainAuthority,
} from './formatters/index.js';
export { isReplicated } from './formatters/index.js';
export { voteTransaction, electionAddress, type VoteInput } from './utils/voteTransaction.js';
