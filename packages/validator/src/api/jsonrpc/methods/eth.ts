/** eth_* methods: votes in, Ethereum-shaped chain data out. */
import { z } from 'zod';
import {
  type Block,
  type EthBlock,
  type Hex,
  ProtocolError,
  type QuorumCertificate,
  type Transaction,
  addressSchema,
  ethBlockSchema,
  ethReceiptSchema,
  ethSyncingSchema,
  ethTransactionSchema,
  genesisHash,
  hashSchema,
  parseTransaction,
  quantitySchema,
  toQuantity,
} from '@poa-vote/shared';
import type { NodeApiBackend, SubmitOutcome } from '../../interface.js';
import { formatBlock, formatGenesisBlock, formatReceipt, formatTransaction } from '../../format.js';
import { JsonRpcError, JsonRpcErrorCode, invalidParams } from '../errors.js';
import { type BlockRef, bad, blockRefParam, checked, hashParam, optionalFlag, preview, txRefParam } from '../params.js';
import { defineMethod, type CallOutcome } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/**
 * Topics of eth_subscribe. `newHeads` and `finalizedHeads` push each finalized block once, when
 * eth_getBlockByNumber can already return it (Ethereum tools fetch the block on the push);
 * `candidateHeads` pushes candidate blocks that have a polka (not final, may never be).
 */
export const SUBSCRIPTION_TOPICS = ['newHeads', 'finalizedHeads', 'candidateHeads'] as const;
export type SubscriptionTopic = (typeof SUBSCRIPTION_TOPICS)[number];

const FIELD_RE = /"(from|to|data)"/;

/**
 * The vote in eth_sendTransaction params: {from, to: "election-<id>", data}; Ethereum extras
 * (gas, value, nonce) are ignored and `input` stands in for a missing `data`. The size limit is
 * the node's to enforce (it knows the genesis limits).
 */
const transactionParam = checked<Transaction>(
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return bad(`must be a transaction object {from, to, data}, got ${preview(v)}`);
    const r = v as Record<string, unknown>;
    const input = r.data === undefined && r.input !== undefined ? { ...r, data: r.input } : r;
    try {
      return parseTransaction(input, Number.MAX_SAFE_INTEGER);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      const field = FIELD_RE.exec(e.message)?.[1];
      return bad(e.message, field ? [field] : []);
    }
  },
  {
    type: 'object',
    required: ['from', 'to'],
    properties: {
      from: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$', description: 'voter id' },
      to: { type: 'string', pattern: '^election-[A-Za-z0-9_.-]{1,64}$', description: '"election-<id>"' },
      data: { type: 'string', minLength: 1, description: 'the ballot (opaque to the chain)' },
      input: { type: 'string', minLength: 1, description: 'the ballot, when data is absent' },
    },
    anyOf: [{ required: ['data'] }, { required: ['input'] }],
    description: 'a vote; Ethereum extras (gas, value, nonce) are ignored',
  },
);

/** The JSON-RPC error of a refused submission. */
export function submitError(o: Extract<SubmitOutcome, { ok: false }>): JsonRpcError {
  const data: Record<string, unknown> = { code: o.code };
  if (o.hash !== undefined) data.hash = o.hash;
  if ('conflictsWith' in o && o.conflictsWith !== undefined) data.conflictsWith = o.conflictsWith;
  // An election rule: the protocol code (BALLOT_BAD_PROOF...) and the failed proof or field, beside `code`.
  if ('details' in o && o.details !== undefined) for (const [k, v] of Object.entries(o.details)) data[k] ??= v;
  switch (o.code) {
    case 'TX_NOT_REPLICATED':
      return new JsonRpcError(JsonRpcErrorCode.NOT_REPLICATED, o.message, {
        ...data,
        holders: o.holders,
        needed: o.needed,
      });
    case 'RECOVERING':
      return new JsonRpcError(JsonRpcErrorCode.UNAVAILABLE, o.message, data);
    case 'TX_DOUBLE_VOTE': {
      const names = o.conflictsWith === undefined || o.message.includes(o.conflictsWith);
      return new JsonRpcError(
        JsonRpcErrorCode.DOUBLE_VOTE,
        names ? o.message : `${o.message} (earlier transaction ${o.conflictsWith})`,
        data,
      );
    }
    case 'POOL_FULL':
      return new JsonRpcError(JsonRpcErrorCode.POOL_FULL, o.message, data);
    case 'UNAVAILABLE':
      return new JsonRpcError(JsonRpcErrorCode.UNAVAILABLE, o.message, data);
    default:
      return invalidParams(o.message, data);
  }
}

