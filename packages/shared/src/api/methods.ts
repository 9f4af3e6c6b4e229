/**
 * The JSON-RPC methods' contract: each method's positional params and its result, defined once.
 * The validator registers its handlers against it (results are checked in its tests), the client
 * parses answers with it, and the tests' fake servers answer with it. Ethereum-shaped blocks and
 * transactions are described loosely (their full shape is execution-apis').
 */
import { z } from 'zod';
import { hashSchema, txStateSchema } from './bodies.js';

/** A canonical Ethereum quantity ("0x0", "0x1a"). */
export const quantitySchema = z.string().regex(/^0x(0|[1-9a-f][0-9a-f]*)$/, 'must be a canonical hex quantity');
/** An election id, as in "election-<id>". */
export const electionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _, . or -');
/** poa_getElection's answer: an election's finalized vote count and the height it reflects. */
export const electionInfoSchema = z.object({
  electionId: z.string(),
  voteCount: z.number().int().nonnegative(),
  finalizedHeight: z.number().int().nonnegative(),
});
export type ElectionInfo = z.infer<typeof electionInfoSchema>;

/** A tx hash or the JSON-RPC id it was submitted under. */
const txRef = z.string().min(1);

/** eth_getTransactionReceipt's receipt (Ethereum shape, hex quantities). */
export const receiptWireSchema = z.looseObject({
  transactionHash: hashSchema,
  transactionIndex: quantitySchema,
  blockHash: hashSchema,
  blockNumber: quantitySchema,
  from: z.string(),
  to: z.string(),
  gasUsed: quantitySchema,
  status: z.enum(['0x1', '0x0']),
});

/** A method: params tuple and result. */
export interface RpcMethodContract<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
}

export const rpcContract = {
  eth_sendTransaction: {
    params: z.tuple([z.looseObject({ from: z.string(), to: z.string(), data: z.string() })]),
    result: hashSchema,
  },
  eth_getTransactionReceipt: { params: z.tuple([txRef]), result: receiptWireSchema.nullable() },
  poa_getTransactionStatus: { params: z.tuple([txRef]), result: txStateSchema },
  eth_blockNumber: { params: z.tuple([]), result: quantitySchema },
  eth_chainId: { params: z.tuple([]), result: quantitySchema },
  /** An election's finalized vote count and the finalized height it reflects. */
  poa_getElection: { params: z.tuple([electionIdSchema]), result: electionInfoSchema },
} as const satisfies Record<string, RpcMethodContract>;

export type RpcMethodName = keyof typeof rpcContract;
export type RpcParams<M extends RpcMethodName> = z.input<(typeof rpcContract)[M]['params']>;
export type RpcResult<M extends RpcMethodName> = z.output<(typeof rpcContract)[M]['result']>;
