/** Options of the network layer, with defaults sized for blocks of up to 8 MiB of transactions. */
import { isIP } from 'node:net';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { at, type Genesis, type Hex, isHex, keyPairFromSeed } from '@poa-vote/shared';
import { type Logger, silentLogger } from '../util/logger.js';
import { NetworkError, NetworkErrorCode } from './interface.js';

export interface NetworkOptions {
  /** The chain's genesis (already validated); its authorities are the only accepted peers. */
  genesis: Genesis;
  /** Index of this node's authority in genesis.authorities. */
  self: number;
  /** Ed25519 seed of this authority (32 bytes 0x-hex): also the node's libp2p identity. */
  privateKey: Hex;
  /** IP address to listen on (IPv4 or IPv6). */
  listenHost: string;
  /** TCP port; 0 picks an ephemeral port (see listenAddrs()). */
  listenPort: number;
  /** Bootstrap peers as multiaddrs; a /p2p/<peer id> suffix is optional. */
  peers: string[];
  logger?: Logger;
  /** Largest message (gossip, direct, request or response), bytes. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Redial period for disconnected bootstrap peers, ms. */
  redialIntervalMs?: number;
  /** Timeout of one dial attempt, ms. */
  dialTimeoutMs?: number;
  /** Timeout of one request/response exchange or direct send, ms. */
  requestTimeoutMs?: number;
  /** Size cap of one 'txs' gossip message, bytes (the node batches client votes to it). */
  maxTxBatchBytes?: number;
  /** Most transactions accepted in one 'txs' message. */
  maxTxsPerMessage?: number;
  /** Most finalized blocks served or accepted in one sync response. */
  maxSyncBlocks?: number;
  // The p2p port's defences (docs/SECURITY.md, "The p2p port").
  /** An inbound connection must finish its handshake (Noise + yamux) within this, ms; libp2p's default is 10 s. */
  inboundUpgradeTimeoutMs?: number;
  /** Pending inbound handshakes one IP that hosts no known authority may hold. */
  maxInboundPendingPerIp?: number;
  /** Pending inbound handshakes all such IPs together may hold (the rest is a reserve for authorities). */
  maxInboundPending?: number;
  /** Pending inbound handshakes an authority's IP holds before its oldest one is dropped for a new one. */
  maxInboundPendingPerAuthorityIp?: number;
  /** New inbound connections per second one unknown IP may open (libp2p's inboundConnectionThreshold). */
  inboundConnectionsPerIpPerSecond?: number;
  /** Concurrent inbound sync or block request streams per authority connection. */
  maxConcurrentRequestsPerPeer?: number;
  /** Concurrent inbound direct-message streams per authority connection. */
  maxConcurrentDirectPerPeer?: number;
  /** Sync + block requests one peer may make per second, sustained (burst: twice as many). */
  requestsPerSecondPerPeer?: number;
  /** A peer whose score falls to -banScore (20 points per invalid message, 5 per request over the rate) is banned. */
  banScore?: number;
  /** How long a ban lasts (disconnected, dials and handshakes refused), ms. */
  banMs?: number;
}

export const defaultNetworkOptions = {
  maxMessageBytes: 16 * 1024 * 1024,
  redialIntervalMs: 2_000,
  dialTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  maxTxBatchBytes: 1024 * 1024,
  maxTxsPerMessage: 10_000,
  maxSyncBlocks: 64,
  inboundUpgradeTimeoutMs: 2_500,
  maxInboundPendingPerIp: 8,
  maxInboundPending: 32,
  maxInboundPendingPerAuthorityIp: 64,
  inboundConnectionsPerIpPerSecond: 10,
  maxConcurrentRequestsPerPeer: 8,
  maxConcurrentDirectPerPeer: 128,
  requestsPerSecondPerPeer: 20,
  banScore: 100,
  banMs: 30_000,
} satisfies Partial<NetworkOptions>;

/** Options after validation, with defaults applied and bootstrap peers parsed. */
export type ResolvedNetworkOptions = Required<Omit<NetworkOptions, 'peers' | 'logger'>> & {
  peers: Multiaddr[];
  logger: Logger;
  publicKey: Hex;
};

