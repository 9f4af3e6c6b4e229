/**
 * The node's API server: one HTTP server carrying JSON-RPC (POST /rpc and POST /), the REST
 * routes (express) and WebSocket JSON-RPC with subscriptions (path /ws).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeApiBackend } from './interface.js';
import { type ApiLogger, silentLogger } from './logger.js';
import { JsonRpcServer } from './jsonrpc/server.js';
import { mapBackendError, registerNodeMethods } from './jsonrpc/methods/index.js';
import { createHttpApp } from './http/app.js';
import { createRpcHandler } from './http/rpc.js';
import { SubscriptionHub } from './ws/subscriptions.js';
import { WsConnection } from './ws/connection.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks an ephemeral port; read the bound one from `ApiServer.port`. */
  port: number;
  /** Largest HTTP request body and WebSocket message, in bytes. */
  maxBodyBytes: number;
  logger?: ApiLogger;
}

/** How often WebSocket clients are pinged; one missed pong and the connection is dropped. */
const WS_HEARTBEAT_MS = 30_000;
/** How long stop() lets WebSocket clients answer the close handshake. */
const WS_CLOSE_GRACE_MS = 500;

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The HTTP + JSON-RPC + WebSocket server of a validator node. */
export class ApiServer {
  /** The JSON-RPC dispatcher, shared by HTTP and WebSocket. */
  readonly rpc: JsonRpcServer;
  readonly #opts: ApiServerOptions;
  readonly #logger: ApiLogger;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #hub: SubscriptionHub;
  readonly #connections = new Map<WebSocket, WsConnection>();
  #heartbeat: NodeJS.Timeout | undefined;
  #boundPort: number | undefined;
  #state: 'new' | 'starting' | 'listening' | 'stopped' = 'new';

  constructor(backend: NodeApiBackend, opts: ApiServerOptions) {
    if (!Number.isSafeInteger(opts.maxBodyBytes) || opts.maxBodyBytes <= 0) throw new RangeError(`maxBodyBytes must be a positive integer, got ${opts.maxBodyBytes}`);
    if (!Number.isSafeInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new RangeError(`port must be 0-65535, got ${opts.port}`);
    this.#opts = opts;
    this.#logger = opts.logger ?? silentLogger;
    this.rpc = registerNodeMethods(new JsonRpcServer({ logger: this.#logger, mapError: mapBackendError }), { backend });
    this.#hub = new SubscriptionHub(backend, this.#logger);

    const rpcHandler = createRpcHandler(this.rpc, opts.maxBodyBytes, this.#logger);
    const app = createHttpApp(backend, this.#logger);
    this.#http = createServer((req, res) => {
      // The JSON-RPC hot path skips express entirely.
      if (req.method === 'POST') {
        const path = pathOf(req.url);
        if (path === '/rpc' || path === '/' || path === '/rpc/') {
          rpcHandler(req, res);
          return;
        }
      }
      app(req, res);
    });
    this.#http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code !== 'ECONNRESET' && socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });

    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxBodyBytes });
    this.#wss.on('connection', (ws) => this.#onConnection(ws));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (pathOf(req.url) !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      socket.on('error', () => socket.destroy());
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
    });
  }

  /** Start listening; resolves once the port is bound. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`ApiServer cannot start: it is ${this.#state}`);
    this.#state = 'starting';
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.#http.once('error', onError);
      this.#http.listen(this.#opts.port, this.#opts.host, () => {
        this.#http.off('error', onError);
        resolve();
      });
    }).catch((e: unknown) => {
      this.#state = 'stopped';
      throw e;
    });
    this.#boundPort = (this.#http.address() as AddressInfo).port;
    this.#http.on('error', (e) => this.#logger.error({ err: e }, 'HTTP server error'));
    this.#hub.start();
    this.#heartbeat = setInterval(() => this.#ping(), WS_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#state = 'listening';
    this.#logger.info({ host: this.#opts.host, port: this.port }, 'API listening');
  }

  /** The bound port (once started; still readable after stop). */
  get port(): number {
    if (this.#boundPort === undefined) throw new Error('ApiServer is not listening: call start() first');
    return this.#boundPort;
  }

  /** Close WebSocket clients, then the HTTP server with its keep-alive sockets. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    clearInterval(this.#heartbeat);
    this.#hub.stop();
    const clients = [...this.#connections.keys()];
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, WS_CLOSE_GRACE_MS);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1001, 'server shutting down');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }

  #onConnection(ws: WebSocket): void {
    const conn = new WsConnection(ws, this.rpc, this.#hub, this.#logger);
    this.#connections.set(ws, conn);
    ws.on('close', () => this.#connections.delete(ws));
  }

  #ping(): void {
    for (const [ws, conn] of this.#connections) {
      if (!conn.alive) {
        ws.terminate();
        continue;
      }
      conn.alive = false;
      ws.ping();
    }
  }
}
