/**
 * What the validator answers, one schema per shape: transaction states, receipts, the /health,
 * /results and /blockchain bodies. Types are inferred from the schemas, so the server that
 * builds an answer and the client that parses it cannot drift apart.
 */
import { z } from 'zod';

/** A 0x-prefixed 32-byte hash, lower case. */
export const hashSchema = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, 'must be a 0x-prefixed 32-byte hex hash') as unknown as z.ZodType<`0x${string}`>;
const nat = z.number().int().nonnegative();

/**
 * Where a vote stands, as one validator sees it. `accepted`: in its pool, not yet known to be
 * held by a quorum. `replicated`: held durably by a quorum (what an acknowledgement promises).
 * `included`: in a candidate block with a polka. `finalized`: in a finalized block.
 * `rejected`: invalid or a double vote. `unknown`: this validator does not know it (hash null
 * when it was asked by a submission id it does not know).
 */
export const txStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('accepted'), hash: hashSchema }),
  z.object({ state: z.literal('replicated'), hash: hashSchema }),
  z.object({ state: z.literal('included'), hash: hashSchema, blockHash: hashSchema, blockNumber: nat }),
  z.object({
    state: z.literal('finalized'),
    hash: hashSchema,
    blockHash: hashSchema,
    blockNumber: nat,
    transactionIndex: nat,
  }),
  z.object({
    state: z.literal('rejected'),
    hash: hashSchema,
    reason: z.string(),
    conflictsWith: hashSchema.optional(),
  }),
  z.object({ state: z.literal('unknown'), hash: hashSchema.nullable(), submissionId: z.string().optional() }),
]);
/** poa_getTransactionStatus's answer. */
export type TxStateAnswer = z.infer<typeof txStateSchema>;
/** A state the node reports for a known hash (never the hash-less unknown of a submission id). */
export type TxState = Exclude<TxStateAnswer, { state: 'unknown' }> | { state: 'unknown'; hash: `0x${string}` };
/** The names of the states, in order of progress. */
export const TX_STATES = ['accepted', 'replicated', 'included', 'finalized', 'rejected', 'unknown'] as const;
export type TxStateName = (typeof TX_STATES)[number];

/** A finalized vote's receipt, as the node keeps it (eth_getTransactionReceipt hex-encodes it). */
export interface Receipt {
  transactionHash: `0x${string}`;
  transactionIndex: number;
  blockHash: `0x${string}`;
  blockNumber: number;
  from: string;
  to: string;
  /** Always 'success': a finalized vote has no failure mode (invalid votes never enter a block). */
  status: 'success';
}

/** The node's own view of whether it can serve (camelCase, as the node computes it). */
export interface HealthReport {
  /** true: this node can serve correct, current data (HTTP 200); false: fail over (HTTP 503). */
  healthy: boolean;
  reasons: string[];
  nodeId: string;
  chainId: number;
  headHeight: number;
  finalizedHeight: number;
  peers: number;
  syncing: boolean;
  /** Starting without its pool (new or wiped data directory): reading its peers' pools, taking no votes. */
  recovering: boolean;
  /** Milliseconds since the finalized head's slot started; null before block 1. */
  lastBlockAgeMs: number | null;
  slot: number;
  /**
   * Present on a node that started from a state snapshot: its height, and how far down the blocks
   * below it are stored (1 and `backfillComplete` once the chain is stored from the genesis).
   */
  snapshotSync?: { snapshotHeight: number; backfilledTo: number; backfillComplete: boolean };
}

/** GET /health body (snake_case, as the existing backends read it); HTTP 200 or 503. */
export const healthBodySchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  healthy: z.boolean(),
  node_id: z.string(),
  chain_id: nat,
  head_height: nat,
  finalized_height: nat,
  peers: nat,
  syncing: z.boolean(),
  recovering: z.boolean(),
  last_block_age_ms: nat.nullable(),
  slot: z.number().int(),
  reasons: z.array(z.string()),
  snapshot_sync: z.object({ snapshot_height: nat, backfilled_to: nat, backfill_complete: z.boolean() }).optional(),
});
export type HealthBody = z.infer<typeof healthBodySchema>;

