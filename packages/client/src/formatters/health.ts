/** GET /health answers. */
import { asObject, natField, optString, pick, toNat } from './fields.js';

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
  /** Milliseconds since the finalized head's slot started; null before block 1. */
  lastBlockAgeMs: number | null;
  slot: number;
  /** Why the validator considers itself unhealthy. */
  reasons: string[];
}

/** Normalize a /health answer (HTTP status decides `healthy`). */
export function formatHealth(raw: unknown, httpStatus: number, url?: string): HealthReport {
  const o = asObject(raw, 'health', url);
  const reasons = pick(o, 'reasons');
  const age = pick(o, 'last_block_age_ms', 'lastBlockAgeMs');
  return {
    healthy: httpStatus === 200,
    status: optString(o, 'status') ?? (httpStatus === 200 ? 'healthy' : 'unhealthy'),
    nodeId: optString(o, 'node_id', 'nodeId') ?? '',
    chainId: natField(o, 'health', url, 'chain_id', 'chainId'),
    headHeight: natField(o, 'health', url, 'head_height', 'headHeight'),
    finalizedHeight: natField(o, 'health', url, 'finalized_height', 'finalizedHeight'),
    peers: toNat(pick(o, 'peers')) ?? 0,
    syncing: pick(o, 'syncing') === true,
    lastBlockAgeMs: typeof age === 'number' ? age : null,
    slot: toNat(pick(o, 'slot')) ?? 0,
    reasons: Array.isArray(reasons) ? reasons.map(String) : [],
  };
}
