/**
 * One WebSocket connection: JSON-RPC over its frames (as over HTTP) plus eth_subscribe pushes.
 * A subscription's pushes start only after the reply carrying its id went out, so a client never
 * sees a push for an id it does not know yet.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { ApiLogger } from '../logger.js';
import type { JsonRpcServer } from '../jsonrpc/server.js';
import { JsonRpcError, JsonRpcErrorCode } from '../jsonrpc/errors.js';
import type { PushChannel, RpcSession } from '../jsonrpc/types.js';
import { SUBSCRIPTION_TOPICS, type SubscriptionTopic } from '../jsonrpc/methods/eth.js';
import type { SubscriptionHub } from './subscriptions.js';

/** A client whose unsent data exceeds this is too slow to follow the chain: it is disconnected. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Most subscriptions one connection may hold. */
const MAX_SUBSCRIPTIONS = 64;

interface Subscription {
  id: string;
  remove: () => void;
  /** Pushes held until the subscribe reply is sent; undefined once live. */
  held: string[] | undefined;
}

function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The JSON-RPC session of one WebSocket. */
export class WsConnection implements PushChannel {
  readonly session: RpcSession;
  readonly #ws: WebSocket;
  readonly #rpc: JsonRpcServer;
  readonly #hub: SubscriptionHub;
  readonly #logger: ApiLogger;
  readonly #subs = new Map<string, Subscription>();
  /** Subscriptions created by the message being dispatched (the dispatcher calls methods synchronously). */
  #created: Subscription[] | undefined;
  alive = true;

  constructor(ws: WebSocket, rpc: JsonRpcServer, hub: SubscriptionHub, logger: ApiLogger) {
    this.#ws = ws;
    this.#rpc = rpc;
    this.#hub = hub;
    this.#logger = logger;
    this.session = { transport: 'ws', push: this };
    ws.on('message', (data) => this.#onMessage(data));
    ws.on('pong', () => (this.alive = true));
    ws.on('error', (e) => this.#logger.debug({ err: e }, 'websocket error'));
    ws.on('close', () => this.#dropAll());
  }

  /** Start a subscription (PushChannel). */
  subscribe(topic: string): string {
    if (!(SUBSCRIPTION_TOPICS as readonly string[]).includes(topic)) throw new Error(`unknown subscription topic ${topic}`);
    if (this.#subs.size >= MAX_SUBSCRIPTIONS) throw new JsonRpcError(JsonRpcErrorCode.LIMIT_EXCEEDED, `a connection may hold at most ${MAX_SUBSCRIPTIONS} subscriptions`);
    const id = `0x${randomBytes(16).toString('hex')}`;
    const prefix = `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":`;
    const sub: Subscription = { id, held: this.#created ? [] : undefined, remove: () => {} };
    this.#created?.push(sub);
    sub.remove = this.#hub.add(topic as SubscriptionTopic, (headerJson) => {
      const msg = `${prefix}${headerJson}}}`;
      if (sub.held) sub.held.push(msg);
      else this.#send(msg);
    });
    this.#subs.set(id, sub);
    return id;
  }

  /** End a subscription (PushChannel). */
  unsubscribe(id: string): boolean {
    const sub = this.#subs.get(id);
    if (!sub) return false;
    sub.remove();
    this.#subs.delete(id);
    return true;
  }

  /** Number of live subscriptions. */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  #onMessage(data: RawData): void {
    const created: Subscription[] = [];
    this.#created = created;
    let pending: ReturnType<JsonRpcServer['handleText']>;
    try {
      pending = this.#rpc.handleText(frameText(data), this.session);
    } finally {
      this.#created = undefined;
    }
    pending
      .then((reply) => {
        if (reply !== undefined) this.#send(JSON.stringify(reply));
      })
      .catch((e: unknown) => this.#logger.error({ err: e }, 'JSON-RPC over WebSocket failed'))
      .finally(() => {
        for (const sub of created) this.#release(sub);
      });
  }

  /** Let a new subscription's held pushes go, after its subscribe reply. */
  #release(sub: Subscription): void {
    const held = sub.held;
    sub.held = undefined;
    if (this.#subs.get(sub.id) !== sub) return;
    for (const msg of held ?? []) this.#send(msg);
  }

  #send(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#logger.warn({ buffered: this.#ws.bufferedAmount }, 'websocket client too slow, disconnecting');
      this.#ws.close(1013, 'client too slow');
      this.#dropAll();
      return;
    }
    this.#ws.send(text);
  }

  #dropAll(): void {
    for (const sub of this.#subs.values()) sub.remove();
    this.#subs.clear();
  }
}
