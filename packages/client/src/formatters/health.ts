/** GET /health answers. */
import { type HealthReport as NodeHealthReport, healthBodySchema } from '@poa-vote/shared';
import { parseAnswer } from './parse.js';

/** The node's health report (the shared contract's), plus the body's `status` word. */
export interface HealthReport extends NodeHealthReport {
  status: string;
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
    ...(b.snapshot_sync
      ? {
          snapshotSync: {
            snapshotHeight: b.snapshot_sync.snapshot_height,
            backfilledTo: b.snapshot_sync.backfilled_to,
            backfillComplete: b.snapshot_sync.backfill_complete,
          },
        }
      : {}),
  };
}
