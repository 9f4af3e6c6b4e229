/**
 * The node's API server: one HTTP server carrying JSON-RPC (POST /rpc and POST /), the REST
 * routes (express) and WebSocket JSON-RPC with subscriptions (path /ws).
 *
 * Every request first passes the browser checks (Host, Origin: http/browser.ts); the limits of
 * options.ts bound connections, pipelining, WebSocket buffers and, through Admission, the memory
 * all clients together can make the node hold. GET /health is never refused for load.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeApiBackend } from './interface.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { JsonRpcServer } from './jsonrpc/server.js';
import { mapBackendError, registerNodeMethods } from './jsonrpc/methods/index.js';
import { createHttpApp } from './http/app.js';
import { BrowserGuard, type Refusal } from './http/browser.js';
import { createRpcHandler } from './http/rpc.js';
import { sendJson } from './http/respond.js';
import { failure } from './jsonrpc/server.js';
import { JsonRpcError, JsonRpcErrorCode, limitExceeded } from './jsonrpc/errors.js';
import { Admission } from './admission.js';
import { type ApiLimits, resolveApiLimits } from './options.js';
import { SubscriptionHub } from './ws/subscriptions.js';
import { WsConnection } from './ws/connection.js';
import { openRpcDocument } from './describe/openrpc.js';
import { WriteGate, type WriteAccessOptions, clientOfRequest, httpSession, withClient } from './auth/index.js';
import type { ReloadResult } from './auth/apiTokenFile.js';
import type { ApiMetrics } from '../metrics/interface.js';
import { routeName } from './http/routeName.js';
import { openApiDocument } from './describe/openapi.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks an ephemeral port; read the bound one from `ApiServer.port`. */
  port: number;
  /** Largest HTTP request body and WebSocket message, in bytes. */
  maxBodyBytes: number;
  logger?: Logger;
  /** Limits besides the body size; unset ones come from setProcessApiLimits(), then defaultApiLimits. */
  limits?: Partial<ApiLimits>;
  /** Who may write and how fast; default: the backend's writeAccess(), else open writes with default limits. */
  writes?: WriteAccessOptions;
  /** Where requests are counted and what GET /metrics serves; none: no /metrics (404). */
  metrics?: ApiMetrics;
}

/** How often WebSocket clients are pinged; one missed pong and the connection is dropped. */
const WS_HEARTBEAT_MS = 30_000;
/** How often WebSocket connections are checked for a client that takes none of its unsent data. */
const WS_STALL_SWEEP_MS = 1_000;
/** How long stop() lets WebSocket clients answer the close handshake. */
const WS_CLOSE_GRACE_MS = 500;