/** Resolve a block reference to a block and its certificate (null for the pending candidate); height 0 is the genesis. */
export async function blockByRef(
  backend: NodeApiBackend,
  ref: BlockRef,
): Promise<{ block: Block; certificate: QuorumCertificate | null } | 'genesis' | undefined> {
  let height: number;
  if ('number' in ref) height = ref.number;
  else if (ref.tag === 'earliest') height = 0;
  else {
    if (ref.tag === 'pending') {
      const candidate = backend.candidateBlock();
      if (candidate) return { block: candidate, certificate: null };
    }
    height = backend.finalizedHeight();
  }
  if (height === 0) return 'genesis';
  if (height > backend.finalizedHeight()) return undefined;
  const fb = await backend.getFinalizedBlock(height);
  return fb ? { block: fb.block, certificate: fb.certificate } : undefined;
}

/** The block object of a reference, or null. */
async function blockObject(backend: NodeApiBackend, ref: BlockRef, full: boolean): Promise<EthBlock | null> {
  const found = await blockByRef(backend, ref);
  if (found === 'genesis') return formatGenesisBlock(backend.genesis);
  return found ? formatBlock(found.block, backend.authorities, found.certificate, full) : null;
}

/** The eth_* method group. */
export function ethMethods({ backend, writeGate }: MethodDeps): MethodTable {
  const noParams = z.tuple([]);
  const refOnly = z.tuple([txRefParam]);
  return {
    eth_chainId: defineMethod({
      summary: 'The genesis chainId',
      paramNames: [],
      params: noParams,
      result: quantitySchema,
      call: () => toQuantity(backend.chainId),
    }),
    eth_blockNumber: defineMethod({
      summary: 'The finalized height (0: only the genesis)',
      paramNames: [],
      params: noParams,
      result: quantitySchema,
      call: () => toQuantity(backend.finalizedHeight()),
    }),
    eth_accounts: defineMethod({
      summary: 'Always []: a validator holds no Ethereum accounts (votes are not Ethereum-signed)',
      paramNames: [],
      params: noParams,
      result: z.array(addressSchema).max(0),
      call: () => [],
    }),
    eth_syncing: defineMethod({
      summary: 'false, or the progress of a node catching up',
      paramNames: [],
      params: noParams,
      result: ethSyncingSchema,
      call: () => {
        if (!backend.health().syncing) return false;
        const current = backend.finalizedHeight();
        return {
          startingBlock: toQuantity(current),
          currentBlock: toQuantity(current),
          highestBlock: toQuantity(Math.max(current, backend.headHeight())),
        };
      },
    }),

    eth_sendTransaction: defineMethod({
      summary:
        'Submit a vote {from: voter id, to: "election-<id>", data: ballot}; answers its hash once a quorum of validators holds it',
      paramNames: ['transaction'],
      params: z.tuple([transactionParam]),
      result: hashSchema,
      // Every vote of a batch goes to the node in one call: the pool admits them together.
      callMany: async (calls): Promise<CallOutcome[]> => {
        if (writeGate) {
          const gated = await writeGate.submit(
            calls.map((c) => ({ tx: c.params[0], id: c.ctx.id, session: c.ctx.session })),
          );
          return gated.map((o) => ('error' in o ? o : o.ok ? { result: o.hash } : { error: submitError(o) }));
        }
        const outcomes = await backend.submit(
          calls.map((c) => ({
            tx: c.params[0],
            submissionId: c.ctx.id === undefined || c.ctx.id === null ? undefined : String(c.ctx.id),
          })),
        );
        return outcomes.map((o) => (o.ok ? { result: o.hash } : { error: submitError(o) }));
      },
    }),

    eth_getTransactionReceipt: defineMethod({
      summary:
        'The receipt of a finalized vote, by hash or by the JSON-RPC id it was submitted under; null until final',
      paramNames: ['transactionHash'],
      params: refOnly,
      result: ethReceiptSchema.nullable(),
      call: async ([ref]) => {
        const hash = await backend.resolveTxRef(ref);
        if (!hash) return null;
        const receipt = await backend.getReceipt(hash);
        return receipt ? formatReceipt(receipt) : null;
      },
    }),

    eth_getTransactionByHash: defineMethod({
      summary:
        'A vote as an Ethereum transaction (pending ones without block fields), by hash or submission id; null when unknown',
      paramNames: ['transactionHash'],
      params: refOnly,
      result: ethTransactionSchema.nullable(),
      call: async ([ref]) => {
        const hash = await backend.resolveTxRef(ref);
        const found = hash && (await backend.getTransaction(hash));
        if (!found) return null;
        return formatTransaction(found.tx, found.hash, backend.chainId, found);
      },
    }),

    eth_getBlockByNumber: defineMethod({
      summary:
        'A block by number or tag; block 0 is the genesis; latest, finalized and safe: the finalized head; pending: the candidate with a polka',
      paramNames: ['block', 'fullTransactions'],
      params: z.tuple([blockRefParam, optionalFlag]),
      result: ethBlockSchema.nullable(),
      call: ([ref, full]) => blockObject(backend, ref, full ?? false),
    }),

    eth_getBlockByHash: defineMethod({
      summary: 'A finalized block (or the genesis, or the candidate) by hash; null when unknown',
      paramNames: ['blockHash', 'fullTransactions'],
      params: z.tuple([hashParam, optionalFlag]),
      result: ethBlockSchema.nullable(),
      call: async ([hash, full]) => {
        if (hash === genesisHash(backend.genesis)) return formatGenesisBlock(backend.genesis);
        const fb = await backend.getFinalizedBlockByHash(hash as Hex);
        if (fb) return formatBlock(fb.block, backend.authorities, fb.certificate, full ?? false);
        const candidate = backend.candidateBlock();
        return candidate?.hash === hash ? formatBlock(candidate, backend.authorities, null, full ?? false) : null;
      },
    }),

    eth_subscribe: defineMethod({
      summary:
        'WebSocket only: subscribe to newHeads / finalizedHeads (each finalized block once) or candidateHeads; answers the subscription id',
      paramNames: ['subscription'],
      params: z.tuple([
        checked<SubscriptionTopic>(
          (v) =>
            (SUBSCRIPTION_TOPICS as readonly unknown[]).includes(v)
              ? (v as SubscriptionTopic)
              : bad(`must be one of ${SUBSCRIPTION_TOPICS.map((t) => `"${t}"`).join(', ')}, got ${preview(v)}`),
          { enum: [...SUBSCRIPTION_TOPICS] },
        ),
      ]),
      result: z.string().regex(/^0x[0-9a-f]{32}$/),
      call: ([topic], ctx) => {
        if (!ctx.session.push)
          throw new JsonRpcError(
            JsonRpcErrorCode.METHOD_NOT_FOUND,
            'the method eth_subscribe is only available over WebSocket (path /ws)',
          );
        return ctx.session.push.subscribe(topic);
      },
    }),

    eth_unsubscribe: defineMethod({
      summary: 'WebSocket only: end a subscription of this connection; false when the id is not one of its',
      paramNames: ['subscriptionId'],
      params: z.tuple([z.string({ error: 'must be a subscription id string' })]),
      result: z.boolean(),
      call: ([id], ctx) => {
        if (!ctx.session.push)
          throw new JsonRpcError(
            JsonRpcErrorCode.METHOD_NOT_FOUND,
            'the method eth_unsubscribe is only available over WebSocket (path /ws)',
          );
        return ctx.session.push.unsubscribe(id);
      },
    }),
  };
}