/** The /health body of a report. */
export function healthBody(h: HealthReport): HealthBody {
  return {
    status: h.healthy ? 'healthy' : 'unhealthy',
    healthy: h.healthy,
    node_id: h.nodeId,
    chain_id: h.chainId,
    head_height: h.headHeight,
    finalized_height: h.finalizedHeight,
    peers: h.peers,
    syncing: h.syncing,
    recovering: h.recovering,
    last_block_age_ms: h.lastBlockAgeMs,
    slot: h.slot,
    reasons: h.reasons,
    ...(h.snapshotSync
      ? {
          snapshot_sync: {
            snapshot_height: h.snapshotSync.snapshotHeight,
            backfilled_to: h.snapshotSync.backfilledTo,
            backfill_complete: h.snapshotSync.backfillComplete,
          },
        }
      : {}),
  };
}

/**
 * A {name: count} map with non-negative integer counts, read into a record without prototype:
 * a name such as `__proto__` or `constructor` is an own property, an absent name reads undefined.
 */
export const countsSchema = z.unknown().transform((v, ctx): Record<string, number> => {
  const out = Object.create(null) as Record<string, number>;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of counts' });
    return out;
  }
  for (const [k, c] of Object.entries(v)) {
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      ctx.addIssue({ code: 'custom', path: [k], message: `must be a non-negative integer, got ${JSON.stringify(c)}` });
      continue;
    }
    out[k] = c;
  }
  return out;
});

/** An election's tally over the finalized chain. */
export interface ElectionResults {
  electionId: string;
  /** Votes by candidate; unreadable ballots count under "sealed", names beyond the limit under "other". */
  counts: Record<string, number>;
  total: number;
  /** Finalized height the counts reflect. */
  height: number;
  /** Configured elections (docs/ELECTIONS.md): the ballot format and the phase at `height`. */
  ballotFormat?: 'plain' | 'encrypted';
  phase?: string;
  /** Encrypted elections once decrypted: what was checked to obtain the counts. */
  verification?: Record<string, unknown>;
}

/** GET /results body; `results` and `counts` are the same tally (older backends read `results`). */
export const resultsBodySchema = z.object({
  election_id: z.union([z.string(), z.number()]).transform(String),
  results: countsSchema,
  counts: countsSchema.optional(),
  total: nat,
  height: nat,
  ballot_format: z.enum(['plain', 'encrypted']).optional(),
  phase: z.string().optional(),
  verification: z.record(z.string(), z.unknown()).optional(),
});
export type ResultsBody = z.input<typeof resultsBodySchema>;

/** The /results body of a tally. */
export function resultsBody(r: ElectionResults): ResultsBody {
  return {
    election_id: r.electionId,
    results: r.counts,
    counts: r.counts,
    total: r.total,
    height: r.height,
    ...(r.ballotFormat !== undefined ? { ballot_format: r.ballotFormat } : {}),
    ...(r.phase !== undefined ? { phase: r.phase } : {}),
    ...(r.verification !== undefined ? { verification: r.verification } : {}),
  };
}

/** The node's audit of its own stored chain (informative: clients verify for themselves). */
export interface ChainVerification {
  chain_valid: boolean;
  checked_blocks: number;
  errors: string[];
}

/** GET /blockchain body. */
export const blockchainBodySchema = z.object({
  chain_id: nat,
  node_id: z.string(),
  height: nat,
  head_height: nat,
  finalized_height: nat,
  head_hash: hashSchema.nullable(),
  authorities: z.array(z.object({ id: z.string(), name: z.string().optional(), public_key: z.string() })),
  election_id: z.string().nullable(),
  vote_count: nat.nullable(),
  verification: z.object({ chain_valid: z.boolean(), checked_blocks: nat, errors: z.array(z.string()) }),
});
export type BlockchainBody = z.infer<typeof blockchainBodySchema>;