/** A raw HTTP response on a socket that is not (yet) a WebSocket: used to refuse upgrades. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function isRpcPath(path: string): boolean {
  return path === '/rpc' || path === '/' || path === '/rpc/';
}

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
  readonly #logger: Logger;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #hub: SubscriptionHub;
  readonly #connections = new Map<WebSocket, WsConnection>();
  readonly #perIp = new Map<string, number>();
  /** Unanswered requests per HTTP connection. */
  readonly #pipelined = new WeakMap<Socket, number>();
  /** The effective limits. */
  readonly limits: ApiLimits;
  readonly #admission: Admission;
  /** Credentials, write rates and submission-id binding of eth_sendTransaction. */
  readonly writeGate: WriteGate;
  #heartbeat: NodeJS.Timeout | undefined;
  #stallSweep: NodeJS.Timeout | undefined;
  #boundPort: number | undefined;
  #state: 'new' | 'starting' | 'listening' | 'stopped' = 'new';

  constructor(backend: NodeApiBackend, opts: ApiServerOptions) {
    if (!Number.isSafeInteger(opts.maxBodyBytes) || opts.maxBodyBytes <= 0)
      throw new RangeError(`maxBodyBytes must be a positive integer, got ${opts.maxBodyBytes}`);
    if (!Number.isSafeInteger(opts.port) || opts.port < 0 || opts.port > 65535)
      throw new RangeError(`port must be 0-65535, got ${opts.port}`);
    this.#opts = opts;
    this.#logger = opts.logger ?? silentLogger;
    const limits = resolveApiLimits(opts.limits);
    this.limits = limits;
    this.writeGate = new WriteGate(
      backend,
      opts.writes ?? backend.writeAccess?.() ?? { openWrites: true },
      this.#logger,
    );
    const metrics = opts.metrics;
    this.rpc = registerNodeMethods(
      new JsonRpcServer({
        logger: this.#logger,
        mapError: mapBackendError,
        limits,
        ...(metrics ? { onCall: (m: string) => metrics.rpcCall(m) } : {}),
      }),
      { backend, writeGate: this.writeGate },
    );
    const describeRoutes = new DescribeRoutes(this.rpc, backend.clientVersion, metrics, this.#logger);
    this.#hub = new SubscriptionHub(backend, this.#logger);
    this.#admission = new Admission(limits, () => {
      let sum = 0;
      for (const conn of this.#connections.values()) sum += conn.bufferedAmount;
      return sum;
    });
    const guard = new BrowserGuard(limits.vhosts, limits.corsOrigins, opts.host);

    const rpcHandler = createRpcHandler(this.rpc, {
      maxBodyBytes: opts.maxBodyBytes,
      guard,
      admission: this.#admission,
      logger: this.#logger,
      sessionOf: httpSession,
    });
    const app = createHttpApp(backend, this.#logger);
    this.#http = createServer(
      {
        headersTimeout: limits.httpHeadersTimeoutMs,
        requestTimeout: Math.max(limits.httpRequestTimeoutMs, limits.httpHeadersTimeoutMs),
      },
      (req, res) => {
        const path = pathOf(req.url);
        if (metrics) {
          const started = performance.now();
          res.once('finish', () =>
            metrics.httpRequest(
              routeName(path),
              req.method ?? 'GET',
              res.statusCode,
              (performance.now() - started) / 1000,
            ),
          );
        }
        const refused = guard.check(req);
        if (refused) {
          this.#refuse(res, refused, req.method === 'POST' && isRpcPath(path));
          return;
        }
        // node's http runs every request pipelined on a connection at once and holds their answers
        // until the client reads: 200 pipelined GETs of a 5 MB block held 1 GB. Bound them.
        const socket = req.socket;
        const pipelined = (this.#pipelined.get(socket) ?? 0) + 1;
        this.#pipelined.set(socket, pipelined);
        res.once('close', () => this.#pipelined.set(socket, (this.#pipelined.get(socket) ?? 1) - 1));
        if (pipelined > limits.httpMaxPipelined) {
          const max = limits.httpMaxPipelined;
          const error = limitExceeded(
            `more than ${max} unanswered requests on one connection: read the answers before sending more`,
            'httpMaxPipelined',
            max,
          );
          sendJson(
            res,
            429,
            req.method === 'POST' && isRpcPath(path)
              ? failure(null, error)
              : { error: error.message, ...(error.data as object) },
            { connection: 'close' },
          );
          return;
        }
        guard.addCorsHeaders(req, res);
        if (req.method === 'OPTIONS') {
          guard.preflight(req, res);
          return;
        }
        // The JSON-RPC hot path skips express entirely.
        if (req.method === 'POST' && isRpcPath(path)) {
          rpcHandler(req, res);
          return;
        }
        if (req.method === 'GET' && describeRoutes.serve(path, res)) return;
        app(req, res);
      },
    );
    this.#http.maxConnections = limits.httpMaxConnections;
    this.#http.keepAliveTimeout = limits.httpKeepAliveTimeoutMs;
    this.#http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code !== 'ECONNRESET' && socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });

    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxBodyBytes });
    this.#wss.on('connection', (ws, req: IncomingMessage) => this.#onConnection(ws, req));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if (pathOf(req.url) !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const refused = guard.check(req);
      if (refused) {
        refuseUpgrade(socket, 403, 'Forbidden', { error: refused.message, ...refused.data });
        return;
      }
      const ip = socket.remoteAddress ?? '';
      if (this.#connections.size >= limits.wsMaxConnections) {
        refuseUpgrade(socket, 503, 'Service Unavailable', {
          error: `limit exceeded: the node serves at most ${limits.wsMaxConnections} WebSocket connections`,
          limit: 'wsMaxConnections',
          value: limits.wsMaxConnections,
        });
        return;
      }
      if ((this.#perIp.get(ip) ?? 0) >= limits.wsMaxConnectionsPerIp) {
        refuseUpgrade(socket, 429, 'Too Many Requests', {
          error: `limit exceeded: at most ${limits.wsMaxConnectionsPerIp} WebSocket connections per address`,
          limit: 'wsMaxConnectionsPerIp',
          value: limits.wsMaxConnectionsPerIp,
        });
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
    });
  }

  /** Answer a request refused by the browser checks: a JSON-RPC error body on the RPC path, {error} elsewhere. */
  #refuse(res: ServerResponse, refused: Refusal, rpcPath: boolean): void {
    const body = rpcPath
      ? failure(null, new JsonRpcError(JsonRpcErrorCode.INVALID_REQUEST, refused.message, refused.data))
      : { error: refused.message, ...refused.data };
    sendJson(res, refused.status, body, { connection: 'close' });
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
    this.writeGate.start();
    this.#heartbeat = setInterval(() => this.#ping(), WS_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#stallSweep = setInterval(() => {
      const now = Date.now();
      for (const conn of this.#connections.values()) conn.checkStall(now);
    }, WS_STALL_SWEEP_MS);
    this.#stallSweep.unref();
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
    clearInterval(this.#stallSweep);
    this.#hub.stop();
    this.writeGate.stop();
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

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    const limits = this.limits;
    const conn = new WsConnection(
      ws,
      withClient(this.rpc, clientOfRequest(req)),
      this.#hub,
      this.#logger,
      { maxBufferedBytes: limits.wsMaxBufferedBytes, maxInFlight: limits.wsMaxInFlight, stallMs: limits.wsStallMs },
      this.#admission,
    );
    const ip = req.socket.remoteAddress ?? '';
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    this.#connections.set(ws, conn);
    ws.on('close', () => {
      this.#connections.delete(ws);
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.#perIp.set(ip, left);
      else this.#perIp.delete(ip);
    });
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

  /** Read the API tokens file again (SIGHUP); undefined when the node has none. */
  reloadApiTokens(reason = 'requested'): ReloadResult | undefined {
    return this.writeGate.reloadTokens(reason);
  }
}

