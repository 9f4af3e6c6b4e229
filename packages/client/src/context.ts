/** What every action needs from a client: the pool, the genesis, retry policy and shared sockets. */
import type { Genesis } from '@poa-vote/shared';
import type { ValidatorPool } from './pool/validatorPool.js';
import type { RetryOptions } from './pool/failover.js';
import type { WebSocketRegistry } from './transport/webSockets.js';
import type { TallyCache } from './verify/tallyCache.js';

export interface ClientContext {
  readonly pool: ValidatorPool;
  /** The genesis the client trusts; verify/ checks every block against it. */
  readonly genesis: Genesis | undefined;
  readonly retry: RetryOptions;
  readonly webSockets: WebSocketRegistry;
  /** Verified tallies by election, extended incrementally. */
  readonly tallies: TallyCache;
}
