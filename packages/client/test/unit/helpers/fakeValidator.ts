/**
 * A validator played by a small node:http server on 127.0.0.1 (port 0): /health, /rpc (single
 * and batch JSON-RPC), /results, /blockchain, /blocks/:n and a WebSocket /ws with eth_subscribe.
 * Every behaviour is a mutable field, so tests can make it fail, hang or lie mid-test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  type BlockchainBody,
  type FinalizedBlock,
  type JsonRpcResponse,
  type RpcResult,
  type Transaction,
  JsonRpcErrorCode,
  healthBody,
  resultsBody,
  toQuantity,
  txHash,
} from '@poa-vote/shared';

export interface RpcCall {
  method: string;
  params: unknown[];
  id: unknown;
}

/** Thrown by an rpc handler to answer with a JSON-RPC error. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type RpcHandler = (params: unknown[], call: RpcCall) => unknown;

/** How /rpc misbehaves for the whole request, when set. */
export type HttpFault = { status: number } | 'hang' | 'destroy';

export class FakeValidator {
  readonly nodeId: string;
  url = '';
  /** Every JSON-RPC call received (batches flattened). */
  readonly calls: RpcCall[] = [];
  /** Every HTTP request line received ("GET /health"). */
  readonly requests: string[] = [];
  rpcFault: HttpFault | undefined;
  healthFault: HttpFault | undefined;
  healthy = true;
  chainId = 1337;
  headHeight = 0;
  finalizedHeight = 0;
  blocks: FinalizedBlock[] = [];
  /** Finalized votes in any election, for poa_getElection. */
  voteCount = 0;
  /** Overrides the /results answer. */
  results: Record<string, unknown> | undefined;
  /** Overrides the /blockchain answer. */
  blockchain: Record<string, unknown> | undefined;
  /** Status by hash, for poa_getTransactionStatus. */
  readonly statuses = new Map<string, Record<string, unknown>>();
  /** Votes taken by the default eth_sendTransaction, by hash. */
  readonly received = new Map<string, Transaction>();
  /**
   * How the default poa_getTransactionStatus answers for a hash not in `statuses`: 'legacy' (an
   * old validator: `pending` for anything), or 'tracking' (a current one: `replicated` for a vote
   * it took, `unknown` otherwise).
   */
  statusMode: 'legacy' | 'tracking' = 'legacy';
  readonly rpc: Record<string, RpcHandler>;
  wsEnabled = true;
  /** eth_subscribe calls received. */
  subscribeCount = 0;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<Socket>();
  readonly #subs = new Map<string, { ws: WebSocket; topic: string }>();
  readonly #hanging = new Set<ServerResponse>();

