/**
 * A node's libp2p identity is its authority key, so every authority's PeerId follows from the
 * genesis alone: no peer-id configuration, and a connection proves which authority is on the line.
 */
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { type Genesis, type Hex, hexToBytes, isHex, keyPairFromSeed } from '@poa-vote/shared';

/** The libp2p PeerId (base58 string) of an authority's Ed25519 public key (32 bytes 0x-hex). */
export function peerIdOfAuthority(publicKeyHex: Hex): string {
  if (!isHex(publicKeyHex, 32))
    throw new TypeError(
      `authority public key must be 32 bytes of lowercase 0x-hex, got ${String(publicKeyHex).slice(0, 20)}`,
    );
  return peerIdFromPublicKey(publicKeyFromRaw(hexToBytes(publicKeyHex))).toString();
}

/** The libp2p private key of an authority seed (libp2p's raw Ed25519 form is seed || public key). */
export function libp2pPrivateKey(seed: Hex): PrivateKey {
  const { publicKey } = keyPairFromSeed(seed);
  const raw = new Uint8Array(64);
  raw.set(hexToBytes(seed), 0);
  raw.set(hexToBytes(publicKey), 32);
  return privateKeyFromRaw(raw);
}

/** PeerId <-> authority index, built once from the genesis. */
export class AuthorityBook {
  readonly #byPeer = new Map<string, number>();
  readonly #peers: string[];
  /** Parsed once: parsing a PeerId string (base58, multihash, key) on every send cost ~3 % of a validator's CPU. */
  readonly #peerIds: PeerId[];

  constructor(genesis: Pick<Genesis, 'authorities'>) {
    this.#peers = genesis.authorities.map((a) => peerIdOfAuthority(a.publicKey));
    this.#peerIds = this.#peers.map((p) => peerIdFromString(p));
    for (const [i, p] of this.#peers.entries()) this.#byPeer.set(p, i);
  }

  /** Number of authorities. */
  get size(): number {
    return this.#peers.length;
  }

  /** Authority index of a peer, or undefined for a peer outside the genesis. */
  indexOf(peer: PeerId | string): number | undefined {
    return this.#byPeer.get(typeof peer === 'string' ? peer : peer.toString());
  }

  /** PeerId string of an authority index (undefined when out of range). */
  peerOf(index: number): string | undefined {
    return this.#peers[index];
  }

  /** PeerId of an authority index (undefined when out of range); the same object every time. */
  peerIdOf(index: number): PeerId | undefined {
    return this.#peerIds[index];
  }
}
