/**
 * The `channel` method: one long-lived stream from each authority to each other one, carrying
 * transaction batches and their acknowledgements frame after frame (the frame format of every
 * request/response method: a 4-byte big-endian length, then the message's JSON).
 *
 * Why not gossip (issue 9, docs/PERFORMANCE.md): a vote is acknowledged only once a quorum holds
 * it, so each submit window costs a batch out and an acknowledgement back. Over gossipsub each of
 * those messages is signed with the authority key, verified by every receiver (libp2p re-imports
 * the key for each verification), recorded in the seen-cache and forwarded by every receiver to
 * every other mesh peer, which in a full mesh of authorities already has it from the origin. On
 * a channel the Noise session authenticates the sender, nothing is relayed, and a message costs
 * one encrypted frame per peer. Nothing is lost by not relaying: a batch that misses a peer is not
 * acknowledged by it, so its origin keeps re-sending it, and blocks carry the votes themselves.
 *
 * Limits: a frame over the largest `txs`/`acks` message aborts the stream before it is buffered;
 * each message is validated exactly as on its gossip topic, and an invalid one aborts the stream
 * and costs the peer score. A sender never buffers more than `maxQueuedBytes` per peer: above it
 * (a peer that stopped reading) messages are dropped and the peer simply does not acknowledge them.
 * A peer that does not speak the protocol gets the message through the `direct` method instead.
 */
import type { Connection, Stream, StreamMessageEvent } from '@libp2p/interface';
import type { ConsensusMessage } from '../../consensus/interface.js';
import { GossipKind, topicMaxBytes } from '../gossip/topic.js';
import { GossipAction, GossipErrorCode, GossipValidationError } from '../gossip/validation.js';
import type { MessageHandler } from '../interface.js';
import { NetworkError, NetworkErrorCode } from '../interface.js';
import { type ReqRespContext, authorityOfStream, failInbound } from './context.js';
import { validateDirectMessage } from './direct.js';
import { encodeFrame, sizeStreamFor } from './frame.js';
import { ReqRespMethod, protocolId } from './protocols.js';

const HEADER_BYTES = 4;

/** The kinds of message a channel carries. */
export const CHANNEL_KINDS: ReadonlySet<string> = new Set([GossipKind.txs, GossipKind.acks]);

/** Whether a message travels on channels rather than gossip. */
export function travelsOnChannel(msg: ConsensusMessage): boolean {
  return CHANNEL_KINDS.has(msg.type);
}

/** Largest message a channel frame may hold. */
export function channelMaxBytes(ctx: ReqRespContext): number {
  const limits = {
    maxMessageBytes: ctx.maxMessageBytes,
    maxTxBatchBytes: ctx.maxTxBatchBytes,
    maxTxBytes: ctx.genesis.limits.maxTxBytes,
  };
  return Math.max(topicMaxBytes(GossipKind.txs, limits), topicMaxBytes(GossipKind.acks, limits));
}

/**
 * Validate one channel message: as a directed message (JSON, its topic's size limit and rules),
 * and of a kind the channel carries.
 */
export function validateChannelMessage(ctx: ReqRespContext, payload: Uint8Array): ConsensusMessage {
  const msg = validateDirectMessage(ctx, payload);
  if (!travelsOnChannel(msg))
    throw new GossipValidationError(
      GossipAction.REJECT,
      GossipErrorCode.WRONG_TOPIC,
      `a ${msg.type} message cannot travel on a channel (txs and acks only)`,
    );
  return msg;
}

/**
 * Splits a byte stream into frames. `push` returns the payloads completed by a chunk; it throws
 * a NetworkError (before buffering the payload) when a frame announces more than `maxBytes`.
 */
export class FrameSplitter {
  #buf: Uint8Array = new Uint8Array(0);
  #need = -1;

  constructor(private readonly maxBytes: number) {}

