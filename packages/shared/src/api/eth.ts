/**
 * Ethereum JSON-RPC shapes (execution-apis) of this chain's blocks, transactions and receipts, as
 * the validator serves them and as ethers 6 and viem 2 parse them. Ethereum's fields come first
 * with their neutral values where this chain has nothing to put (gas price 0, no logs); this
 * chain's own fields follow (`voterId`, `electionId`, `proposer`, `slot`, `certificate`...).
 * `from`, `to` and `miner` are addresses derived from the ids (address.ts, PROTOCOL.md §15).
 */
import { z } from 'zod';

/** A canonical quantity ("0x0", "0x1a"). */
const quantity = z
  .string()
  .regex(/^0x(0|[1-9a-f][0-9a-f]*)$/)
  .describe('canonical hex quantity');
/** A 20-byte address, lowercase hex. */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-f]{40}$/, 'must be a 20-byte lowercase 0x-hex address')
  .describe('20-byte address (lowercase hex)');
/** Even-length lowercase 0x-hex bytes. */
export const dataSchema = z
  .string()
  .regex(/^0x([0-9a-f]{2})*$/, 'must be 0x-hex bytes')
  .describe('hex bytes');
const hash = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/)
  .describe('32-byte hash');

/** A precommit certificate as the node stores it (verifyFinalizedBlock checks it). */
export const certificateWireSchema = z.object({
  type: z.enum(['prevote', 'precommit']),
  height: z.number().int().nonnegative(),
  slot: z.number().int().nonnegative(),
  blockHash: hash,
  signatures: z.array(
    z.object({ validator: z.number().int().nonnegative(), signature: z.string().regex(/^0x[0-9a-f]{128}$/) }),
  ),
});

/**
 * A transaction (eth_getTransactionByHash, blocks with full transactions). Votes are not
 * Ethereum-signed: `v`, `r`, `s` and `yParity` are zero placeholders and `ethereumSigned` is false.
 */
export const ethTransactionSchema = z.object({
  hash,
  type: z.literal('0x0'),
  nonce: quantity,
  blockHash: hash.nullable(),
  blockNumber: quantity.nullable(),
  transactionIndex: quantity.nullable(),
  from: addressSchema.describe('address of the voter id (voterAddress)'),
  to: addressSchema.describe('address of the election (electionAddress)'),
  value: quantity,
  gas: quantity,
  gasPrice: quantity,
  input: dataSchema.describe('the ballot: hex ballots as sent, others as their UTF-8 bytes'),
  chainId: quantity,
  v: z.literal('0x0'),
  r: z.literal('0x0'),
  s: z.literal('0x0'),
  yParity: z.literal('0x0'),
  voterId: z.string().describe('the voter id the vote was sent with (`from` of eth_sendTransaction)'),
  electionId: z.string().describe('the <id> of "election-<id>"'),
  ethereumSigned: z.literal(false).describe('votes are not Ethereum-signed: v, r, s and yParity are zero placeholders'),
});
export type EthTransaction = z.infer<typeof ethTransactionSchema>;

/** A receipt (eth_getTransactionReceipt): the seed's blockNumber, blockHash, gasUsed and status, plus Ethereum's fields. */
export const ethReceiptSchema = z.object({
  transactionHash: hash,
  transactionIndex: quantity,
  blockHash: hash,
  blockNumber: quantity,
  from: addressSchema,
  to: addressSchema,
  voterId: z.string(),
  electionId: z.string(),
  gasUsed: quantity,
  cumulativeGasUsed: quantity,
  effectiveGasPrice: quantity,
  contractAddress: z.null(),
  logs: z.array(z.never()),
  logsBloom: dataSchema,
  status: z.enum(['0x1', '0x0']),
  type: z.literal('0x0'),
});
export type EthReceipt = z.infer<typeof ethReceiptSchema>;

/**
 * A block header (eth_subscribe newHeads and the head of every block object). Block 0 is the
 * genesis: its hash is the genesis hash, it has no proposer, signature or certificate.
 */
export const ethHeaderSchema = z.object({
  number: quantity,
  hash,
  parentHash: hash,
  nonce: z.literal('0x0000000000000000'),
  mixHash: hash,
  sha3Uncles: hash,
  logsBloom: dataSchema,
  transactionsRoot: hash,
  stateRoot: hash,
  receiptsRoot: hash,
  miner: addressSchema.describe("address of the proposer's public key (authorityAddress); zero for the genesis"),
  difficulty: quantity,
  totalDifficulty: quantity,
  extraData: dataSchema,
  gasLimit: quantity,
  gasUsed: quantity,
  timestamp: quantity.describe('slot start, unix seconds'),
  chainId: quantity,
  slot: quantity.nullable(),
  timestampMs: z.number().int().nonnegative(),
  txRoot: hash,
  txCount: quantity,
  proposer: z.string().nullable().describe('authority id of the proposer; null for the genesis'),
  proposerIndex: z.number().int().nonnegative().nullable(),
  signature: z
    .string()
    .regex(/^0x[0-9a-f]{128}$/)
    .nullable(),
  finalized: z.boolean(),
  certificate: certificateWireSchema.nullable(),
});
export type EthHeader = z.infer<typeof ethHeaderSchema>;

/** A block object (eth_getBlockByNumber, eth_getBlockByHash): transaction hashes or objects. */
export const ethBlockSchema = ethHeaderSchema.extend({
  size: quantity,
  transactions: z.union([z.array(hash), z.array(ethTransactionSchema)]),
  uncles: z.array(hash).max(0),
});
export type EthBlock = z.infer<typeof ethBlockSchema>;

/** eth_syncing: false, or the progress of a catching-up node. */
export const ethSyncingSchema = z.union([
  z.literal(false),
  z.object({ startingBlock: quantity, currentBlock: quantity, highestBlock: quantity }),
]);
