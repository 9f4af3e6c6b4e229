/** eth_* methods: votes in, Ethereum-shaped chain data out. */
import { z } from 'zod';
import { type Block, type Hex, ProtocolError, type QuorumCertificate, type Transaction, parseTransaction, toQuantity } from '@poa-vote/shared';
import type { NodeApiBackend, SubmitOutcome } from '../../interface.js';
import { formatBlock, formatReceipt, formatTransaction } from '../../format.js';
import { JsonRpcError, JsonRpcErrorCode, invalidParams } from '../errors.js';
import { type BlockRef, bad, blockRefParam, checked, hashParam, optionalFlag, preview, txRefParam } from '../params.js';
import { defineMethod, type CallOutcome } from '../types.js';
import type { MethodDeps, MethodTable } from './context.js';

/** Topics of eth_subscribe. */
export const SUBSCRIPTION_TOPICS = ['newHeads', 'finalizedHeads'] as const;
export type SubscriptionTopic = (typeof SUBSCRIPTION_TOPICS)[number];

const FIELD_RE = /"(from|to|data)"/;

/**
 * The vote in eth_sendTransaction params: {from, to: "election-<id>", data}; Ethereum extras
 * (gas, value, nonce) are ignored and `input` stands in for a missing `data`. The size limit is
 * the node's to enforce (it knows the genesis limits).
 */
const transactionParam = checked<Transaction>((v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(`must be a transaction object {from, to, data}, got ${preview(v)}`);
  const r = v as Record<string, unknown>;
  const input = r.data === undefined && r.input !== undefined ? { ...r, data: r.input } : r;
  try {
    return parseTransaction(input, Number.MAX_SAFE_INTEGER);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    const field = FIELD_RE.exec(e.message)?.[1];
    return bad(e.message, field ? [field] : []);
  }
});

/** The JSON-RPC error of a refused submission. */
export function submitError(o: Extract<SubmitOutcome, { ok: false }>): JsonRpcError {
  const data: Record<string, unknown> = { code: o.code };
  if (o.hash !== undefined) data.hash = o.hash;
  if ('conflictsWith' in o && o.conflictsWith !== undefined) data.conflictsWith = o.conflictsWith;
  switch (o.code) {
    case 'TX_NOT_REPLICATED':
      return new JsonRpcError(JsonRpcErrorCode.NOT_REPLICATED, o.message, { ...data, holders: o.holders, needed: o.needed });
    case 'RECOVERING':
      return new JsonRpcError(JsonRpcErrorCode.UNAVAILABLE, o.message, data);
    case 'TX_DOUBLE_VOTE': {
      const names = o.conflictsWith === undefined || o.message.includes(o.conflictsWith);
      return new JsonRpcError(JsonRpcErrorCode.DOUBLE_VOTE, names ? o.message : `${o.message} (earlier transaction ${o.conflictsWith})`, data);
    }
    case 'POOL_FULL':
      return new JsonRpcError(JsonRpcErrorCode.POOL_FULL, o.message, data);
    case 'UNAVAILABLE':
      return new JsonRpcError(JsonRpcErrorCode.UNAVAILABLE, o.message, data);
    default:
      return invalidParams(o.message, data);
  }
}

/** Resolve a block reference to a block and its certificate (null for the pending candidate). */
export async function blockByRef(backend: NodeApiBackend, ref: BlockRef): Promise<{ block: Block; certificate: QuorumCertificate | null } | undefined> {
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
  if (height > backend.finalizedHeight()) return undefined;
  const fb = await backend.getFinalizedBlock(height);
  return fb ? { block: fb.block, certificate: fb.certificate } : undefined;
}

