/** GET /transactions/:hash: a vote and its state, by hash or submission id. */
import type { RequestHandler } from 'express';
import { type Hex, isHex } from '@poa-vote/shared';
import type { NodeApiBackend } from '../interface.js';
import { HttpError } from './respond.js';

/** The /transactions/:hash handler; 404 (with the state) when the node knows nothing of it. */
export function transactionRoute(backend: NodeApiBackend): RequestHandler<{ hash: string }> {
  return async (req, res) => {
    const ref = req.params.hash;
    if (ref.length === 0 || ref.length > 256)
      throw new HttpError(400, 'hash must be a transaction hash or a submission id of 1-256 characters', 'hash');
    const lower = ref.toLowerCase();
    const hash: Hex | undefined =
      (await backend.resolveTxRef(isHex(lower, 32) ? lower : ref)) ?? (isHex(lower, 32) ? lower : undefined);
    if (!hash) throw new HttpError(404, `transaction ${ref} not found`);
    const [found, state] = await Promise.all([backend.getTransaction(hash), backend.getTxState(hash)]);
    if (!found && state.state === 'unknown') {
      res.status(404).json({ error: `transaction ${ref} not found`, state });
      return;
    }
    res.set('cache-control', 'no-store').json({
      hash,
      transaction: found?.tx ?? null,
      blockHash: found?.blockHash ?? null,
      blockNumber: found?.blockNumber ?? null,
      transactionIndex: found?.transactionIndex ?? null,
      state,
    });
  };
}
