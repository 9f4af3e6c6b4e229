/** GET /elections/:id: a configured election's on-chain record (docs/ELECTIONS.md). */
import type { RequestHandler } from 'express';
import type { NodeApiBackend } from '../interface.js';
import { HttpError } from './respond.js';

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The /elections/:id handler: 404 for an election that is not configured on this chain. */
export function electionRoute(backend: NodeApiBackend): RequestHandler<{ id: string }> {
  return (req, res) => {
    const id = req.params.id;
    if (!ID_RE.test(id)) throw new HttpError(400, 'the election id must be 1-64 characters [A-Za-z0-9_.-]', 'id');
    const body = backend.election?.(id);
    if (body === undefined)
      throw new HttpError(404, `election ${id} is not configured on this chain (opaque elections have no record)`);
    res.set('cache-control', 'no-store').json(body);
  };
}