  /** Bytes received and not yet part of a whole frame. */
  get buffered(): number {
    return this.#buf.byteLength;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    let buf: Uint8Array;
    if (this.#buf.byteLength === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#buf.byteLength + chunk.byteLength);
      buf.set(this.#buf, 0);
      buf.set(chunk, this.#buf.byteLength);
    }
    const out: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      if (this.#need < 0) {
        if (buf.byteLength - at < HEADER_BYTES) break;
        this.#need = new DataView(buf.buffer, buf.byteOffset + at, HEADER_BYTES).getUint32(0, false);
        if (this.#need > this.maxBytes)
          throw new NetworkError(
            NetworkErrorCode.FRAME_TOO_LARGE,
            `frame of ${this.#need} bytes exceeds the limit of ${this.maxBytes}`,
          );
        at += HEADER_BYTES;
      }
      if (buf.byteLength - at < this.#need) break;
      out.push(buf.subarray(at, at + this.#need));
      at += this.#need;
      this.#need = -1;
    }
    // Keep the tail in its own buffer: frames handed out above may still reference `buf`.
    this.#buf = at === buf.byteLength ? new Uint8Array(0) : buf.slice(at);
    return out;
  }
}

/** Receive a peer's channel: every frame, validated, goes to `deliver` until the stream ends. */
export function handleChannelStream(
  ctx: ReqRespContext,
  stream: Stream,
  conn: Connection,
  deliver: MessageHandler,
): void {
  let from: number | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.channel, from, e);
    return;
  }
  const peer = from;
  const max = channelMaxBytes(ctx);
  sizeStreamFor(stream, max);
  const frames = new FrameSplitter(max);
  const onMessage = (evt: StreamMessageEvent): void => {
    try {
      for (const payload of frames.push(evt.data.subarray())) deliver(peer, validateChannelMessage(ctx, payload));
    } catch (e) {
      stream.removeEventListener('message', onMessage);
      failInbound(ctx, stream, ReqRespMethod.channel, peer, e);
    }
  };
  stream.addEventListener('message', onMessage);
  stream.addEventListener('remoteCloseWrite', () => {
    if (stream.writeStatus === 'writable') void stream.close().catch(() => undefined);
  });
}

interface OutChannel {
  conn: Connection;
  stream: Stream | undefined;
  /** Frames waiting for the stream to open. */
  queue: Uint8Array[];
  queuedBytes: number;
}

export interface PeerChannelsInit {
  ctx: ReqRespContext;
  /** The open connection to an authority, if any. */
  connectionTo: (index: number) => Connection | undefined;
  /** Most bytes buffered for one peer (waiting to open, or unsent); more are dropped. */
  maxQueuedBytes: number;
}

/** The sending side: one channel per connected authority, opened on first use. */
export class PeerChannels {
  readonly #init: PeerChannelsInit;
  readonly #out = new Map<number, OutChannel>();
  /** Connections whose peer does not speak the channel protocol. */
  readonly #unsupported = new WeakSet<Connection>();
  #closed = false;
  /** Messages dropped because a peer's buffer was full (for logs and tests). */
  dropped = 0;

  constructor(init: PeerChannelsInit) {
    this.#init = init;
  }

  /**
   * Send `data` (an encoded message) to authority `to`. Returns false if it cannot travel on a
   * channel (not connected, or the peer does not speak the protocol): the caller sends it another way.
   */
  send(to: number, data: Uint8Array): boolean {
    if (this.#closed) return false;
    const conn = this.#init.connectionTo(to);
    if (conn === undefined || this.#unsupported.has(conn)) return false;
    let ch = this.#out.get(to);
    if (ch !== undefined && ch.conn !== conn) {
      ch.stream?.abort(new Error('connection replaced'));
      ch = undefined;
    }
    const frame = encodeFrame(data);
    if (ch === undefined) {
      ch = { conn, stream: undefined, queue: [], queuedBytes: 0 };
      this.#out.set(to, ch);
      void this.#open(to, ch);
    }
    const stream = ch.stream;
    if (stream !== undefined) {
      if (stream.writeStatus !== 'writable') {
        this.#out.delete(to);
        return this.send(to, data);
      }
      if (stream.writeBufferLength + frame.byteLength > this.#init.maxQueuedBytes) return this.#drop(to, frame);
      try {
        stream.send(frame);
      } catch {
        // Closed under us (the connection is going): forget it; the caller sends another way.
        if (this.#out.get(to) === ch) this.#out.delete(to);
        return false;
      }
      return true;
    }
    if (ch.queuedBytes + frame.byteLength > this.#init.maxQueuedBytes) return this.#drop(to, frame);
    ch.queue.push(frame);
    ch.queuedBytes += frame.byteLength;
    return true;
  }

  #drop(to: number, frame: Uint8Array): true {
    this.dropped++;
    this.#init.ctx.logger.debug(
      { peer: to, bytes: frame.byteLength, limit: this.#init.maxQueuedBytes },
      'channel buffer full: message dropped (the peer will not acknowledge it; it is sent again later)',
    );
    return true;
  }

  async #open(to: number, ch: OutChannel): Promise<void> {
    const { ctx } = this.#init;
    let stream: Stream;
    try {
      stream = await ch.conn.newStream(protocolId(ctx.genesis.chainId, ReqRespMethod.channel), {
        signal: AbortSignal.timeout(ctx.requestTimeoutMs),
      });
    } catch (e) {
      if ((e as Error).name === 'UnsupportedProtocolError') this.#unsupported.add(ch.conn);
      if (this.#out.get(to) === ch) this.#out.delete(to);
      ctx.logger.debug(
        { peer: to, queued: ch.queue.length, err: (e as Error).message },
        'channel could not be opened; queued messages dropped',
      );
      return;
    }
    if (this.#closed || this.#out.get(to) !== ch) {
      stream.abort(new Error('channel no longer needed'));
      return;
    }
    ch.stream = stream;
    stream.addEventListener('close', () => {
      if (this.#out.get(to) === ch) this.#out.delete(to);
    });
    const queue = ch.queue;
    ch.queue = [];
    ch.queuedBytes = 0;
    try {
      for (const frame of queue) stream.send(frame);
    } catch (e) {
      if (this.#out.get(to) === ch) this.#out.delete(to);
      ctx.logger.debug(
        { peer: to, err: (e as Error).message },
        'channel closed while opening; queued messages dropped',
      );
    }
  }

  /** Close every channel (the network is stopping). */
  close(): void {
    this.#closed = true;
    for (const ch of this.#out.values()) ch.stream?.abort(new Error('network stopping'));
    this.#out.clear();
  }
}