/** GET /openrpc.json, /openapi.json and /metrics: answered before express, each document built once. */
class DescribeRoutes {
  #openRpc: string | undefined;
  #openApi: string | undefined;

  constructor(
    readonly rpc: JsonRpcServer,
    readonly version: string,
    readonly metrics: ApiMetrics | undefined,
    readonly logger: Logger,
  ) {}

  /** Answer the request if its path is one of these routes. */
  serve(path: string, res: ServerResponse): boolean {
    switch (path) {
      case '/openrpc.json':
        this.#openRpc ??= JSON.stringify(
          openRpcDocument(this.rpc.methods(), { title: 'poa-evoting validator JSON-RPC', version: this.version }),
        );
        this.#sendText(res, 200, 'application/json; charset=utf-8', this.#openRpc);
        return true;
      case '/openapi.json':
        this.#openApi ??= JSON.stringify(
          openApiDocument({ title: 'poa-evoting validator HTTP API', version: this.version }),
        );
        this.#sendText(res, 200, 'application/json; charset=utf-8', this.#openApi);
        return true;
      case '/metrics': {
        const metrics = this.metrics;
        if (!metrics) return false;
        metrics.render().then(
          (text) => this.#sendText(res, 200, metrics.contentType, text),
          (e: unknown) => {
            this.logger.error({ err: e }, 'cannot render metrics');
            sendJson(res, 500, { error: 'cannot render metrics' });
          },
        );
        return true;
      }
      default:
        return false;
    }
  }

  #sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
    });
    res.end(text);
  }
}