function fail(message: string): never {
  throw new NetworkError(NetworkErrorCode.INVALID_OPTIONS, `invalid network options: ${message}`);
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    fail(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** Validate options and fill defaults; the error names the bad field. */
export function resolveNetworkOptions(opts: NetworkOptions): ResolvedNetworkOptions {
  if (typeof opts !== 'object' || opts === null) fail('must be an object');
  const { genesis } = opts;
  if (typeof genesis !== 'object' || genesis === null || !Array.isArray(genesis.authorities))
    fail('genesis must be a parsed genesis');
  if (!Number.isSafeInteger(opts.self) || opts.self < 0 || opts.self >= genesis.authorities.length) {
    fail(`self must be an authority index in 0..${genesis.authorities.length - 1}, got ${JSON.stringify(opts.self)}`);
  }
  if (!isHex(opts.privateKey, 32)) fail('privateKey must be a 32-byte Ed25519 seed in lowercase 0x-hex');
  const publicKey = keyPairFromSeed(opts.privateKey).publicKey;
  const authority = at(genesis.authorities, opts.self, 'own authority');
  if (publicKey !== authority.publicKey) fail(`privateKey does not belong to authority ${opts.self} (${authority.id})`);
  if (typeof opts.listenHost !== 'string' || isIP(opts.listenHost) === 0)
    fail(`listenHost must be an IPv4 or IPv6 address, got ${JSON.stringify(opts.listenHost)}`);
  if (!Number.isSafeInteger(opts.listenPort) || opts.listenPort < 0 || opts.listenPort > 65535)
    fail(`listenPort must be 0..65535, got ${JSON.stringify(opts.listenPort)}`);
  if (!Array.isArray(opts.peers)) fail('peers must be an array of multiaddrs');
  const peers = opts.peers.map((p, i) => {
    if (typeof p !== 'string') fail(`peers[${i}] must be a multiaddr string`);
    try {
      return multiaddr(p);
    } catch (e) {
      return fail(`peers[${i}] ${JSON.stringify(p)} is not a multiaddr: ${(e as Error).message}`);
    }
  });
  const num = (field: keyof typeof defaultNetworkOptions): number =>
    opts[field] === undefined ? defaultNetworkOptions[field] : positiveInt(opts[field], field);
  const resolved: ResolvedNetworkOptions = {
    genesis,
    self: opts.self,
    privateKey: opts.privateKey,
    publicKey,
    listenHost: opts.listenHost,
    listenPort: opts.listenPort,
    peers,
    logger: opts.logger ?? silentLogger,
    maxMessageBytes: num('maxMessageBytes'),
    redialIntervalMs: num('redialIntervalMs'),
    dialTimeoutMs: num('dialTimeoutMs'),
    requestTimeoutMs: num('requestTimeoutMs'),
    maxTxBatchBytes: num('maxTxBatchBytes'),
    maxTxsPerMessage: num('maxTxsPerMessage'),
    maxSyncBlocks: num('maxSyncBlocks'),
    inboundUpgradeTimeoutMs: num('inboundUpgradeTimeoutMs'),
    maxInboundPendingPerIp: num('maxInboundPendingPerIp'),
    maxInboundPending: num('maxInboundPending'),
    maxInboundPendingPerAuthorityIp: num('maxInboundPendingPerAuthorityIp'),
    inboundConnectionsPerIpPerSecond: num('inboundConnectionsPerIpPerSecond'),
    maxConcurrentRequestsPerPeer: num('maxConcurrentRequestsPerPeer'),
    maxConcurrentDirectPerPeer: num('maxConcurrentDirectPerPeer'),
    requestsPerSecondPerPeer: num('requestsPerSecondPerPeer'),
    banScore: num('banScore'),
    banMs: num('banMs'),
  };
  if (resolved.maxMessageBytes < 64 * 1024) fail('maxMessageBytes must be at least 65536');
  if (resolved.maxTxBatchBytes > resolved.maxMessageBytes) fail('maxTxBatchBytes must not exceed maxMessageBytes');
  if (resolved.maxInboundPendingPerIp > resolved.maxInboundPending)
    fail('maxInboundPendingPerIp must not exceed maxInboundPending');
  return resolved;
}
