/**
 * Reading validators from the page: JSON over HTTP (same origin, or other validators that list
 * this page's origin in --rpc-cors-origins) and head subscriptions over WebSocket. Every failure
 * becomes a sentence a person can act on.
 */

/** A validator answered with an error, or could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The page's own validator. */
export const SELF = location.origin;

/** A shorter name for a validator URL: its host, or "this validator". */
export function validatorName(base: string): string {
  if (base === SELF) return `this validator (${location.host})`;
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}

/** GET a JSON answer; `accept` lists the statuses besides 2xx whose bodies are answers. */
export async function getJson<T>(
  base: string,
  path: string,
  opts: { accept?: number[]; signal?: AbortSignal } = {},
): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(
      `${validatorName(base)} cannot be reached (${base === SELF ? 'is it running?' : 'is it running, and does it list this page in --rpc-cors-origins?'})`,
      undefined,
      undefined,
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(
      `${validatorName(base)} answered ${path} with something that is not JSON (HTTP ${res.status})`,
      res.status,
      undefined,
    );
  }
  if (!res.ok && !(opts.accept ?? []).includes(res.status)) {
    const msg =
      typeof (body as { error?: unknown })?.error === 'string'
        ? (body as { error: string }).error
        : `HTTP ${res.status}`;
    throw new ApiError(`${validatorName(base)}: ${msg}`, res.status, body);
  }
  return { status: res.status, body: body as T };
}

/** GET /health body. */
export interface HealthBody {
  status: string;
  healthy: boolean;
  node_id: string;
  chain_id: number;
  head_height: number;
  finalized_height: number;
  peers: number;
  syncing: boolean;
  recovering?: boolean;
  last_block_age_ms: number | null;
  slot: number;
  reasons: string[];
}

/** GET /results body. */
export interface ResultsBody {
  election_id: string;
  counts: Record<string, number>;
  total: number;
  height: number;
}

/** GET /blockchain body (the parts the page reads). */
export interface BlockchainBody {
  chain_id: number;
  node_id: string;
  finalized_height: number;
  authorities: { id: string; public_key: string }[];
  vote_count: number | null;
}

/** GET /transactions/:ref body. */
export interface TransactionBody {
  hash: string;
  transaction: { from: string; to: string; data: string } | null;
  blockHash: string | null;
  blockNumber: number | null;
  transactionIndex: number | null;
  state: { state: string; hash: string | null; reason?: string; blockNumber?: number };
}

/** GET /transactions/:ref/proof body (docs/PROTOCOL.md section 3.1). */
export interface ProofBody {
  transactionHash: string;
  blockNumber: number;
  blockHash: string;
  index: number;
  treeSize: number;
  leaf: string;
  siblings: string[];
  root: string;
  algorithm: string;
}

/** A head pushed by eth_subscribe (the fields the page reads). */
export interface HeadPush {
  number: string;
  hash: string;
  proposer: string;
  txCount: string;
  timestampMs: number;
}

export type HeadTopic = 'newHeads' | 'finalizedHeads';

/**
 * Subscribe to heads on a validator's /ws, reconnecting after a drop. Returns the unsubscribe.
 * `onState` reports whether the subscription is live, so the page can say when it is not.
 */
export function subscribeHeads(
  base: string,
  topics: HeadTopic[],
  onHead: (topic: HeadTopic, head: HeadPush) => void,
  onState: (live: boolean) => void,
): () => void {
  let ws: WebSocket | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = (): void => {
    const bySub = new Map<string, HeadTopic>();
    try {
      ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    } catch {
      onState(false);
      return;
    }
    ws.onopen = () => {
      topics.forEach((t, i) => {
        ws?.send(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'eth_subscribe', params: [t] }));
      });
    };
    ws.onmessage = (ev) => {
      let msg: { id?: number; result?: unknown; method?: string; params?: { subscription: string; result: HeadPush } };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (typeof msg.id === 'number' && typeof msg.result === 'string') {
        const topic = topics[msg.id - 1];
        if (topic) bySub.set(msg.result, topic);
        if (bySub.size === topics.length) onState(true);
      } else if (msg.method === 'eth_subscription' && msg.params) {
        const topic = bySub.get(msg.params.subscription);
        if (topic) onHead(topic, msg.params.result);
      }
    };
    ws.onclose = () => {
      onState(false);
      if (!closed) retry = setTimeout(open, 2000);
    };
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    ws?.close();
  };
}

/** A quantity ("0x1a") as a number. */
export function quantity(q: string): number {
  return Number.parseInt(q, 16);
}
