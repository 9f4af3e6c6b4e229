/** poa_getProof: the Merkle inclusion proof of a finalized vote (api/proof.ts, docs/PROTOCOL.md section 3.1). */
import { z } from 'zod';
import { transactionProof } from '../../proof.js';
import { txRefParam } from '../params.js';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** The proof method group. */
export function proofMethods({ backend }: MethodDeps): MethodTable {
  return {
    /** By hash or submission id; null until the vote is in a finalized block (as receipts). */
    poa_getProof: defineMethod({
      paramNames: ['transactionHash'],
      params: z.tuple([txRefParam]),
      call: async ([ref]) => {
        const out = await transactionProof(backend, ref);
        return out.ok ? out.proof : null;
      },
    }),
  };
}
