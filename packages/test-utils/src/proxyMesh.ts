/**
 * One TcpProxy per ordered pair of validators (i dials j through proxy i->j), so a test can
 * partition any validator from the others. Validators must be started with `peersOf(i)`: each
 * address carries the authority's /p2p/ peer id, which makes it a configured bootstrap entry.
 * Without the id, a node whose proxy dial fails falls back to dialing the address identify
 * reported (the real listen address), and the partition would leak.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { type Hex, hexToBytes } from '@poa-vote/shared';
import { TcpProxy } from './tcpProxy.js';

/** The libp2p peer id of an authority (its Ed25519 key is its libp2p identity). */
export function authorityPeerId(publicKey: Hex): string {
  return peerIdFromPublicKey(publicKeyFromRaw(hexToBytes(publicKey))).toString();
}

export class ProxyMesh {
  readonly #proxies = new Map<string, TcpProxy>();

  private constructor(
    readonly n: number,
    readonly peerIds: string[],
  ) {}

  /** Proxies in front of the validators' real p2p ports, with their authority public keys (index = validator). */
  static async start(validators: { p2pPort: number; publicKey: Hex }[]): Promise<ProxyMesh> {
    const p2pPorts = validators.map((v) => v.p2pPort);
    const mesh = new ProxyMesh(
      p2pPorts.length,
      validators.map((v) => authorityPeerId(v.publicKey)),
    );
    try {
      for (let from = 0; from < p2pPorts.length; from++) {
        for (let to = 0; to < p2pPorts.length; to++) {
          if (from !== to) mesh.#proxies.set(`${from}>${to}`, await TcpProxy.start(p2pPorts[to]!));
        }
      }
    } catch (e) {
      await mesh.close();
      throw e;
    }
    return mesh;
  }

  /** The proxy validator `from` dials to reach validator `to`. */
  proxy(from: number, to: number): TcpProxy {
    const p = this.#proxies.get(`${from}>${to}`);
    if (!p) throw new Error(`no proxy from ${from} to ${to}`);
    return p;
  }

  /** The --peers list of validator i: the proxies it dials, each with the peer id behind it. */
  peersOf(i: number): string[] {
    const out: string[] = [];
    for (let to = 0; to < this.n; to++)
      if (to !== i) out.push(`${this.proxy(i, to).multiaddr}/p2p/${this.peerIds[to]}`);
    return out;
  }

  /** Cut every link of validator i, in both directions. */
  isolate(i: number): void {
    for (let k = 0; k < this.n; k++) {
      if (k === i) continue;
      this.proxy(i, k).cut();
      this.proxy(k, i).cut();
    }
  }

  /** Restore every link. */
  healAll(): void {
    for (const p of this.#proxies.values()) p.heal();
  }

  /** Connections currently forwarded to or from validator i. */
  openLinks(i: number): number {
    let open = 0;
    for (let k = 0; k < this.n; k++) if (k !== i) open += this.proxy(i, k).open + this.proxy(k, i).open;
    return open;
  }

  /** Close every proxy. */
  async close(): Promise<void> {
    await Promise.all([...this.#proxies.values()].map((p) => p.close()));
    this.#proxies.clear();
  }
}
