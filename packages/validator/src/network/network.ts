/**
 * The validator's libp2p network: TCP + Noise + Yamux between genesis authorities only.
 * Gossipsub carries proposals, votes and statuses; a long-lived channel per peer carries
 * transaction batches and their acknowledgements (reqresp/channel.ts); request/response
 * protocols carry sync, block fetches and directed messages. Every inbound message is validated
 * before the node sees it, and the node sees it tagged with the sending authority's index.
 */
import '../util/polyfills.js';
import { noise } from '@chainsafe/libp2p-noise';
import {
  type GossipSub,
  type GossipsubMessage,
  type Message,
  type TopicValidatorResult,
  gossipsub,
} from '@libp2p/gossipsub';
import { type Identify, identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { isIPv6 } from 'node:net';
import { type FinalizedBlock, type Hex, type Transaction, utf8ToBytes } from '@poa-vote/shared';
import type { ConsensusMessage, Destination, TxAck } from '../consensus/interface.js';
import { AckBatcher } from './gossip/ackBatcher.js';
import { proposalWireForm } from './gossip/compact.js';
import { decodeMessage, encodeMessage, messageId, messageIdToString } from './gossip/encoding.js';
import {
  GOSSIP_KINDS,
  GossipKind,
  TXS_ACKS_ALLOWANCE_BYTES,
  gossipKindOf,
  gossipTopic,
  topicMaxBytes,
} from './gossip/topic.js';
import {
  GossipAction,
  GossipErrorCode,
  GossipValidationError,
  MissingTxsError,
  topicValidatorResult,
  validateGossipData,
  validateMessageOfKind,
} from './gossip/validation.js';
import { AuthorityBook, libp2pPrivateKey } from './identity.js';
import { InboundGate, authorityGater, ipOf } from './gater.js';
import { guardedYamux } from './muxer.js';
import { PeerScores, penaltyOf, penaltyOfCode } from './peerScore.js';
import {
  type BlockRequestHandler,
  type INetwork,
  type MessageHandler,
  NetworkError,
  NetworkErrorCode,
  type SyncRequestHandler,
} from './interface.js';
import { type NetworkOptions, type ResolvedNetworkOptions, resolveNetworkOptions } from './options.js';
import { PeerDialer } from './peerDialer.js';
import { handleBlockStream, requestBlock } from './reqresp/block.js';
import type { ReqRespContext } from './reqresp/context.js';
import { PeerChannels, handleChannelStream, travelsOnChannel } from './reqresp/channel.js';
import { handleDirectStream, sendDirect } from './reqresp/direct.js';
import { ReqRespMethod, protocolId } from './reqresp/protocols.js';
import { handleSyncStream, requestSync } from './reqresp/sync.js';
import {
  type SnapshotRequestHandler,
  type SnapshotSink,
  type SnapshotTransfer,
  handleSnapshotStream,
  requestSnapshot,
} from './reqresp/snapshot.js';

type Services = { identify: Identify; pubsub: GossipSub };

interface Validated {
  from: number;
  msg: ConsensusMessage;
}

/**
 * Window over which acknowledgements are coalesced: a few ms against the acknowledgement latency
 * a client sees (a round trip plus a peer's write), and about one message per window per peer.
 */
const ACK_WINDOW_MS = 5;

/** Bytes a channel may buffer for one peer before messages to it are dropped (16 large batches). */
const CHANNEL_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Room for gossipsub's RPC envelope (signature, key, topic, control) around message data. */
const RPC_OVERHEAD_BYTES = 64 * 1024;
/**
 * gossipsub 17 length-prefixes outbound RPCs with it-length-prefixed's default 4 MiB cap and
 * offers no option to raise it, so larger messages (big proposals) cannot be gossiped: they go
 * directly to every connected authority instead (a full mesh among authorities makes that the
 * same reach as a flood publish).
 */
/** Longest a node spends serving one snapshot (a slow reader cannot hold a database snapshot longer). */
const SNAPSHOT_SERVE_TIMEOUT_MS = 10 * 60 * 1000;

export const GOSSIP_MAX_DATA_BYTES = 4 * 1024 * 1024 - RPC_OVERHEAD_BYTES;

/**
 * The p2p network of one validator. Create with Network.create, then start().
 * A message sent to 'all' may reach a peer twice (by gossip relay and by the direct fallback),
 * so handlers must tolerate duplicates.
 */
export class Network implements INetwork {
  /** This node's PeerId (derived from its authority key). */
  readonly peerId: string;
  readonly #opts: ResolvedNetworkOptions;
  readonly #libp2p: Libp2p<Services>;
  readonly #book: AuthorityBook;
  readonly #ctx: ReqRespContext;
  readonly #dialer: PeerDialer;
  readonly #gate: InboundGate;
  readonly #scores: PeerScores;
  /** Messages accepted by a topic validator, awaiting gossipsub's delivery event. */
  readonly #validated = new WeakMap<Message, Validated>();
  readonly #handlers: MessageHandler[] = [];
  readonly #blockRequestsInFlight = new Set<Hex>();
  /** Compact proposals being completed from their sender's block, by block hash. */
  readonly #proposalsCompleting = new Set<Hex>();
  /** Acknowledgements of transaction batches, coalesced over a few ms into one gossip message. */
  readonly #acks = new AckBatcher({ windowMs: ACK_WINDOW_MS, flush: (acks) => this.#publishAcks(acks) });
  /** Long-lived streams to each authority for transaction batches and acknowledgements. */
  readonly #channels: PeerChannels;
  #syncHandler: SyncRequestHandler | undefined;
  #blockHandler: BlockRequestHandler | undefined;
  #snapshotHandler: SnapshotRequestHandler | undefined;
  /** Snapshot streams being served, per authority (reqresp/snapshot.ts limits them). */
  readonly #snapshotStreams = new Map<number, number>();
  #started = false;

  private constructor(opts: ResolvedNetworkOptions, book: AuthorityBook, libp2p: Libp2p<Services>, gate: InboundGate) {
    this.#opts = opts;
    this.#book = book;
    this.#libp2p = libp2p;
    this.#gate = gate;
    this.#scores = new PeerScores(
      {
        banThreshold: -opts.banScore,
        banMs: opts.banMs,
        // A peer recovers from one invalid message in 10 s.
        recoverPerSecond: 2,
        requestsPerSecond: opts.requestsPerSecondPerPeer,
        requestBurst: 2 * opts.requestsPerSecondPerPeer,
      },
      (peer, until, score) => this.#ban(peer, until, score),
    );
    this.peerId = libp2p.peerId.toString();
    this.#ctx = {
      genesis: opts.genesis,
      book,
      logger: opts.logger,
      maxMessageBytes: opts.maxMessageBytes,
      maxTxBatchBytes: opts.maxTxBatchBytes,
      maxTxsPerMessage: opts.maxTxsPerMessage,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxSyncBlocks: opts.maxSyncBlocks,
      onInboundFault: (from, method, err) => this.#onInboundFault(from, method, err),
      onMissingTxs: (from, data) => void this.#completeProposal(from, data),
    };
    this.#channels = new PeerChannels({
      ctx: this.#ctx,
      connectionTo: (index) => this.#connectionTo(index),
      maxQueuedBytes: CHANNEL_MAX_QUEUED_BYTES,
    });
    this.#dialer = new PeerDialer({
      libp2p,
      book,
      self: opts.self,
      peers: opts.peers,
      intervalMs: opts.redialIntervalMs,
      dialTimeoutMs: opts.dialTimeoutMs,
      logger: opts.logger,
    });
  }

  /** Build a network from options (validated: a bad option throws a NetworkError naming it). */
  static async create(opts: NetworkOptions): Promise<Network> {
    const o = resolveNetworkOptions(opts);
    const book = new AuthorityBook(o.genesis);
    const isAuthority = (peer: PeerId): boolean => book.indexOf(peer) !== undefined;
    const topics = GOSSIP_KINDS.map((k) => gossipTopic(o.genesis.chainId, k));
    const streamBuffer = o.maxMessageBytes + RPC_OVERHEAD_BYTES;
    const gate = new InboundGate({
      maxPendingPerIp: o.maxInboundPendingPerIp,
      maxPending: o.maxInboundPending,
      maxPendingPerAuthorityIp: o.maxInboundPendingPerAuthorityIp,
    });
    // Configured peers' IPs are authorities' addresses: never starved by strangers' connections.
    const peerIps = [...new Set(o.peers.map(ipOf).filter((ip): ip is string => ip !== undefined))];
    for (const ip of peerIps) gate.addAuthorityIp(ip);
    const libp2p = await createLibp2p<Services>({
      start: false,
      privateKey: libp2pPrivateKey(o.privateKey),
      addresses: { listen: [`/${isIPv6(o.listenHost) ? 'ip6' : 'ip4'}/${o.listenHost}/tcp/${o.listenPort}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [
        guardedYamux({ streamOptions: { maxReadBufferLength: streamBuffer } }, (d) =>
          o.logger.debug({ ...d }, 'yamux frame to a closing connection dropped'),
        ),
      ],
      // Strangers are limited per IP before the handshake; only genesis authorities that are not
      // banned get past it (outsiders cost one Noise exchange).
      connectionGater: authorityGater(gate, isAuthority),
      connectionManager: {
        dialTimeout: o.dialTimeoutMs,
        // Connections that do not finish the handshake in time are dropped (libp2p default 10 s).
        inboundUpgradeTimeout: o.inboundUpgradeTimeoutMs,
        inboundConnectionThreshold: o.inboundConnectionsPerIpPerSecond,
        // The gate decides per IP; libp2p's node-wide cap (default 10) only has to stay out of its way.
        maxIncomingPendingConnections: o.maxInboundPending + o.maxInboundPendingPerAuthorityIp * book.size,
        // Authorities' addresses skip libp2p's node-wide pending cap and per-IP rate limit.
        allow: peerIps.map((ip) => (isIPv6(ip) ? `/ip6/${ip}/ipcidr/128` : `/ip4/${ip}/ipcidr/32`)),
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          floodPublish: true,
          fallbackToFloodsub: false,
          // Authority networks are small: the defaults (D=6, Dlo=4) assume thousands of peers.
          D: 2,
          Dlo: 1,
          Dhi: 4,
          Dscore: 1,
          Dout: 1,
          Dlazy: 2,
          msgIdFn: (msg) => messageId(msg.data),
          msgIdToStrFn: messageIdToString,
          // Above GOSSIP_MAX_DATA_BYTES peers cannot send; accept a little more for RPCs with several messages.
          maxInboundDataLength: 2 * (GOSSIP_MAX_DATA_BYTES + RPC_OVERHEAD_BYTES),
          allowedTopics: topics,
          // Authorities may share a host (devnets): no penalty for a shared IP.
          scoreParams: { IPColocationFactorWeight: 0 },
        }),
      },
    });
    const net = new Network(o, book, libp2p, gate);
    await net.#registerProtocols();
    return net;
  }

  async #registerProtocols(): Promise<void> {
    const chainId = this.#opts.genesis.chainId;
    // Streams beyond these per connection are reset by libp2p before a handler runs.
    const requestLimits = { maxInboundStreams: this.#opts.maxConcurrentRequestsPerPeer, maxOutboundStreams: 256 };
    const directLimits = { maxInboundStreams: this.#opts.maxConcurrentDirectPerPeer, maxOutboundStreams: 256 };
    await this.#libp2p.handle(
      protocolId(chainId, ReqRespMethod.sync),
      (stream, conn) =>
        this.#admitRequest(ReqRespMethod.sync, stream, conn)
          ? handleSyncStream(this.#ctx, stream, conn, () => this.#syncHandler)
          : undefined,
      requestLimits,
    );
    await this.#libp2p.handle(
      protocolId(chainId, ReqRespMethod.block),
      (stream, conn) =>
        this.#admitRequest(ReqRespMethod.block, stream, conn)
          ? handleBlockStream(this.#ctx, stream, conn, () => this.#blockHandler)
          : undefined,
      requestLimits,
    );
    await this.#libp2p.handle(
      protocolId(chainId, ReqRespMethod.snapshot),
      (stream, conn) =>
        this.#admitRequest(ReqRespMethod.snapshot, stream, conn)
          ? handleSnapshotStream(
              this.#ctx,
              stream,
              conn,
              () => this.#snapshotHandler,
              this.#snapshotStreams,
              SNAPSHOT_SERVE_TIMEOUT_MS,
            )
          : undefined,
      { maxInboundStreams: 1, maxOutboundStreams: 1 },
    );
    await this.#libp2p.handle(
      protocolId(chainId, ReqRespMethod.direct),
      (stream, conn) => handleDirectStream(this.#ctx, stream, conn, (from, msg) => this.#deliver(from, msg)),
      directLimits,
    );
    await this.#libp2p.handle(
      protocolId(chainId, ReqRespMethod.channel),
      (stream, conn) => handleChannelStream(this.#ctx, stream, conn, (from, msg) => this.#deliver(from, msg)),
      // One channel per peer; a second while a replaced connection's is closing.
      { maxInboundStreams: 2, maxOutboundStreams: 2 },
    );
    this.#libp2p.addEventListener('peer:connect', (evt) => {
      const index = this.#book.indexOf(evt.detail);
      if (index !== undefined) this.#opts.logger.info({ peer: index }, 'authority connected');
    });
    this.#libp2p.addEventListener('peer:disconnect', (evt) => {
      const index = this.#book.indexOf(evt.detail);
      if (index !== undefined && this.#started) this.#opts.logger.info({ peer: index }, 'authority disconnected');
    });
    this.#libp2p.addEventListener('peer:identify', (evt) =>
      this.#dialer.learn(evt.detail.peerId, evt.detail.listenAddrs),
    );
    this.#libp2p.services.pubsub.addEventListener('gossipsub:message', (evt) => this.#onGossip(evt.detail));
  }

  /** Rate-limit sync and block requests per peer; a request over the limit is reset and costs score. */
  #admitRequest(method: ReqRespMethod, stream: Stream, conn: Connection): boolean {
    const peer = conn.remotePeer.toString();
    if (this.#scores.allowRequest(peer)) return true;
    this.#opts.logger.debug({ peer: this.#book.indexOf(peer), method }, 'request over the per-peer rate limit; reset');
    stream.abort(new Error(`${method} requests over the limit of ${this.#opts.requestsPerSecondPerPeer}/s`));
    return false;
  }

  /** An inbound exchange failed: if it was the peer's fault (malformed, oversized, invalid), it costs score. */
  #onInboundFault(from: number, method: string, err: unknown): void {
    const penalty = penaltyOf(err);
    const peer = this.#book.peerOf(from);
    if (penalty === undefined || peer === undefined) return;
    const score = this.#scores.score(peer) - penalty;
    this.#opts.logger.debug({ peer: from, method, penalty, score }, 'peer penalized');
    this.#scores.penalize(peer, penalty);
  }

  /**
   * Score down authority `from` for a message that passed this layer's checks but that the
   * consensus core or the node refused (`code`, e.g. a block repeating a vote, an impossible
   * status). Repeated, it bans the peer like any other protocol violation.
   */
  penalize(from: number, code: string): void {
    const penalty = penaltyOfCode(code);
    const peer = this.#book.peerOf(from);
    if (penalty === undefined || peer === undefined || from === this.#opts.self) return;
    this.#opts.logger.debug({ peer: from, code, penalty, score: this.#scores.score(peer) - penalty }, 'peer penalized');
    this.#scores.penalize(peer, penalty);
  }

  /** Disconnect a peer and refuse it until the ban ends; an authority is redialed afterwards. */
  #ban(peer: string, until: number, score: number): void {
    this.#gate.ban(peer, until);
    this.#opts.logger.warn(
      { peer: this.#book.indexOf(peer), score, untilMs: until - Date.now() },
      'peer banned for repeated protocol violations',
    );
    void this.#libp2p.hangUp(peerIdFromString(peer)).catch(() => undefined);
  }

  /** Listen, join the gossip topics and dial the bootstrap peers. */
  async start(): Promise<void> {
    if (this.#started) return;
    await this.#libp2p.start();
    const pubsub = this.#libp2p.services.pubsub;
    for (const kind of GOSSIP_KINDS) {
      const topic = gossipTopic(this.#opts.genesis.chainId, kind);
      pubsub.topicValidators.set(topic, (peer, msg) => this.#validateGossip(kind, peer, msg));
      pubsub.subscribe(topic);
    }
    this.#started = true;
    this.#dialer.start();
    this.#opts.logger.info({ peerId: this.peerId, addrs: this.listenAddrs() }, 'p2p network started');
  }

  /** Close every connection and stop listening. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#dialer.stop();
    this.#acks.clear();
    this.#channels.close();
    await this.#libp2p.stop();
    this.#opts.logger.info({}, 'p2p network stopped');
  }

  /** Addresses this node listens on, each ending in /p2p/<its PeerId>. */
  listenAddrs(): string[] {
    return this.#libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** Authority indexes with an open connection, ascending. */
  connectedAuthorities(): number[] {
    const out = new Set<number>();
    for (const c of this.#libp2p.getConnections()) {
      if (c.status !== 'open') continue;
      const index = this.#book.indexOf(c.remotePeer);
      if (index !== undefined && index !== this.#opts.self) out.add(index);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Connected authorities known to be subscribed to every gossip topic (gossip reaches them). */
  gossipPeers(): number[] {
    const pubsub = this.#libp2p.services.pubsub;
    const sets = GOSSIP_KINDS.map(
      (k) => new Set(pubsub.getSubscribers(gossipTopic(this.#opts.genesis.chainId, k)).map((p) => p.toString())),
    );
    return this.connectedAuthorities().filter((i) => {
      const peer = this.#book.peerOf(i);
      return peer !== undefined && sets.every((s) => s.has(peer));
    });
  }

  /** Send a consensus message: 'all' = gossip on its topic; a number = that authority directly. */
  send(to: Destination, msg: ConsensusMessage): void {
    try {
      if (!this.#started) {
        this.#opts.logger.debug({ type: msg?.type }, 'network not started; message dropped');
        return;
      }
      if (to !== 'all' && (!Number.isSafeInteger(to) || to < 0 || to >= this.#book.size)) {
        this.#opts.logger.warn({ to, type: msg.type }, 'destination is not an authority index; message dropped');
        return;
      }
      if (to === this.#opts.self) return;
      switch (msg.type) {
        case 'acks':
          if (to === 'all') {
            this.#acks.add(msg.acks);
            return;
          }
          break;
        case 'txs': {
          // Waiting acknowledgements ride along a transaction batch: one signed message, not two.
          const acks = to === 'all' && msg.acks === undefined ? this.#acks.take() : [];
          if (acks.length > 0 && JSON.stringify(acks).length <= TXS_ACKS_ALLOWANCE_BYTES) msg = { ...msg, acks };
          else if (acks.length > 0) this.#acks.add(acks);
          break;
        }
        case 'sync-request':
          void this.#sync(to, msg.fromHeight, msg.max);
          return;
        case 'block-request':
          void this.#fetchBlock(to, msg.hash);
          return;
        default:
          break;
      }
      // Proposals travel compact: their votes by hash (gossip/compact.ts).
      const data =
        msg.type === 'proposal'
          ? utf8ToBytes(JSON.stringify({ type: 'proposal', proposal: proposalWireForm(msg.proposal) }))
          : encodeMessage(msg);
      if (data.byteLength > this.#opts.maxMessageBytes) {
        this.#opts.logger.warn(
          { type: msg.type, bytes: data.byteLength, limit: this.#opts.maxMessageBytes },
          'message exceeds maxMessageBytes; not sent',
        );
        return;
      }
      if (travelsOnChannel(msg)) {
        this.#toChannels(to, msg, data);
        return;
      }
      if (to !== 'all') {
        void this.#direct(to, msg, data);
        return;
      }
      const kind = gossipKindOf(msg);
      if (kind !== undefined) void this.#publish(kind, msg, data);
      else for (const peer of this.connectedAuthorities()) void this.#direct(peer, msg, data);
    } catch (e) {
      this.#opts.logger.error(
        { type: (msg as { type?: unknown } | undefined)?.type, err: (e as Error).message },
        'send failed',
      );
    }
  }

  /** Inbound consensus messages, already validated: (from authority index, message). */
  onMessage(handler: MessageHandler): void {
    this.#handlers.push(handler);
  }

  /** Serve sync requests: the node answers from storage. */
  onSyncRequest(handler: SyncRequestHandler): void {
    this.#syncHandler = handler;
  }

  /** Serve block requests: the node answers with a candidate block it holds. */
  onBlockRequest(handler: BlockRequestHandler): void {
    this.#blockHandler = handler;
  }

  /** Serve the state at the finalized head to peers that start from a snapshot. */
  onSnapshotRequest(handler: SnapshotRequestHandler): void {
    this.#snapshotHandler = handler;
  }

  /** Ask a connected authority for its state snapshot (node/snapshotSync.ts verifies it). */
  async requestSnapshot(peer: number, sink: SnapshotSink, timeoutMs: number): Promise<SnapshotTransfer> {
    const conn = this.#connectionTo(peer);
    if (conn === undefined)
      throw new NetworkError(NetworkErrorCode.NOT_CONNECTED, `authority ${peer} is not connected`);
    return requestSnapshot(this.#ctx, conn, sink, timeoutMs);
  }

  /** Ask a connected authority for finalized blocks fromHeight.. (shape-checked only: the caller verifies them). */
  async requestBlocks(peer: number, fromHeight: number, max: number): Promise<FinalizedBlock[]> {
    const conn = this.#connectionTo(peer);
    if (conn === undefined)
      throw new NetworkError(NetworkErrorCode.NOT_CONNECTED, `authority ${peer} is not connected`);
    return requestSync(this.#ctx, conn, { fromHeight, max });
  }

  /** The local pool, by transaction hash: compact proposals are expanded from it. */
  setTxLookup(lookup: (hash: Hex) => Transaction | undefined): void {
    this.#ctx.lookupTx = lookup;
  }

  /**
   * A compact proposal named votes this node does not hold: ask its sender for the whole block,
   * then validate and deliver the proposal as if it had come whole.
   */
  async #completeProposal(from: number, data: Uint8Array): Promise<void> {
    let proposal: Record<string, unknown>;
    let hash: Hex;
    try {
      proposal = (decodeMessage(data) as { proposal: Record<string, unknown> }).proposal;
      hash = (proposal.block as { hash: Hex }).hash;
    } catch {
      return;
    }
    if (this.#proposalsCompleting.has(hash)) return;
    const conn = this.#connectionTo(from);
    if (conn === undefined) return;
    this.#proposalsCompleting.add(hash);
    try {
      const block = await requestBlock(this.#ctx, conn, hash);
      if (block === undefined || block.hash !== hash) {
        this.#opts.logger.debug({ peer: from, hash }, 'the sender of a compact proposal does not have its block');
        return;
      }
      const msg = validateMessageOfKind(this.#ctx, GossipKind.proposal, {
        type: 'proposal',
        proposal: { ...proposal, block },
      });
      this.#opts.logger.debug({ peer: from, hash }, 'compact proposal completed from its block');
      this.#deliver(from, msg);
    } catch (e) {
      if (this.#started)
        this.#opts.logger.debug({ peer: from, hash, err: (e as Error).message }, 'compact proposal not completed');
    } finally {
      this.#proposalsCompleting.delete(hash);
    }
  }

  #deliver(from: number, msg: ConsensusMessage): void {
    if (!this.#started) return;
    for (const handler of this.#handlers) {
      try {
        handler(from, msg);
      } catch (e) {
        this.#opts.logger.error({ peer: from, type: msg.type, err: (e as Error).message }, 'message handler threw');
      }
    }
  }

  #connectionTo(index: number): Connection | undefined {
    const peer = this.#book.peerIdOf(index);
    if (peer === undefined) return undefined;
    return this.#libp2p.getConnections(peer).find((c) => c.status === 'open');
  }

  #validateGossip(kind: GossipKind, propagationSource: PeerId, msg: Message): TopicValidatorResult {
    let from: number | undefined;
    try {
      const relay = this.#book.indexOf(propagationSource);
      // Signed messages name their origin; its key signed the message, so the origin is proven.
      from = msg.type === 'signed' ? this.#book.indexOf(msg.from) : relay;
      if (relay === undefined || from === undefined)
        throw new GossipValidationError(
          GossipAction.REJECT,
          GossipErrorCode.UNKNOWN_PEER,
          'message from or relayed by a peer outside the genesis',
        );
      if (from === this.#opts.self)
        throw new GossipValidationError(GossipAction.IGNORE, GossipErrorCode.FROM_SELF, 'our own message relayed back');
      const validated = validateGossipData(this.#ctx, kind, msg.data);
      this.#validated.set(msg, { from, msg: validated });
      return topicValidatorResult(GossipAction.ACCEPT);
    } catch (e) {
      if (e instanceof MissingTxsError && from !== undefined) void this.#completeProposal(from, msg.data);
      const err = e as Partial<GossipValidationError>;
      const log = err.action === GossipAction.REJECT ? this.#opts.logger.warn : this.#opts.logger.debug;
      log.call(
        this.#opts.logger,
        { topic: kind, peer: from, relay: this.#book.indexOf(propagationSource), code: err.code, err: err.message },
        'gossip message refused',
      );
      return topicValidatorResult(e);
    }
  }

  #onGossip(detail: GossipsubMessage): void {
    const v = this.#validated.get(detail.msg);
    if (v === undefined) return;
    this.#validated.delete(detail.msg);
    this.#deliver(v.from, v.msg);
  }

  /**
   * Gossip a message; then send it directly to each connected authority gossipsub did not reach
   * (its subscriptions not yet known right after connecting, or the same bytes already seen, as
   * when a vote is re-broadcast), so a send to 'all' reaches every connected authority.
   */
  #publishAcks(acks: TxAck[]): void {
    if (!this.#started) return;
    const msg: ConsensusMessage = { type: 'acks', acks };
    this.#toChannels('all', msg, encodeMessage(msg));
  }

  /** Send on each destination's channel; a peer without one gets the message directly. */
  #toChannels(to: Destination, msg: ConsensusMessage, data: Uint8Array): void {
    const peers = to === 'all' ? this.connectedAuthorities() : [to];
    for (const peer of peers) if (!this.#channels.send(peer, data)) void this.#direct(peer, msg, data);
  }

  async #publish(kind: GossipKind, msg: ConsensusMessage, data: Uint8Array): Promise<void> {
    const reached = new Set<string>();
    if (data.byteLength > GOSSIP_MAX_DATA_BYTES) {
      this.#opts.logger.debug(
        { topic: kind, bytes: data.byteLength },
        'too large for gossipsub; sending directly to every connected authority',
      );
      for (const peer of this.connectedAuthorities()) void this.#direct(peer, msg, data);
      return;
    }
    try {
      const limit = topicMaxBytes(kind, {
        maxMessageBytes: this.#opts.maxMessageBytes,
        maxTxBatchBytes: this.#opts.maxTxBatchBytes,
        maxTxBytes: this.#opts.genesis.limits.maxTxBytes,
      });
      if (data.byteLength > limit)
        this.#opts.logger.warn(
          { topic: kind, bytes: data.byteLength, limit },
          'message exceeds its topic limit; peers will reject it',
        );
      const res = await this.#libp2p.services.pubsub.publish(gossipTopic(this.#opts.genesis.chainId, kind), data);
      for (const p of res.recipients) reached.add(p.toString());
    } catch (e) {
      const message = (e as Error).message;
      if (!message.includes('Duplicate'))
        this.#opts.logger.warn({ topic: kind, err: message }, 'gossip publish failed');
    }
    if (!this.#started) return;
    const missed = this.connectedAuthorities().filter((peer) => {
      const id = this.#book.peerOf(peer);
      return id !== undefined && !reached.has(id);
    });
    this.#opts.logger.debug(
      { topic: kind, bytes: data.byteLength, gossiped: reached.size, direct: missed },
      'published',
    );
    for (const peer of missed) void this.#direct(peer, msg, data);
  }

  async #direct(to: number, msg: ConsensusMessage, data: Uint8Array): Promise<void> {
    const conn = this.#connectionTo(to);
    if (conn === undefined) {
      this.#opts.logger.debug({ peer: to, type: msg.type }, 'authority not connected; direct message dropped');
      return;
    }
    try {
      await sendDirect(this.#ctx, conn, msg, data);
    } catch (e) {
      if (this.#started)
        this.#opts.logger.debug({ peer: to, type: msg.type, err: (e as Error).message }, 'direct send failed');
    }
  }

  async #sync(to: Destination, fromHeight: number, max: number): Promise<void> {
    const peers = to === 'all' ? this.connectedAuthorities() : [to];
    const peer = peers[Math.floor(Math.random() * peers.length)];
    const conn = peer === undefined ? undefined : this.#connectionTo(peer);
    if (peer === undefined || conn === undefined) {
      this.#opts.logger.debug({ to, fromHeight }, 'no connected authority to sync from');
      // An empty answer tells the core its request is over, so it may ask again.
      if (peer !== undefined) this.#deliver(peer, { type: 'sync-response', blocks: [] });
      return;
    }
    try {
      const blocks = await requestSync(this.#ctx, conn, { fromHeight, max });
      this.#deliver(peer, { type: 'sync-response', blocks });
    } catch (e) {
      if (this.#started)
        this.#opts.logger.warn(
          { peer, fromHeight, code: (e as { code?: string }).code, err: (e as Error).message },
          'sync request failed',
        );
      this.#deliver(peer, { type: 'sync-response', blocks: [] });
    }
  }

  async #fetchBlock(to: Destination, hash: Hex): Promise<void> {
    if (this.#blockRequestsInFlight.has(hash)) return;
    this.#blockRequestsInFlight.add(hash);
    let found = false;
    try {
      const peers = to === 'all' ? this.connectedAuthorities() : [to];
      await Promise.all(
        peers.map(async (peer) => {
          const conn = this.#connectionTo(peer);
          if (conn === undefined) return;
          try {
            const block = await requestBlock(this.#ctx, conn, hash);
            if (block !== undefined && !found) {
              found = true;
              this.#deliver(peer, { type: 'block-response', block });
            }
          } catch (e) {
            if (this.#started)
              this.#opts.logger.debug({ peer, hash, err: (e as Error).message }, 'block request failed');
          }
        }),
      );
    } finally {
      this.#blockRequestsInFlight.delete(hash);
    }
  }
}
