/** GET /results?election_id=N: the tally over the finalized chain. */
import type { RequestHandler } from 'express';
import type { NodeApiBackend } from '../interface.js';
import { electionIdQuery } from './query.js';

/** The /results handler; `results` and `counts` are the same tally (older backends read `results`). */
export function resultsRoute(backend: NodeApiBackend): RequestHandler {
  return async (req, res) => {
    const electionId = electionIdQuery(req.query.election_id, true);
    const r = await backend.results(electionId);
    res.set('cache-control', 'no-store').json({ election_id: r.electionId, results: r.counts, counts: r.counts, total: r.total, height: r.height });
  };
}
