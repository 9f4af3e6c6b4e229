/**
 * An HTTP proxy on 127.0.0.1 in front of one real validator, the way a compromised or broken
 * node looks to a client: it forwards every request, and a test can rewrite the JSON it answers
 * (a block, a certificate, a tally), refuse WebSocket upgrades, or cut the sockets it carries.
 * It counts what went through so a test can tell push from polling.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { type Socket, connect } from 'node:net';

/** Rewrites a JSON answer to a GET: return the new body, or undefined to leave it as it is. */
export type Rewrite = (path: string, body: unknown) => unknown;

export class ValidatorProxy {
  /** Applied to every JSON answer to a GET while set. */
  rewrite: Rewrite | undefined;
  /** Destroy WebSocket upgrade requests instead of forwarding them. */
  refuseWebSockets = false;
  readonly counts = {
    /** HTTP requests forwarded. */
    http: 0,
    /** Answers changed by `rewrite`. */
    rewritten: 0,
    /** poa_getTransactionStatus calls forwarded (single or in batches): the polls and checks. */
    statusCalls: 0,
    /** WebSocket upgrades forwarded. */
    wsAccepted: 0,
    /** WebSocket upgrades refused. */
    wsRefused: 0,
    /** WebSocket connections destroyed by cutWebSockets(). */
    wsCut: 0,
  };
  readonly #server: Server;
  /** Client-side sockets of forwarded WebSocket connections. */
  readonly #tunnels = new Set<Socket>();

  private constructor(
    server: Server,
    readonly port: number,
    readonly targetPort: number,
  ) {
    this.#server = server;
  }

  /** Listen on an ephemeral 127.0.0.1 port and forward to 127.0.0.1:targetPort. */
  static async start(targetPort: number): Promise<ValidatorProxy> {
    let proxy: ValidatorProxy | undefined;
    const server = createServer((req, res) => void proxy!.#forward(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => proxy!.#upgrade(req, socket, head));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    proxy = new ValidatorProxy(server, port, targetPort);
    return proxy;
  }

  /** Base URL clients use instead of the validator's. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** WebSocket connections currently forwarded. */
  get openWebSockets(): number {
    return this.#tunnels.size;
  }

  /** Destroy every forwarded WebSocket connection (the client sees the socket drop). */
  cutWebSockets(): void {
    for (const s of this.#tunnels) {
      s.destroy();
      this.counts.wsCut++;
    }
    this.#tunnels.clear();
  }

  /** Stop listening and drop every connection. */
  async close(): Promise<void> {
    this.cutWebSockets();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.http++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length > 0) this.counts.statusCalls += body.toString().split('"poa_getTransactionStatus"').length - 1;
    const headers = { ...req.headers, host: `127.0.0.1:${this.targetPort}`, 'content-length': String(body.length) };
    const upstream = request(
      { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers },
      async (up) => {
        const parts: Buffer[] = [];
        for await (const c of up) parts.push(c as Buffer);
        let out = Buffer.concat(parts);
        const outHeaders = { ...up.headers };
        if (this.rewrite && req.method === 'GET' && String(up.headers['content-type'] ?? '').includes('json')) {
          try {
            const changed = this.rewrite(req.url ?? '/', JSON.parse(out.toString()));
            if (changed !== undefined) {
              this.counts.rewritten++;
              out = Buffer.from(JSON.stringify(changed));
              delete outHeaders.etag;
            }
          } catch (err) {
            // A broken rewrite is a test bug: make it loud at the client, not an unhandled rejection here.
            res
              .writeHead(500, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: `proxy rewrite failed: ${(err as Error).message}` }));
            return;
          }
        }
        outHeaders['content-length'] = String(out.length);
        delete outHeaders['transfer-encoding'];
        res.writeHead(up.statusCode ?? 502, outHeaders);
        res.end(out);
      },
    );
    upstream.on('error', (err) => {
      // The validator is down: answer like a gateway would, or drop the client if already answering.
      if (!res.headersSent)
        res
          .writeHead(502, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `upstream: ${err.message}` }));
      else res.destroy();
    });
    upstream.end(body);
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.refuseWebSockets) {
      this.counts.wsRefused++;
      socket.destroy();
      return;
    }
    this.counts.wsAccepted++;
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    this.#tunnels.add(socket);
    for (const s of [socket, upstream]) s.on('error', () => undefined);
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.on('close', () => {
      this.#tunnels.delete(socket);
      upstream.destroy();
    });
    upstream.on('close', () => socket.destroy());
  }
}
