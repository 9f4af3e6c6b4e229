/** GET /health: the node's own view of whether it can serve; 200 when healthy, 503 to make clients fail over. */
import type { RequestHandler } from 'express';
import type { HealthReport, NodeApiBackend } from '../interface.js';

/** The /health body (snake_case, as the existing backends read it). */
export function healthBody(h: HealthReport): Record<string, unknown> {
  return {
    status: h.healthy ? 'healthy' : 'unhealthy',
    healthy: h.healthy,
    node_id: h.nodeId,
    chain_id: h.chainId,
    head_height: h.headHeight,
    finalized_height: h.finalizedHeight,
    peers: h.peers,
    syncing: h.syncing,
    recovering: h.recovering,
    last_block_age_ms: h.lastBlockAgeMs,
    slot: h.slot,
    reasons: h.reasons,
  };
}

/** The /health handler. */
export function healthRoute(backend: NodeApiBackend): RequestHandler {
  return (_req, res) => {
    const h = backend.health();
    res.status(h.healthy ? 200 : 503).set('cache-control', 'no-store').json(healthBody(h));
  };
}
