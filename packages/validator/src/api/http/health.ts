/** GET /health: the node's own view of whether it can serve; 200 when healthy, 503 to make clients fail over. */
import type { RequestHandler } from 'express';
import { healthBody } from '@poa-vote/shared';
import type { NodeApiBackend } from '../interface.js';

/** The /health body is the shared contract's (snake_case, as the existing backends read it). */
export { healthBody };

/** The /health handler. */
export function healthRoute(backend: NodeApiBackend): RequestHandler {
  return (_req, res) => {
    const h = backend.health();
    res
      .status(h.healthy ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(healthBody(h));
  };
}