/** The eth_* method group. */
export function ethMethods({ backend, writeGate }: MethodDeps): MethodTable {
  const noParams = z.tuple([]);
  const refOnly = z.tuple([txRefParam]);
  return {
    eth_chainId: defineMethod({ paramNames: [], params: noParams, call: () => toQuantity(backend.chainId) }),
    eth_blockNumber: defineMethod({ paramNames: [], params: noParams, call: () => toQuantity(backend.finalizedHeight()) }),
    eth_syncing: defineMethod({
      paramNames: [],
      params: noParams,
      call: () => {
        if (!backend.health().syncing) return false;
        const current = backend.finalizedHeight();
        return { startingBlock: toQuantity(current), currentBlock: toQuantity(current), highestBlock: toQuantity(Math.max(current, backend.headHeight())) };
      },
    }),

    eth_sendTransaction: defineMethod({
      paramNames: ['transaction'],
      params: z.tuple([transactionParam]),
      // Every vote of a batch goes to the node in one call: the pool admits them together.
      callMany: async (calls): Promise<CallOutcome[]> => {
        if (writeGate) {
          const gated = await writeGate.submit(calls.map((c) => ({ tx: c.params[0], id: c.ctx.id, session: c.ctx.session })));
          return gated.map((o) => ('error' in o ? o : o.ok ? { result: o.hash } : { error: submitError(o) }));
        }
        const outcomes = await backend.submit(calls.map((c) => ({ tx: c.params[0], submissionId: c.ctx.id === undefined || c.ctx.id === null ? undefined : String(c.ctx.id) })));
        return outcomes.map((o) => (o.ok ? { result: o.hash } : { error: submitError(o) }));
      },
    }),

    eth_getTransactionReceipt: defineMethod({
      paramNames: ['transactionHash'],
      params: refOnly,
      call: async ([ref]) => {
        const hash = await backend.resolveTxRef(ref);
        if (!hash) return null;
        const receipt = await backend.getReceipt(hash);
        return receipt ? formatReceipt(receipt) : null;
      },
    }),

    eth_getTransactionByHash: defineMethod({
      paramNames: ['transactionHash'],
      params: refOnly,
      call: async ([ref]) => {
        const hash = await backend.resolveTxRef(ref);
        const found = hash && (await backend.getTransaction(hash));
        if (!found) return null;
        return formatTransaction(found.tx, found.hash, backend.chainId, found);
      },
    }),

    eth_getBlockByNumber: defineMethod({
      paramNames: ['block', 'fullTransactions'],
      params: z.tuple([blockRefParam, optionalFlag]),
      call: async ([ref, full]) => {
        const found = await blockByRef(backend, ref);
        return found ? formatBlock(found.block, backend.authorities, found.certificate, full ?? false) : null;
      },
    }),

    eth_getBlockByHash: defineMethod({
      paramNames: ['blockHash', 'fullTransactions'],
      params: z.tuple([hashParam, optionalFlag]),
      call: async ([hash, full]) => {
        const fb = await backend.getFinalizedBlockByHash(hash as Hex);
        if (fb) return formatBlock(fb.block, backend.authorities, fb.certificate, full ?? false);
        const candidate = backend.candidateBlock();
        return candidate?.hash === hash ? formatBlock(candidate, backend.authorities, null, full ?? false) : null;
      },
    }),

    eth_subscribe: defineMethod({
      paramNames: ['subscription'],
      params: z.tuple([
        checked<SubscriptionTopic>((v) =>
          (SUBSCRIPTION_TOPICS as readonly unknown[]).includes(v) ? (v as SubscriptionTopic) : bad(`must be one of ${SUBSCRIPTION_TOPICS.map((t) => `"${t}"`).join(', ')}, got ${preview(v)}`),
        ),
      ]),
      call: ([topic], ctx) => {
        if (!ctx.session.push) throw new JsonRpcError(JsonRpcErrorCode.METHOD_NOT_FOUND, 'the method eth_subscribe is only available over WebSocket (path /ws)');
        return ctx.session.push.subscribe(topic);
      },
    }),

    eth_unsubscribe: defineMethod({
      paramNames: ['subscriptionId'],
      params: z.tuple([z.string({ error: 'must be a subscription id string' })]),
      call: ([id], ctx) => {
        if (!ctx.session.push) throw new JsonRpcError(JsonRpcErrorCode.METHOD_NOT_FOUND, 'the method eth_unsubscribe is only available over WebSocket (path /ws)');
        return ctx.session.push.unsubscribe(id);
      },
    }),
  };
}
