/** GET /transactions/:hash/proof: the Merkle inclusion proof of a finalized vote (api/proof.ts). */
import type { RequestHandler } from 'express';
import type { NodeApiBackend } from '../interface.js';
import { transactionProof } from '../proof.js';
import { HttpError } from './respond.js';

/** The /transactions/:hash/proof handler; 404 naming the vote's state when it has no proof yet. */
export function transactionProofRoute(backend: NodeApiBackend): RequestHandler<{ hash: string }> {
  return async (req, res) => {
    const ref = req.params.hash;
    if (ref.length === 0 || ref.length > 256)
      throw new HttpError(400, 'hash must be a transaction hash or a submission id of 1-256 characters', 'hash');
    const out = await transactionProof(backend, ref);
    if (!out.ok) {
      const message =
        out.reason === 'unknown'
          ? `transaction ${ref} not found`
          : `transaction ${ref} is not in a finalized block yet (state: ${out.state?.state ?? 'unknown'}): a proof exists once it is final`;
      res
        .status(404)
        .set('cache-control', 'no-store')
        .json({ error: message, ...(out.state ? { state: out.state } : {}) });
      return;
    }
    // A finalized block never changes, so neither does the proof.
    res.set('cache-control', 'public, max-age=3600').json(out.proof);
  };
}
