/**
 * One WebSocket connection: JSON-RPC over its frames (as over HTTP) plus eth_subscribe pushes.
 * A subscription's pushes start only after the reply carrying its id went out, so a client never
 * sees a push for an id it does not know yet.
 *
 * Bounded: at most `maxInFlight` messages of one connection are executed at once (more get
 * -32005 at once), and a client that does not read (unsent bytes over `maxBufferedBytes`) is
 * disconnected with 1013 before more work is done for it: two such clients sending one batch of
 * large answers each held 2 GB before. The reply budget can keep a non-reader's unsent data under
 * that limit (the kernel's socket buffers took the rest), so a client that takes none of its
 * unsent bytes for `stallMs` is disconnected too (`checkStall`, called by the server's sweep).
 */
import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../util/logger.js';
import type { Admission } from '../admission.js';
import { type JsonRpcServer, failure } from '../jsonrpc/server.js';
import { JsonRpcError, JsonRpcErrorCode, limitExceeded } from '../jsonrpc/errors.js';
import type { PushChannel, RpcSession } from '../jsonrpc/types.js';
import { SUBSCRIPTION_TOPICS, type SubscriptionTopic } from '../jsonrpc/methods/eth.js';
import type { SubscriptionHub } from './subscriptions.js';

/** Most subscriptions one connection may hold. */
const MAX_SUBSCRIPTIONS = 64;
/** How long a disconnected slow client gets for the close frame before its socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 1000;

export interface WsConnectionLimits {
  /** A client whose unsent data exceeds this is too slow (or not reading): it is disconnected. */
  maxBufferedBytes: number;
  /** Most messages of this connection executed at once. */
  maxInFlight: number;
  /** A client that holds unsent bytes and takes none of them for this long is disconnected. */
  stallMs: number;
}

