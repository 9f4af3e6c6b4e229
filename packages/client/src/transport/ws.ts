/**
 * WebSocket transport to one validator, for eth_subscribe push notifications. It connects on
 * the first subscription, re-subscribes after reconnecting (exponential backoff), detects dead
 * sockets with ping/pong, and disconnects when the last subscription goes: no idle timers.
 * Local subscribers with the same params share one server subscription, so a thousand votes
 * waiting for finality cost one eth_subscribe (validators cap subscriptions per connection).
 */
import WebSocket from 'ws';
import { InvalidArgumentError, RpcError } from '../errors.js';
import { backoffDelay } from '../utils/sleep.js';
import { bearerHeader } from './http.js';

export interface WebSocketTransportOptions {
  /** Reconnection backoff; false disables reconnecting. */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number } | false;
  /** Ping interval; a socket that misses a pong is dropped. 0 disables. */
  keepAliveMs?: number;
  /** Opening handshake timeout. */
  connectTimeoutMs?: number;
  /** API token sent as `Authorization: Bearer <token>` on the upgrade request. */
  apiToken?: string;
  /** Extra headers of the upgrade request. */
  headers?: Record<string, string>;
}

export interface SubscriptionHandlers {
  /** One pushed `params.result`. */
  onData: (result: unknown) => void;
  /** The validator confirmed the subscription (again, after a reconnect). */
  onSubscribed?: () => void;
  /** The subscription stopped delivering (socket dropped, or the validator refused it). */
  onLost?: (error: Error) => void;
}

export interface Subscription {
  unsubscribe(): void;
}

export type WebSocketState = 'idle' | 'connecting' | 'open' | 'closed';

/** One eth_subscribe on the wire, shared by every local subscriber with the same params. */
interface Channel {
  params: unknown[];
  listeners: Set<SubscriptionHandlers>;
  serverId?: string | undefined;
  refused?: boolean;
}

/**
 * ws(s)://host/ws of a validator's http(s):// RPC URL.
 * @example
 * wsUrlOf('http://localhost:8001') // 'ws://localhost:8001/ws'
 */
