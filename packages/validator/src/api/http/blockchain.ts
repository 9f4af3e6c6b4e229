/** GET /blockchain?election_id=N: chain summary, the election's vote count and a verification of the stored chain. */
import type { RequestHandler } from 'express';
import type { BlockchainBody } from '@poa-vote/shared';
import type { NodeApiBackend } from '../interface.js';
import { electionIdQuery } from './query.js';

/** The /blockchain handler. */
export function blockchainRoute(backend: NodeApiBackend): RequestHandler {
  return async (req, res) => {
    const electionId = electionIdQuery(req.query.election_id, false);
    const height = backend.finalizedHeight();
    const [verification, head, voteCount] = await Promise.all([
      backend.verification(),
      backend.getFinalizedBlock(height),
      electionId === undefined ? Promise.resolve(null) : backend.electionVoteCount(electionId),
    ]);
    const body: BlockchainBody = {
      chain_id: backend.chainId,
      node_id: backend.nodeId,
      height,
      head_height: backend.headHeight(),
      finalized_height: height,
      head_hash: head?.block.hash ?? null,
      authorities: backend.authorities.map((a) => ({ id: a.id, name: a.name, public_key: a.publicKey })),
      election_id: electionId ?? null,
      vote_count: voteCount,
      verification: {
        chain_valid: verification.chain_valid,
        checked_blocks: verification.checked_blocks,
        errors: verification.errors,
      },
    };
    res.set('cache-control', 'no-store').json(body);
  };
}
