/** GET /health answers. */
import { healthBodySchema } from '@poa-vote/shared';
import { parseAnswer } from './parse.js';

export interface HealthReport {
  /** HTTP 200 (healthy) or 503 (fail over). */
  healthy: boolean;
  status: string;
  nodeId: string;
  chainId: number;
  headHeight: number;
  finalizedHeight: number;
  peers: number;
  syncing: boolean;
  /** Reading its peers' pools after starting without one: it takes no votes meanwhile. */
  recovering: boolean;
  /** Milliseconds since the finalized head's slot started; null before block 1. */
  lastBlockAgeMs: number | null;
  slot: number;
  /** Why the validator considers itself unhealthy. */
  reasons: string[];
}

/** Parse a /health answer with the shared contract (the HTTP status decides `healthy`). */
export function formatHealth(raw: unknown, httpStatus: number, url?: string): HealthReport {
  const b = parseAnswer(healthBodySchema, raw, 'health', url);
  return {
    healthy: httpStatus === 200,
    status: b.status,
    nodeId: b.node_id,
    chainId: b.chain_id,
    headHeight: b.head_height,
    finalizedHeight: b.finalized_height,
    peers: b.peers,
    syncing: b.syncing,
    recovering: b.recovering,
    lastBlockAgeMs: b.last_block_age_ms,
    slot: b.slot,
    reasons: b.reasons,
  };
}