export function wsUrlOf(rpcUrl: string): string {
  let u: URL;
  try {
    u = new URL(rpcUrl);
  } catch {
    throw new InvalidArgumentError('rpcUrl', `${JSON.stringify(rpcUrl)} is not a URL`);
  }
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/ws`;
  return u.toString();
}

/** Subscriptions to one validator's WebSocket endpoint. */
export class WebSocketTransport {
  readonly url: string;
  readonly #opts: {
    reconnect: { baseDelayMs: number; maxDelayMs: number } | false;
    keepAliveMs: number;
    connectTimeoutMs: number;
    headers: Record<string, string>;
  };
  readonly #channels = new Map<string, Channel>();
  readonly #byServerId = new Map<string, Channel>();
  /** eth_subscribe request id -> channel. */
  readonly #pending = new Map<number, Channel>();
  #socket: WebSocket | undefined;
  #state: WebSocketState = 'idle';
  #nextRequest = 1;
  #retries = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #awaitingPong = false;

  /**
   * @example
   * const ws = new WebSocketTransport('ws://localhost:8001/ws');
   * const sub = ws.subscribe(['finalizedHeads'], { onData: (head) => console.log(head) });
   * sub.unsubscribe();
   */
  constructor(url: string, options: WebSocketTransportOptions = {}) {
    if (!/^wss?:\/\//.test(url)) throw new InvalidArgumentError('url', `${url} must be ws:// or wss://`);
    this.url = url;
    this.#opts = {
      reconnect:
        options.reconnect === false
          ? false
          : { baseDelayMs: options.reconnect?.baseDelayMs ?? 250, maxDelayMs: options.reconnect?.maxDelayMs ?? 5000 },
      keepAliveMs: options.keepAliveMs ?? 15_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      headers: { ...options.headers, ...(options.apiToken !== undefined ? bearerHeader(options.apiToken) : {}) },
    };
  }

  /** Connection state. */
  get state(): WebSocketState {
    return this.#state;
  }

  /** Number of server subscriptions (distinct params) wanted. */
  get subscriptionCount(): number {
    return this.#channels.size;
  }

  /** Subscribe with eth_subscribe(params); connects if needed. */
  subscribe(params: unknown[], handlers: SubscriptionHandlers): Subscription {
    if (this.#state === 'closed') throw new InvalidArgumentError('subscribe', 'the WebSocket transport is closed');
    const key = JSON.stringify(params);
    // A copy: the same handlers object may subscribe twice and must be removable once each.
    const own: SubscriptionHandlers = { ...handlers };
    const existing = this.#channels.get(key);
    const ch: Channel = existing ?? { params, listeners: new Set() };
    ch.listeners.add(own);
    if (!existing) {
      this.#channels.set(key, ch);
      if (this.#state === 'open') this.#sendSubscribe(ch);
      else if (this.#state === 'idle' && this.#reconnectTimer === undefined) this.#connect();
    } else if (ch.serverId !== undefined) {
      // Already live: tell the newcomer once it holds its handle.
      queueMicrotask(() => {
        if (ch.listeners.has(own)) own.onSubscribed?.();
      });
    }
    let done = false;
    return {
      unsubscribe: () => {
        if (done) return;
        done = true;
        this.#unsubscribe(key, ch, own);
      },
    };
  }

  /** Drop the socket and every subscription; no callbacks fire afterwards. */
  close(): void {
    this.#state = 'closed';
    this.#channels.clear();
    this.#teardown();
  }

  #teardown(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    this.#byServerId.clear();
    this.#pending.clear();
    const s = this.#socket;
    this.#socket = undefined;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => {});
      s.terminate();
    }
  }

  #connect(): void {
    this.#state = 'connecting';
    const socket = new WebSocket(this.url, {
      handshakeTimeout: this.#opts.connectTimeoutMs,
      headers: this.#opts.headers,
    });
    this.#socket = socket;
    socket.on('open', () => {
      this.#state = 'open';
      this.#retries = 0;
      this.#startKeepAlive(socket);
      for (const channel of this.#channels.values()) this.#sendSubscribe(channel);
    });
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.on('pong', () => {
      this.#awaitingPong = false;
    });
    // 'close' always follows 'error'; the close handler does the work.
    socket.on('error', () => {});
    socket.on('close', () => this.#onClose(socket));
  }

  #startKeepAlive(socket: WebSocket): void {
    if (this.#opts.keepAliveMs <= 0) return;
    this.#awaitingPong = false;
    this.#pingTimer = setInterval(() => {
      if (this.#awaitingPong) {
        socket.terminate();
        return;
      }
      this.#awaitingPong = true;
      socket.ping();
    }, this.#opts.keepAliveMs);
    this.#pingTimer.unref();
  }

  #onClose(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    this.#socket = undefined;
    this.#byServerId.clear();
    this.#pending.clear();
    if (this.#state === 'closed') return;
    this.#state = 'idle';
    const lost = new Error(`WebSocket ${this.url} closed`);
    for (const channel of this.#channels.values()) {
      const had = channel.serverId !== undefined;
      channel.serverId = undefined;
      channel.refused = false;
      // Only confirmed subscriptions are lost; the others never delivered anything.
      if (had) for (const l of [...channel.listeners]) l.onLost?.(lost);
    }
    if (this.#channels.size > 0 && this.#opts.reconnect !== false) {
      this.#retries++;
      const delay = backoffDelay(this.#retries, this.#opts.reconnect.baseDelayMs, this.#opts.reconnect.maxDelayMs);
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = undefined;
        if (this.#state === 'idle' && this.#channels.size > 0) this.#connect();
      }, delay);
      this.#reconnectTimer.unref();
    }
  }

  #sendSubscribe(channel: Channel): void {
    if (!this.#socket || channel.refused) return;
    const requestId = this.#nextRequest++;
    this.#pending.set(requestId, channel);
    this.#socket.send(
      JSON.stringify({ jsonrpc: '2.0', id: requestId, method: 'eth_subscribe', params: channel.params }),
    );
  }

  #unsubscribe(key: string, channel: Channel, listener: SubscriptionHandlers): void {
    channel.listeners.delete(listener);
    if (channel.listeners.size > 0 || this.#channels.get(key) !== channel) return;
    this.#channels.delete(key);
    if (channel.serverId !== undefined) {
      this.#byServerId.delete(channel.serverId);
      if (this.#state === 'open')
        this.#socket?.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: this.#nextRequest++,
            method: 'eth_unsubscribe',
            params: [channel.serverId],
          }),
        );
    }
    if (this.#channels.size === 0 && this.#state !== 'closed') {
      this.#teardown();
      this.#state = 'idle';
      this.#retries = 0;
    }
  }

  #onMessage(text: string): void {
    let msg: {
      id?: unknown;
      method?: unknown;
      params?: { subscription?: unknown; result?: unknown };
      result?: unknown;
      error?: { code?: unknown; message?: unknown; data?: unknown };
    };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if (msg.method === 'eth_subscription' && msg.params) {
      const channel = this.#byServerId.get(String(msg.params.subscription));
      if (channel) for (const l of [...channel.listeners]) l.onData(msg.params.result);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const channel = this.#pending.get(msg.id);
    if (channel === undefined) return;
    this.#pending.delete(msg.id);
    if (this.#channels.get(JSON.stringify(channel.params)) !== channel) {
      // Everyone left while the subscription was being set up.
      if (typeof msg.result === 'string' && this.#state === 'open')
        this.#socket?.send(
          JSON.stringify({ jsonrpc: '2.0', id: this.#nextRequest++, method: 'eth_unsubscribe', params: [msg.result] }),
        );
      return;
    }
    if (msg.error || (typeof msg.result !== 'string' && typeof msg.result !== 'number')) {
      channel.refused = true;
      const e = msg.error ?? {};
      const err = new RpcError({
        code: typeof e.code === 'number' ? e.code : -32603,
        message: String(e.message ?? 'eth_subscribe refused'),
        data: e.data,
        url: this.url,
      });
      for (const l of [...channel.listeners]) l.onLost?.(err);
      return;
    }
    channel.serverId = String(msg.result);
    this.#byServerId.set(channel.serverId, channel);
    for (const l of [...channel.listeners]) l.onSubscribed?.();
  }
}
