/**
 * The gate in front of the p2p port. libp2p hands every inbound TCP connection to
 * `denyInboundConnection` before the handshake; that is where strangers must be stopped, because
 * the authority check (`denyInboundEncryptedConnection`) can only run after a Noise handshake.
 *
 * Pending connections (accepted, handshake not finished) are counted per remote IP:
 * - an IP not known to host an authority may hold `maxPendingPerIp` of them, and all such IPs
 *   together `maxPending` (so the slots left over are a reserve for everyone else);
 * - an IP known to host an authority (a configured peer address, or an address an authority has
 *   authenticated from) is never refused: when it holds `maxPendingPerAuthorityIp`, its oldest
 *   pending connection is dropped to admit the new one. A real handshake finishes in
 *   milliseconds, so the oldest one is the one least likely to be an authority.
 * Together with a short upgrade timeout this means silent connections cannot fill the port.
 *
 * The gate also keeps the per-peer bans that peer scoring decides (dials and handshakes refused
 * until the ban ends).
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

export interface InboundGateOptions {
  /** Pending inbound connections one unknown IP may hold. */
  maxPendingPerIp: number;
  /** Pending inbound connections all unknown IPs together may hold. */
  maxPending: number;
  /** Pending inbound connections an authority's IP holds before its oldest is dropped. */
  maxPendingPerAuthorityIp: number;
  /** Clock, ms (tests). */
  now?: () => number;
}

interface Pending {
  conn: MultiaddrConnection;
  ip: string;
  since: number;
}

/** Counters a test or a log line can read. */
export interface GateStats {
  pending: number;
  refused: number;
  evicted: number;
}

/** Multiaddr protocol codes of /ip4, /ip6, /dns*. */
const IP_CODES = new Set([4, 41]);

/** The IP of a multiaddr (undefined for non-IP addresses). */
export function ipOf(ma: Multiaddr): string | undefined {
  const c = ma.getComponents().find((x) => IP_CODES.has(x.code));
  return c?.value;
}

/** Pre-handshake admission per remote IP, plus the per-peer ban list. */
export class InboundGate {
  readonly #opts: Required<InboundGateOptions>;
  readonly #byIp = new Map<string, Pending[]>();
  readonly #known = new Set<string>();
  readonly #bannedUntil = new Map<string, number>();
  #strangerPending = 0;
  readonly stats: GateStats = { pending: 0, refused: 0, evicted: 0 };

  constructor(opts: InboundGateOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  /** Mark an IP as hosting an authority (its connections are never refused before the handshake). */
  addAuthorityIp(ip: string): void {
    if (this.#known.has(ip)) return;
    // Connections already pending from it stop counting against the strangers' budget.
    this.#strangerPending -= this.#byIp.get(ip)?.length ?? 0;
    this.#known.add(ip);
  }

  isAuthorityIp(ip: string): boolean {
    return this.#known.has(ip);
  }

  /** Pending connections from an IP. */
  pendingFrom(ip: string): number {
    return this.#byIp.get(ip)?.length ?? 0;
  }

  /** Decide on a new inbound connection before its handshake: true = refuse. */
  denyInbound(conn: MultiaddrConnection): boolean {
    const ip = ipOf(conn.remoteAddr);
    if (ip === undefined) return false;
    const list = this.#byIp.get(ip) ?? [];
    if (this.#known.has(ip)) {
      while (list.length >= this.#opts.maxPendingPerAuthorityIp) {
        const oldest = list.shift();
        if (oldest === undefined) break;
        this.#forget(oldest, false);
        this.stats.evicted++;
        oldest.conn.abort(new Error('dropped: oldest pending handshake from a busy address'));
      }
    } else if (list.length >= this.#opts.maxPendingPerIp || this.#strangerPending >= this.#opts.maxPending) {
      this.stats.refused++;
      return true;
    }
    const entry: Pending = { conn, ip, since: this.#opts.now() };
    list.push(entry);
    this.#byIp.set(ip, list);
    if (!this.#known.has(ip)) this.#strangerPending++;
    this.stats.pending++;
    const done = (): void => this.#settle(entry);
    conn.addEventListener('close', done, { once: true });
    return false;
  }

  /** The handshake finished (or failed): the connection no longer holds a pending slot. */
  settled(conn: MultiaddrConnection): void {
    const ip = ipOf(conn.remoteAddr);
    const entry = ip === undefined ? undefined : this.#byIp.get(ip)?.find((p) => p.conn === conn);
    if (entry) this.#settle(entry);
  }

  #settle(entry: Pending): void {
    const list = this.#byIp.get(entry.ip);
    const i = list?.indexOf(entry) ?? -1;
    if (list === undefined || i < 0) return;
    list.splice(i, 1);
    this.#forget(entry, true);
  }

  #forget(entry: Pending, removeEmpty: boolean): void {
    if (!this.#known.has(entry.ip)) this.#strangerPending--;
    this.stats.pending--;
    const list = this.#byIp.get(entry.ip);
    if (removeEmpty && list !== undefined && list.length === 0) this.#byIp.delete(entry.ip);
  }

  /** Refuse dials and handshakes of a peer until `until` (ms). */
  ban(peer: string, until: number): void {
    this.#bannedUntil.set(peer, Math.max(until, this.#bannedUntil.get(peer) ?? 0));
  }

  /** Whether a peer is banned now (expired bans are forgotten). */
  isBanned(peer: string): boolean {
    const until = this.#bannedUntil.get(peer);
    if (until === undefined) return false;
    if (until > this.#opts.now()) return true;
    this.#bannedUntil.delete(peer);
    return false;
  }
}

/**
 * The libp2p connection gater: the pre-handshake gate, then only genesis authorities that are
 * not banned get past the handshake (outsiders cost one Noise exchange).
 */
export function authorityGater(gate: InboundGate, isAuthority: (peer: PeerId) => boolean): ConnectionGater {
  const deny = (peer: PeerId): boolean => !isAuthority(peer) || gate.isBanned(peer.toString());
  return {
    denyInboundConnection: (conn) => gate.denyInbound(conn),
    denyDialPeer: deny,
    denyInboundEncryptedConnection: (peer, conn) => {
      gate.settled(conn);
      const refused = deny(peer);
      if (!refused) {
        const ip = ipOf(conn.remoteAddr);
        if (ip !== undefined) gate.addAuthorityIp(ip);
      }
      return refused;
    },
    denyOutboundEncryptedConnection: deny,
  };
}
