/** poa_* methods: what this chain has that Ethereum does not (vote states, certificates, evidence). */
import { z } from 'zod';
import { type RpcResult, certificateWireSchema, evidenceId, isHex, rpcContract, txStateSchema } from '@poa-vote/shared';
import { blockNumberParam, txRefParam } from '../params.js';
import { defineMethod } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** A raw block as verifyFinalizedBlock takes it (PROTOCOL.md §7). */
const rawBlock = z.looseObject({
  header: z.looseObject({ height: z.number().int().nonnegative() }),
  hash: z.string(),
  signature: z.string(),
  transactions: z.array(z.looseObject({ from: z.string(), to: z.string(), data: z.string() })),
});

/** The poa_* method group. */
export function poaMethods({ backend }: MethodDeps): MethodTable {
  return {
    /** TxState of a vote by hash or submission id; an unknown submission id has no hash to report. */
    poa_getTransactionStatus: defineMethod({
      summary: 'Where a vote stands on this validator: accepted, replicated, included, finalized, rejected or unknown',
      result: txStateSchema,
      paramNames: ['transactionHash'],
      params: z.tuple([txRefParam]),
      call: async ([ref]) => {
        const hash = (await backend.resolveTxRef(ref)) ?? (isHex(ref, 32) ? ref : undefined);
        return hash ? backend.getTxState(hash) : { state: 'unknown', hash: null, submissionId: ref };
      },
    }),

    poa_getCertificate: defineMethod({
      summary: 'The precommit certificate of a finalized block; null when not final',
      result: certificateWireSchema.nullable(),
      paramNames: ['blockNumber'],
      params: z.tuple([blockNumberParam]),
      call: async ([n]) => (await backend.getFinalizedBlock(n))?.certificate ?? null,
    }),

    /** The raw finalized block and certificate, as verifyFinalizedBlock takes them (auditing clients). */
    poa_getFinalizedBlock: defineMethod({
      summary: 'The raw finalized block and its certificate, as verifyFinalizedBlock takes them; null when not final',
      result: z.object({ block: rawBlock, certificate: certificateWireSchema }).nullable(),
      paramNames: ['blockNumber'],
      params: z.tuple([blockNumberParam]),
      call: async ([n]) => (await backend.getFinalizedBlock(n)) ?? null,
    }),

    /** An election's finalized vote count and the height it reflects (params and result: the shared contract). */
    poa_getElection: defineMethod({
      summary: "An election's finalized vote count and the finalized height it reflects",
      result: rpcContract.poa_getElection.result,
      paramNames: ['electionId'],
      params: rpcContract.poa_getElection.params,
      call: async ([electionId]): Promise<RpcResult<'poa_getElection'>> => {
        const finalizedHeight = backend.finalizedHeight();
        return { electionId, voteCount: await backend.electionVoteCount(electionId), finalizedHeight };
      },
    }),

    poa_getEvidence: defineMethod({
      summary: 'Stored equivocation evidence, each with its id',
      result: z.array(z.looseObject({ id: z.string() })),
      paramNames: [],
      params: z.tuple([]),
      call: async () => (await backend.evidence()).map((ev) => ({ id: evidenceId(ev), ...ev })),
    }),
  };
}
