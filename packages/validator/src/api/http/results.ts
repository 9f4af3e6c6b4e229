/** GET /results?election_id=N: the tally over the finalized chain. */
import type { RequestHandler } from 'express';
import { resultsBody } from '@poa-vote/shared';
import type { NodeApiBackend } from '../interface.js';
import { electionIdQuery } from './query.js';

/**
 * The /results handler; `results` and `counts` are the same tally (older backends read `results`).
 * Counts come as a prototype-free record (any candidate name is a member) and are bounded by the
 * counting rule: at most MAX_CANDIDATES_PER_ELECTION names plus "sealed" and "other", so the
 * answer needs no pagination.
 */
export function resultsRoute(backend: NodeApiBackend): RequestHandler {
  return async (req, res) => {
    const electionId = electionIdQuery(req.query.election_id, true);
    const r = await backend.results(electionId);
    res.set('cache-control', 'no-store').json(resultsBody(r));
  };
}
