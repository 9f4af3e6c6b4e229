/**
 * A TCP proxy on loopback that a test can cut and heal: the partition tool of the fault tests.
 * Cut, it resets every connection through it and resets new ones as soon as they arrive, which
 * is what a peer sees when a link goes down and its redials fail.
 */
import { type Server, type Socket, createConnection, createServer } from 'node:net';

export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  /** Connections accepted (forwarded or reset) since start. */
  accepted = 0;
  /** Connections reset because the proxy was cut. */
  refused = 0;

  private constructor(
    server: Server,
    readonly port: number,
    readonly targetPort: number,
  ) {
    this.#server = server;
  }

  /** Listen on an ephemeral 127.0.0.1 port and forward to 127.0.0.1:targetPort. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.#accept(client));
    const port = await new Promise<number>((res, rej) => {
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port));
    });
    proxy = new TcpProxy(server, port, targetPort);
    return proxy;
  }

  /** The multiaddr a peer dials to go through this proxy. */
  get multiaddr(): string {
    return `/ip4/127.0.0.1/tcp/${this.port}`;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  /** Connections currently forwarded. */
  get open(): number {
    return this.#sockets.size / 2;
  }

  #accept(client: Socket): void {
    this.accepted++;
    if (this.#cut) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      // A reset or refused upstream ends the pair; the other side sees the connection drop.
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Reset every forwarded connection and every new one until heal(). */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.resetAndDestroy();
    this.#sockets.clear();
  }

  /** Forward new connections again. */
  heal(): void {
    this.#cut = false;
  }

  /** Stop listening and drop every connection. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
