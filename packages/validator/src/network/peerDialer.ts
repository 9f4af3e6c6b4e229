/**
 * Keeps the node connected to its static bootstrap peers: dials them at start and redials the
 * disconnected ones every few seconds. A bootstrap address may lack its /p2p/ peer id; the id is
 * learned from the first connection (or from identify) and appended afterwards, which lets
 * libp2p skip peers that are already connected instead of opening duplicate connections.
 * Authorities that are not bootstrap peers but once connected are redialed at the listen
 * addresses identify reported for them.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { must } from '@poa-vote/shared';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { AuthorityBook } from './identity.js';
import type { Logger } from '../util/logger.js';

interface BootstrapEntry {
  /** The address without any /p2p/ component. */
  addr: Multiaddr;
  /** Authority PeerId at this address: configured, or learned (then forgotten on failure). */
  peer?: string;
  configured: boolean;
  dialing: boolean;
}

export interface PeerDialerOptions {
  libp2p: Libp2p;
  book: AuthorityBook;
  self: number;
  peers: readonly Multiaddr[];
  intervalMs: number;
  dialTimeoutMs: number;
  logger: Logger;
}

/** Multiaddr protocol code of /p2p/. */
const CODE_P2P = 421;

function splitPeer(ma: Multiaddr): { addr: Multiaddr; peer?: string } {
  const p2p = ma.getComponents().find((c) => c.code === CODE_P2P);
  return p2p?.value === undefined ? { addr: ma } : { addr: ma.decapsulateCode(CODE_P2P), peer: p2p.value };
}

/** Dials bootstrap peers and periodically redials disconnected authorities among them. */
export class PeerDialer {
  readonly #entries: BootstrapEntry[];
  readonly #dialingKnown = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(private readonly opts: PeerDialerOptions) {
    const selfPeer = opts.book.peerOf(opts.self);
    this.#entries = [];
    for (const ma of opts.peers) {
      const { addr, peer } = splitPeer(ma);
      if (peer !== undefined && opts.book.indexOf(peer) === undefined) {
        opts.logger.warn({ addr: ma.toString() }, 'bootstrap peer id is not a genesis authority; ignored');
        continue;
      }
      if (peer !== undefined && peer === selfPeer) continue;
      this.#entries.push({
        addr,
        ...(peer !== undefined ? { peer } : {}),
        configured: peer !== undefined,
        dialing: false,
      });
    }
  }

  /** Dial every bootstrap peer now and keep redialing. */
  start(): void {
    this.#stopped = false;
    this.tick();
    this.#timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Remember which authority listens where (from identify), for addresses given without a peer id. */
  learn(peer: PeerId, listenAddrs: readonly Multiaddr[]): void {
    if (this.opts.book.indexOf(peer) === undefined) return;
    const addrs = listenAddrs.map((a) => splitPeer(a).addr);
    for (const e of this.#entries) {
      if (!e.configured && e.peer === undefined && addrs.some((a) => a.equals(e.addr))) e.peer = peer.toString();
    }
  }

  #connected(peer: string): boolean {
    return this.opts.libp2p.getConnections(peerIdFromString(peer)).length > 0;
  }

  #allAuthoritiesConnected(): boolean {
    for (let i = 0; i < this.opts.book.size; i++) {
      if (i !== this.opts.self && !this.#connected(must(this.opts.book.peerOf(i), `peer of authority ${i}`))) {
        return false;
      }
    }
    return true;
  }

  /** One pass: the bootstrap list, then authorities that once dialed us and whose addresses identify told us. */
  tick(): void {
    if (this.#stopped) return;
    const ownAddrs = this.opts.libp2p.getMultiaddrs().map((a) => splitPeer(a).addr);
    const covered = new Set<string>();
    for (const e of this.#entries) {
      if (e.peer !== undefined) covered.add(e.peer);
      if (e.dialing) continue;
      if (e.peer !== undefined ? this.#connected(e.peer) : this.#allAuthoritiesConnected()) continue;
      if (ownAddrs.some((a) => a.equals(e.addr))) continue;
      void this.#dial(e);
    }
    for (let i = 0; i < this.opts.book.size; i++) {
      const peer = must(this.opts.book.peerOf(i), `peer of authority ${i}`);
      if (i === this.opts.self || covered.has(peer) || this.#dialingKnown.has(peer) || this.#connected(peer)) continue;
      void this.#dialKnown(peer);
    }
  }

  async #dialKnown(peer: string): Promise<void> {
    this.#dialingKnown.add(peer);
    try {
      const id = peerIdFromString(peer);
      if (
        !(await this.opts.libp2p.peerStore.has(id)) ||
        (await this.opts.libp2p.peerStore.get(id)).addresses.length === 0
      )
        return;
      await this.opts.libp2p.dial(id, { signal: AbortSignal.timeout(this.opts.dialTimeoutMs) });
      this.opts.logger.debug({ peer: this.opts.book.indexOf(peer) }, 'redialed authority at its identified address');
    } catch (err) {
      if (!this.#stopped)
        this.opts.logger.debug(
          { peer: this.opts.book.indexOf(peer), err: (err as Error).message },
          'authority redial failed',
        );
    } finally {
      this.#dialingKnown.delete(peer);
    }
  }

  async #dial(e: BootstrapEntry): Promise<void> {
    e.dialing = true;
    const target = e.peer !== undefined ? e.addr.encapsulate(`/p2p/${e.peer}`) : e.addr;
    try {
      const conn = await this.opts.libp2p.dial(target, { signal: AbortSignal.timeout(this.opts.dialTimeoutMs) });
      const peer = conn.remotePeer.toString();
      if (e.peer === undefined) e.peer = peer;
      this.opts.logger.debug({ addr: target.toString(), peer: this.opts.book.indexOf(peer) }, 'dialed bootstrap peer');
    } catch (err) {
      // A learned id may be stale (another authority now listens there): dial plainly next time.
      if (!e.configured) delete e.peer;
      if (!this.#stopped)
        this.opts.logger.debug({ addr: target.toString(), err: (err as Error).message }, 'bootstrap dial failed');
    } finally {
      e.dialing = false;
    }
  }
}
