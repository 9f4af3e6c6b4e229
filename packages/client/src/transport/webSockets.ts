/** One lazily opened WebSocket transport per validator, shared by every waiter of a client. */
import { wsUrlOf, WebSocketTransport, type WebSocketTransportOptions } from './ws.js';

/** WebSocket transports keyed by validator id. */
export class WebSocketRegistry {
  readonly #transports = new Map<string, WebSocketTransport>();
  #closed = false;

  /**
   * @example
   * const sockets = new WebSocketRegistry();
   * sockets.get('validator-1', 'http://localhost:8001').subscribe(['finalizedHeads'], { onData: console.log });
   */
  constructor(readonly options: WebSocketTransportOptions = {}) {}

  /** The transport of a validator (ws URL derived from its RPC URL). */
  get(nodeId: string, rpcUrl: string): WebSocketTransport {
    let t = this.#transports.get(nodeId);
    if (!t) {
      t = new WebSocketTransport(wsUrlOf(rpcUrl), this.options);
      if (this.#closed) t.close();
      this.#transports.set(nodeId, t);
    }
    return t;
  }

  /** Close every socket. */
  close(): void {
    this.#closed = true;
    for (const t of this.#transports.values()) t.close();
  }
}