const defaultWsLimits: WsConnectionLimits = { maxBufferedBytes: 16 * 1024 * 1024, maxInFlight: 4, stallMs: 5_000 };

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
  readonly #logger: Logger;
  readonly #subs = new Map<string, Subscription>();
  readonly #limits: WsConnectionLimits;
  readonly #admission: Admission | undefined;
  #inFlight = 0;
  /** Answer bytes built by the requests in flight, not yet handed to the socket. */
  #building = 0;
  #closing = false;
  /** Characters handed to the socket so far (text length: cheap, and never more than their bytes). */
  #sentChars = 0;
  /** Since when unsent bytes have been waiting without any being taken, and how much had been taken then. */
  #stall: { since: number; taken: number } | undefined;
  alive = true;

  constructor(
    ws: WebSocket,
    rpc: JsonRpcServer,
    hub: SubscriptionHub,
    logger: Logger,
    limits: Partial<WsConnectionLimits> = {},
    admission?: Admission,
  ) {
    this.#ws = ws;
    this.#rpc = rpc;
    this.#hub = hub;
    this.#logger = logger;
    this.#limits = { ...defaultWsLimits, ...limits };
    this.#admission = admission;
    this.session = { transport: 'ws', push: this };
    ws.on('message', (data) => this.#onMessage(data));
    ws.on('pong', () => (this.alive = true));
    ws.on('error', (e) => this.#logger.debug({ err: e }, 'websocket error'));
    ws.on('close', () => this.#dropAll());
  }

  /** Start a subscription (PushChannel). */
  subscribe(topic: string): string {
    return this.#subscribe(topic, undefined);
  }

  /** Unsent bytes of this connection. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** A subscription whose pushes wait in `held` until the reply of the message that created it went out. */
  #subscribe(topic: string, created: Subscription[] | undefined): string {
    if (!(SUBSCRIPTION_TOPICS as readonly string[]).includes(topic))
      throw new Error(`unknown subscription topic ${topic}`);
    if (this.#subs.size >= MAX_SUBSCRIPTIONS)
      throw new JsonRpcError(
        JsonRpcErrorCode.LIMIT_EXCEEDED,
        `a connection may hold at most ${MAX_SUBSCRIPTIONS} subscriptions`,
      );
    const id = `0x${randomBytes(16).toString('hex')}`;
    const prefix = `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":`;
    const sub: Subscription = { id, held: created ? [] : undefined, remove: () => {} };
    created?.push(sub);
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
    if (this.#closing) return;
    // A client that does not read its answers gets no more work done for it.
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#tooSlow(`over ${this.#limits.maxBufferedBytes} unsent bytes`);
      return;
    }
    const refused =
      this.#inFlight >= this.#limits.maxInFlight
        ? limitExceeded(
            `at most ${this.#limits.maxInFlight} requests of one connection run at once: wait for the answers`,
            'wsMaxInFlight',
            this.#limits.maxInFlight,
          )
        : this.#admission?.refusal();
    if (refused) {
      this.#send(JSON.stringify(failure(null, refused)));
      return;
    }
    const created: Subscription[] = [];
    let built = 0;
    const session: RpcSession = {
      transport: 'ws',
      push: { subscribe: (topic) => this.#subscribe(topic, created), unsubscribe: (id) => this.unsubscribe(id) },
      // This connection's unsent data and the answers its other requests have built so far.
      heldReplyBytes: () => this.#ws.bufferedAmount + this.#building - built,
      onReplyBytes: (bytes) => {
        built += bytes;
        this.#building += bytes;
      },
    };
    this.#inFlight++;
    this.#rpc
      .serveText(frameText(data), session)
      .then((reply) => {
        if (reply !== undefined) this.#send(reply);
      })
      .catch((e: unknown) => this.#logger.error({ err: e }, 'JSON-RPC over WebSocket failed'))
      .finally(() => {
        this.#inFlight--;
        this.#building -= built;
        for (const sub of created) this.#release(sub);
      });
  }

  /**
   * Disconnect the client if it has held unsent bytes since `stallMs` ago without taking any.
   * What it took is what was sent less what is still unsent: it grows whenever the client reads,
   * however much more is queued for it meanwhile (a slow subscriber that reads is never cut for
   * being behind; frame headers and multi-byte characters only make it smaller; the server offers
   * no per-message compression, which would break this count). Called
   * periodically; `now` in ms.
   */
  checkStall(now: number): void {
    if (this.#closing) return;
    const buffered = this.#ws.bufferedAmount;
    const taken = this.#sentChars - buffered;
    if (buffered === 0) this.#stall = undefined;
    else if (!this.#stall || taken > this.#stall.taken) this.#stall = { since: now, taken };
    else if (now - this.#stall.since >= this.#limits.stallMs)
      this.#tooSlow(`took none of ${buffered} unsent bytes in ${now - this.#stall.since} ms`);
  }

  /** Let a new subscription's held pushes go, after its subscribe reply. */
  #release(sub: Subscription): void {
    const held = sub.held;
    sub.held = undefined;
    if (this.#subs.get(sub.id) !== sub) return;
    for (const msg of held ?? []) this.#send(msg);
  }

  #send(text: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN || this.#closing) return;
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#tooSlow(`over ${this.#limits.maxBufferedBytes} unsent bytes`);
      return;
    }
    this.#ws.send(text);
    this.#sentChars += text.length;
  }

  /** Disconnect a client that does not read: its unsent data is freed with its socket. */
  #tooSlow(why: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#logger.warn(
      { buffered: this.#ws.bufferedAmount, limit: this.#limits.maxBufferedBytes, stallMs: this.#limits.stallMs },
      `websocket client too slow (${why}), disconnecting`,
    );
    this.#dropAll();
    this.#ws.close(1013, `client too slow: ${why}`);
    // The close frame waits behind the unsent data; a client that does not read never gets it.
    setTimeout(() => this.#ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }

  #dropAll(): void {
    for (const sub of this.#subs.values()) sub.remove();
    this.#subs.clear();
  }
}
