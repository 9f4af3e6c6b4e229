/** GET /blocks/:numberOrHash: a finalized block with its certificate, as verifyFinalizedBlock takes them. */
import type { RequestHandler } from 'express';
import type { NodeApiBackend } from '../interface.js';
import { blockPathRef } from './query.js';
import { HttpError } from './respond.js';

/** The /blocks/:numberOrHash handler. */
export function blockRoute(backend: NodeApiBackend): RequestHandler<{ numberOrHash: string }> {
  return async (req, res) => {
    const ref = blockPathRef(req.params.numberOrHash);
    const fb =
      'hash' in ref
        ? await backend.getFinalizedBlockByHash(ref.hash)
        : await backend.getFinalizedBlock('height' in ref ? ref.height : backend.finalizedHeight());
    if (!fb)
      throw new HttpError(
        404,
        `block ${req.params.numberOrHash} not found (finalized height is ${backend.finalizedHeight()})`,
      );
    res.json({
      height: fb.block.header.height,
      hash: fb.block.hash,
      finalized: true,
      block: fb.block,
      certificate: fb.certificate,
    });
  };
}
