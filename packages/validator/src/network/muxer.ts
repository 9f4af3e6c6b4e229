/**
 * Yamux with one guard: a control frame (window update, ping, go-away, reset) written to a
 * transport that is already closing is dropped instead of thrown.
 *
 * Why: @chainsafe/libp2p-yamux 8.0.1 (the latest on npm) writes control frames from detached
 * contexts. `onCreateStream` sends a new stream's SYN window update from a bare
 * `queueMicrotask(() => stream.sendWindowUpdate())`; if the connection's transport starts
 * closing before that microtask runs (a peer killed or a connection pruned while streams are
 * being opened, which is what load plus restarts produce), `maConn.send` throws
 * `StreamStateError: Cannot write to a stream that is closing/closed` with no caller to catch it,
 * and Node ends the process on the uncaught exception. The muxer's own 'message' listener has the
 * same shape: its catch block aborts the muxer, whose go-away frame throws again out of an event
 * listener. A frame for a transport that is closing can never be delivered, and that transport's
 * close event closes the muxer and its streams anyway: dropping it costs nothing, and the error
 * costs one connection instead of the process. Data frames keep throwing: they are written on
 * behalf of a caller (stream.send) that handles the error.
 */
import { type YamuxMuxerInit, yamux } from '@chainsafe/libp2p-yamux';
import type { StreamMuxerFactory } from '@libp2p/interface';

/** Yamux frame type of data frames (FrameType.Data). */
const FRAME_DATA = 0;

interface FrameHeader {
  type: number;
  streamID: number;
}
type SendFrame = (header: FrameHeader, data?: unknown) => boolean;
/** The parts of a muxer's transport the guard reads. */
interface Transport {
  writeStatus?: string;
  abort?(err: Error): void;
}

/** Called once per connection when the guard dropped a frame (for logging). */
export type MuxerGuardHook = (info: { streamId: number; frameType: number; err: string }) => void;

function isStreamStateError(e: unknown): e is Error {
  return e instanceof Error && e.name === 'StreamStateError';
}

/**
 * Wrap a yamux muxer so that control frames written after its transport stopped being writable
 * are dropped. Exported for tests; `guardedYamux` applies it to every connection.
 */
export function guardMuxer<M extends object>(muxer: M, transport: Transport, onDrop?: MuxerGuardHook): M {
  const m = muxer as unknown as { sendFrame: SendFrame };
  const original = m.sendFrame.bind(muxer) as SendFrame;
  let reported = false;
  const drop = (header: FrameHeader, err: string): boolean => {
    if (!reported) {
      reported = true;
      onDrop?.({ streamId: header.streamID, frameType: header.type, err });
    }
    return false;
  };
  // Streams bind muxer.sendFrame when they are created, so this must run before the first stream.
  m.sendFrame = (header, data) => {
    if (header.type !== FRAME_DATA && (transport.writeStatus === 'closing' || transport.writeStatus === 'closed')) {
      return drop(header, `transport is ${transport.writeStatus}`);
    }
    try {
      return original(header, data);
    } catch (e) {
      if (header.type === FRAME_DATA || !isStreamStateError(e)) throw e;
      // A layer under the transport (TCP under Noise) closed first: end this one connection.
      transport.abort?.(e);
      return drop(header, e.message);
    }
  };
  return muxer;
}

/** Yamux stream states (StreamState in @chainsafe/libp2p-yamux) in which a window update carries no flag. */
const STATE_SYN_SENT = 1;
const STATE_ESTABLISHED = 3;

/** The parts of a yamux stream the window-update policy reads. */
interface WindowedStream {
  state: number;
  recvWindow: number;
  recvWindowCapacity: number;
  sendWindowUpdate(): void;
}
type NewStream = (streamId: number, state: number, direction: string) => WindowedStream;

/**
 * Send a stream's window update only once half of its receive window is consumed, as
 * hashicorp/yamux (the reference implementation) does, instead of after every data frame:
 * @chainsafe/libp2p-yamux 8.0.1 answers each frame with an update of its own, which on the
 * long-lived transaction channels doubled the frames, encryptions and socket writes per message.
 * Updates that carry a flag (SYN, ACK) and the auto-tuning of the window are unchanged.
 */
export function halfWindowUpdates<M extends object>(muxer: M): M {
  const m = muxer as unknown as { _newStream?: NewStream };
  const create = m._newStream?.bind(muxer);
  if (create === undefined) return muxer;
  m._newStream = (streamId, state, direction) => {
    const stream = create(streamId, state, direction);
    const update = stream.sendWindowUpdate.bind(stream);
    stream.sendWindowUpdate = () => {
      const flagless = stream.state === STATE_ESTABLISHED || stream.state === STATE_SYN_SENT;
      if (flagless && stream.recvWindow - stream.recvWindowCapacity < stream.recvWindow / 2) return;
      update();
    };
    return stream;
  };
  return muxer;
}

/** The yamux muxer factory, with every muxer guarded (see the module comment). */
export function guardedYamux(init?: YamuxMuxerInit, onDrop?: MuxerGuardHook): () => StreamMuxerFactory {
  const make = yamux(init);
  return () => {
    const factory = make();
    const create = factory.createStreamMuxer.bind(factory);
    factory.createStreamMuxer = (maConn) =>
      halfWindowUpdates(guardMuxer(create(maConn), maConn as unknown as Transport, onDrop));
    return factory;
  };
}
