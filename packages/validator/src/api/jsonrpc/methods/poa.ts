/** poa_* methods: what this chain has that Ethereum does not (vote states, certificates, evidence). */
import { z } from 'zod';
import { type RpcResult, evidenceId, isHex, rpcContract } from '@poa-vote/shared';
import { blockNumberParam, txRefParam } from '../params.js';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** The poa_* method group. */
export function poaMethods({ backend }: MethodDeps): MethodTable {
  return {
    /** TxState of a vote by hash or submission id; an unknown submission id has no hash to report. */
    poa_getTransactionStatus: defineMethod({
      paramNames: ['transactionHash'],
      params: z.tuple([txRefParam]),
      call: async ([ref]) => {
        const hash = (await backend.resolveTxRef(ref)) ?? (isHex(ref, 32) ? ref : undefined);
        return hash ? backend.getTxState(hash) : { state: 'unknown', hash: null, submissionId: ref };
      },
    }),

    poa_getCertificate: defineMethod({
      paramNames: ['blockNumber'],
      params: z.tuple([blockNumberParam]),
      call: async ([n]) => (await backend.getFinalizedBlock(n))?.certificate ?? null,
    }),

    /** The raw finalized block and certificate, as verifyFinalizedBlock takes them (auditing clients). */
    poa_getFinalizedBlock: defineMethod({
      paramNames: ['blockNumber'],
      params: z.tuple([blockNumberParam]),
      call: async ([n]) => (await backend.getFinalizedBlock(n)) ?? null,
    }),

    /** An election's finalized vote count and the height it reflects (params and result: the shared contract). */
    poa_getElection: defineMethod({
      paramNames: ['electionId'],
      params: rpcContract.poa_getElection.params,
      call: async ([electionId]): Promise<RpcResult<'poa_getElection'>> => {
        const finalizedHeight = backend.finalizedHeight();
        return { electionId, voteCount: await backend.electionVoteCount(electionId), finalizedHeight };
      },
    }),

    poa_getEvidence: defineMethod({
      paramNames: [],
      params: z.tuple([]),
      call: async () => (await backend.evidence()).map((ev) => ({ id: evidenceId(ev), ...ev })),
    }),
  };
}
