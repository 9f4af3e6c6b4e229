/** GET /evidence: stored equivocation evidence, each piece with its stable id. */
import type { RequestHandler } from 'express';
import { evidenceId } from '@poa-vote/shared';
import type { NodeApiBackend } from '../interface.js';

/** The /evidence handler. */
export function evidenceRoute(backend: NodeApiBackend): RequestHandler {
  return async (_req, res) => {
    const evidence = (await backend.evidence()).map((ev) => ({ id: evidenceId(ev), ...ev }));
    res.json({ count: evidence.length, evidence });
  };
}