  constructor(nodeId: string) {
    this.nodeId = nodeId;
    this.rpc = {
      eth_sendTransaction: (params) => {
        const hash = txHash(params[0] as Transaction);
        this.received.set(hash, params[0] as Transaction);
        return hash;
      },
      poa_getTransactionStatus: (params) => {
        const ref = String(params[0]);
        const set = this.statuses.get(ref);
        if (set) return set;
        if (this.statusMode === 'legacy') return { state: 'pending', hash: ref };
        return this.received.has(ref) ? { state: 'replicated', hash: ref } : { state: 'unknown', hash: null };
      },
      eth_getTransactionReceipt: () => null,
      eth_blockNumber: () => toQuantity(this.finalizedHeight),
      poa_getElection: (params): RpcResult<'poa_getElection'> => ({
        electionId: String(params[0]),
        voteCount: this.voteCount,
        finalizedHeight: this.finalizedHeight,
      }),
    };
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#server.on('upgrade', (req, socket, head) => {
      if (!this.wsEnabled || req.url !== '/ws') {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onWs(ws));
    });
  }

  /** Start a fake validator on an ephemeral loopback port. */
  static async start(
    nodeId: string,
    init: Partial<Pick<FakeValidator, 'finalizedHeight' | 'headHeight' | 'blocks' | 'chainId'>> = {},
  ): Promise<FakeValidator> {
    const v = new FakeValidator(nodeId);
    Object.assign(v, init);
    await new Promise<void>((resolve) => v.#server.listen(0, '127.0.0.1', resolve));
    v.url = `http://127.0.0.1:${(v.#server.address() as AddressInfo).port}`;
    return v;
  }

  /** The pool's view of this validator. */
  get config(): { nodeId: string; rpcUrl: string } {
    return { nodeId: this.nodeId, rpcUrl: this.url };
  }

  /** Calls of one method. */
  callsOf(method: string): RpcCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Push a head to every subscriber of a topic. */
  push(topic: 'finalizedHeads' | 'newHeads' | 'candidateHeads', head: Record<string, unknown>): number {
    let n = 0;
    for (const [id, s] of this.#subs) {
      if (s.topic !== topic) continue;
      s.ws.send(
        JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: id, result: head } }),
      );
      n++;
    }
    return n;
  }

  /** Number of live subscriptions. */
  get subscriptions(): number {
    return this.#subs.size;
  }

  /** Cut every WebSocket connection. */
  dropWebSockets(): void {
    for (const c of this.#wss.clients) c.terminate();
    this.#subs.clear();
  }

  async close(): Promise<void> {
    for (const c of this.#wss.clients) c.terminate();
    this.#wss.close();
    for (const r of this.#hanging) r.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onWs(ws: WebSocket): void {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id: number; method: string; params: unknown[] };
      if (msg.method === 'eth_subscribe') {
        this.subscribeCount++;
        const id = `0x${(this.subscribeCount + 1000).toString(16)}`;
        this.#subs.set(id, { ws, topic: String(msg.params[0]) });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: id }));
      } else if (msg.method === 'eth_unsubscribe') {
        this.#subs.delete(String(msg.params[0]));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: true }));
      }
    });
    ws.on('close', () => {
      for (const [id, s] of this.#subs) if (s.ws === ws) this.#subs.delete(id);
    });
  }

  #fault(fault: HttpFault | undefined, res: ServerResponse): boolean {
    if (fault === undefined) return false;
    if (fault === 'hang') this.#hanging.add(res);
    else if (fault === 'destroy') res.socket?.destroy();
    else this.#json(res, fault.status, { error: `fault ${fault.status}` });
    return true;
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/health') {
      if (this.#fault(this.healthFault, res)) return;
      const body = healthBody({
        healthy: this.healthy,
        nodeId: this.nodeId,
        chainId: this.chainId,
        headHeight: Math.max(this.headHeight, this.finalizedHeight),
        finalizedHeight: this.finalizedHeight,
        peers: 2,
        syncing: false,
        recovering: false,
        lastBlockAgeMs: 10,
        slot: 100,
        reasons: this.healthy ? [] : ['told to be unhealthy'],
      });
      return this.#json(res, this.healthy ? 200 : 503, body);
    }
    if (url.pathname === '/rpc' && req.method === 'POST') {
      if (this.#fault(this.rpcFault, res)) return;
      const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
      const one = async (c: { id: unknown; method: string; params?: unknown[] }): Promise<JsonRpcResponse> => {
        const id = c.id as JsonRpcResponse['id'];
        const call = { method: c.method, params: c.params ?? [], id: c.id };
        this.calls.push(call);
        const h = this.rpc[c.method];
        if (!h)
          return {
            jsonrpc: '2.0',
            id,
            error: { code: JsonRpcErrorCode.METHOD_NOT_FOUND, message: `method ${c.method} not found` },
          };
        try {
          return { jsonrpc: '2.0', id, result: await h(call.params, call) };
        } catch (e) {
          if (e instanceof RpcFailure)
            return {
              jsonrpc: '2.0',
              id,
              error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) },
            };
          return {
            jsonrpc: '2.0',
            id,
            error: { code: JsonRpcErrorCode.INTERNAL_ERROR, message: (e as Error).message },
          };
        }
      };
      const answer = Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body as RpcCall);
      return this.#json(res, 200, answer);
    }
    if (url.pathname === '/results') {
      return this.#json(
        res,
        200,
        this.results ??
          resultsBody({
            electionId: url.searchParams.get('election_id') ?? '',
            counts: {},
            total: 0,
            height: this.finalizedHeight,
          }),
      );
    }
    if (url.pathname === '/blockchain') {
      const body: BlockchainBody = {
        chain_id: this.chainId,
        node_id: this.nodeId,
        height: this.finalizedHeight,
        head_height: Math.max(this.headHeight, this.finalizedHeight),
        finalized_height: this.finalizedHeight,
        head_hash: this.blocks[this.finalizedHeight - 1]?.block.hash ?? null,
        authorities: [1, 2, 3].map((i) => ({ id: `validator-${i}`, public_key: '' })),
        election_id: url.searchParams.get('election_id'),
        vote_count: 0,
        verification: { chain_valid: true, checked_blocks: this.finalizedHeight, errors: [] },
      };
      return this.#json(res, 200, this.blockchain ?? body);
    }
    const m = /^\/blocks\/(\d+)$/.exec(url.pathname);
    if (m) {
      const fb = this.blocks[Number(m[1]) - 1];
      if (!fb || Number(m[1]) > this.finalizedHeight) return this.#json(res, 404, { error: 'not found' });
      return this.#json(res, 200, {
        height: fb.block.header.height,
        hash: fb.block.hash,
        finalized: true,
        block: fb.block,
        certificate: fb.certificate,
      });
    }
    this.#json(res, 404, { error: 'not found' });
  }
}

/** Start n fake validators validator-1..n. */
export async function startValidators(
  n: number,
  init: Parameters<typeof FakeValidator.start>[1] = {},
): Promise<FakeValidator[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => FakeValidator.start(`validator-${i + 1}`, init)));
}

/** Resolve when `cond` holds, polling every 10 ms; rejects after `timeoutMs` (a hang guard, not a performance check). */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
