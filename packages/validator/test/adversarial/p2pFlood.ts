/**
 * Raw TCP attackers for the p2p port, loopback only: silent connections that never start the
 * libp2p handshake (reopened when the validator drops them, as a persistent attacker would), and
 * connections that send garbage.
 */
import { Socket, connect } from 'node:net';

/** Only loopback targets: these helpers must never aim at another host. */
const LOOPBACK = '127.0.0.1';

export interface FloodStats {
  opened: number;
  /** Sockets the validator closed (or refused) while the attacker wanted them open. */
  dropped: number;
  /** Longest time one silent socket stayed open, ms. */
  longestOpenMs: number;
}

/** Keeps `perPort` silent connections open to each port; each one dropped is reopened after `reopenMs`. */
export class SilentFlood {
  readonly stats: FloodStats = { opened: 0, dropped: 0, longestOpenMs: 0 };
  readonly #sockets = new Set<Socket>();
  #stopped = false;

  constructor(
    private readonly ports: readonly number[],
    private readonly perPort: number,
    private readonly reopenMs = 100,
    /** Bytes each socket sends once connected (none: silent). */
    private readonly payload?: () => Uint8Array,
  ) {}

  start(): this {
    for (const port of this.ports) for (let i = 0; i < this.perPort; i++) this.#open(port);
    return this;
  }

  #open(port: number): void {
    if (this.#stopped) return;
    const s = connect({ host: LOOPBACK, port });
    const opened = Date.now();
    this.#sockets.add(s);
    s.on('connect', () => {
      this.stats.opened++;
      const p = this.payload?.();
      if (p) s.write(p);
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      this.#sockets.delete(s);
      this.stats.longestOpenMs = Math.max(this.stats.longestOpenMs, Date.now() - opened);
      if (this.#stopped) return;
      this.stats.dropped++;
      setTimeout(() => this.#open(port), this.reopenMs).unref();
    });
  }

  /** Sockets currently open. */
  get open(): number {
    return this.#sockets.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }
}

/** Open one connection, send `bytes`, and resolve how long the validator kept it open (capped at timeoutMs). */
export function sendAndTimeClose(
  port: number,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<{ closedByPeer: boolean; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect({ host: LOOPBACK, port }, () => s.write(bytes));
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ closedByPeer: false, ms: Date.now() - t0 });
    }, timeoutMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ closedByPeer: true, ms: Date.now() - t0 });
    });
  });
}
