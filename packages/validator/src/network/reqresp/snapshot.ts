/**
 * The `snapshot` method (docs/PROTOCOL.md section 17.5): a node starting empty asks a peer for
 * the committed state at the peer's finalized head. One request frame `{"version":1}`; the answer
 * is a sequence of frames on the same stream: `{"type":"head","block":..,"certificate":..}`, then
 * `{"type":"entries","entries":[..]}` frames of at most SNAPSHOT_FRAME_BYTES each, then
 * `{"type":"end","entries":n}`. The server reads everything from one database snapshot, so the
 * entries are those of exactly the head's state. Nothing here is trusted: the receiver verifies
 * the head's certificate, recomputes the state commitment from the entries and compares it with a
 * later finalized header's stateRoot (node/snapshotSync.ts).
 *
 * Limits: one snapshot stream per peer and MAX_SNAPSHOT_STREAMS in all on the server (more are
 * refused at once); frames bounded on both sides; the receiver pauses the stream while it
 * processes a frame (back-pressure through yamux's window), and the whole transfer has a deadline.
 */
import type { Connection, Stream, StreamMessageEvent } from '@libp2p/interface';
import { type FinalizedBlock, type StateEntry, isHex, utf8ToBytes } from '@poa-vote/shared';
import { NetworkError, NetworkErrorCode } from '../interface.js';
import { FrameSplitter } from './channel.js';
import { type ReqRespContext, authorityOfStream, failInbound } from './context.js';
import { encodeFrame, jsonFrame, parseJsonPayload, readFrame, sizeStreamFor, writeFrame } from './frame.js';
import { ReqRespMethod, protocolId } from './protocols.js';

/** Largest `entries` frame a server sends (about 8,000 voter entries). */
export const SNAPSHOT_FRAME_BYTES = 1024 * 1024;
/** Snapshot streams a node serves at once, and per peer. */
export const MAX_SNAPSHOT_STREAMS = 2;
export const MAX_SNAPSHOT_STREAMS_PER_PEER = 1;
/** Frames the receiver buffers before it pauses the stream. */
const MAX_QUEUED_FRAMES = 4;
/** Longest strings an entry may hold (a voterKey is at most 128 + 1 + 73 characters). */
const MAX_ENTRY_STRING = 1024;
const ELECTION_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** What a node serves: the head's finalized block, and the state entries in batches. */
export interface SnapshotSource {
  head: FinalizedBlock;
  entries(): AsyncIterable<StateEntry[]>;
  close(): Promise<void>;
}

/** Opens the state at the node's finalized head (undefined: nothing to serve, e.g. at genesis). */
export type SnapshotRequestHandler = () => Promise<SnapshotSource | undefined>;

/**
 * An entry in its wire form: ["v", voterKey, txHash], ["t", election, bucket, count], ["n", election,
 * count], ["e", election, record] (an election registry record, JSON), ["x", election] (voted).
 */
export type WireEntry =
  | [string, string, string]
  | [string, string, string, number]
  | [string, string, number]
  | [string, string, Record<string, unknown>]
  | [string, string];

export function entryToWire(e: StateEntry): WireEntry {
  switch (e.kind) {
    case 'voter':
      return ['v', e.voterKey, e.txHash];
    case 'tally':
      return ['t', e.election, e.candidate, e.count];
    case 'total':
      return ['n', e.election, e.count];
    case 'election':
      return ['e', e.election, e.record];
    case 'voted':
      return ['x', e.election];
  }
}

function badResponse(message: string): never {
  throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, `bad snapshot response: ${message}`);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

function isShortString(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_ENTRY_STRING;
}

/** Validate one untrusted wire entry (shape only: the commitment decides whether it is right). */
export function parseWireEntry(input: unknown, where: string): StateEntry {
  if (!Array.isArray(input)) badResponse(`${where} must be an array`);
  const [kind, a, b, c] = input as unknown[];
  if (
    kind === 'v' &&
    input.length === 3 &&
    isShortString(a) &&
    typeof b === 'string' &&
    isHex(b, 32) &&
    b === b.toLowerCase()
  )
    return { kind: 'voter', voterKey: a, txHash: b };
  if (
    kind === 't' &&
    input.length === 4 &&
    typeof a === 'string' &&
    ELECTION_ID_RE.test(a) &&
    isShortString(b) &&
    isCount(c)
  )
    return { kind: 'tally', election: a, candidate: b, count: c };
  if (kind === 'n' && input.length === 3 && typeof a === 'string' && ELECTION_ID_RE.test(a) && isCount(b))
    return { kind: 'total', election: a, count: b };
  // A record's content is the registry's to check (ElectionRegistry.fromStateEntries), once the
  // commitment has shown it is the chain's; its size is bounded by the frame's.
  if (
    kind === 'e' &&
    input.length === 3 &&
    typeof a === 'string' &&
    ELECTION_ID_RE.test(a) &&
    typeof b === 'object' &&
    b !== null &&
    !Array.isArray(b)
  )
    return { kind: 'election', election: a, record: b as Record<string, unknown> };
  if (kind === 'x' && input.length === 2 && typeof a === 'string' && ELECTION_ID_RE.test(a))
    return { kind: 'voted', election: a };
  return badResponse(`${where} is not a voter, tally, total, election or voted entry`);
}

/** Serve one inbound snapshot request. */
export async function handleSnapshotStream(
  ctx: ReqRespContext,
  stream: Stream,
  conn: Connection,
  handler: () => SnapshotRequestHandler | undefined,
  active: Map<number, number>,
  timeoutMs: number,
): Promise<void> {
  let from: number | undefined;
  let counted = false;
  let source: SnapshotSource | undefined;
  try {
    from = authorityOfStream(ctx, stream, conn);
    const total = [...active.values()].reduce((a, b) => a + b, 0);
    if ((active.get(from) ?? 0) >= MAX_SNAPSHOT_STREAMS_PER_PEER || total >= MAX_SNAPSHOT_STREAMS)
      throw new NetworkError(
        NetworkErrorCode.BAD_REQUEST,
        `snapshot refused: ${total} streams served (at most ${MAX_SNAPSHOT_STREAMS}, ${MAX_SNAPSHOT_STREAMS_PER_PEER} per peer)`,
      );
    active.set(from, (active.get(from) ?? 0) + 1);
    counted = true;
    const signal = AbortSignal.timeout(timeoutMs);
    const req = parseJsonPayload(await readFrame(stream, 256, signal), 'snapshot request') as { version?: unknown };
    if (typeof req !== 'object' || req === null || req.version !== 1)
      throw new NetworkError(NetworkErrorCode.BAD_REQUEST, 'bad snapshot request: must be {"version":1}');
    source = await handler()?.();
    const send = async (frame: Uint8Array): Promise<void> => {
      if (!stream.send(frame)) await stream.onDrain({ signal });
    };
    if (source === undefined) {
      await send(jsonFrame({ type: 'none' }));
    } else {
      await send(jsonFrame({ type: 'head', block: source.head.block, certificate: source.head.certificate }));
      let parts: string[] = [];
      let size = 0;
      let count = 0;
      const flush = async (): Promise<void> => {
        if (parts.length === 0) return;
        await send(encodeFrame(utf8ToBytes(`{"type":"entries","entries":[${parts.join(',')}]}`)));
        parts = [];
        size = 0;
      };
      for await (const batch of source.entries()) {
        for (const e of batch) {
          const part = JSON.stringify(entryToWire(e));
          // Bytes, not UTF-16 units: a candidate name may be non-ASCII.
          const bytes = Buffer.byteLength(part);
          if (size + bytes + 64 > SNAPSHOT_FRAME_BYTES) await flush();
          parts.push(part);
          size += bytes + 1;
          count++;
        }
      }
      await flush();
      await send(jsonFrame({ type: 'end', entries: count }));
    }
    await stream.close({ signal });
  } catch (e) {
    failInbound(ctx, stream, ReqRespMethod.snapshot, from, e);
  } finally {
    if (counted && from !== undefined) {
      const n = (active.get(from) ?? 1) - 1;
      if (n <= 0) active.delete(from);
      else active.set(from, n);
    }
    await source?.close().catch(() => undefined);
  }
}

/** What the receiver does with the answer, frame by frame (it may take its time: the stream is paused meanwhile). */
export interface SnapshotSink {
  onHead(head: FinalizedBlock): Promise<void>;
  onEntries(entries: StateEntry[]): Promise<void>;
}

/** Summary of a received snapshot. */
export interface SnapshotTransfer {
  /** False when the peer had nothing to serve. */
  served: boolean;
  entries: number;
  bytes: number;
}

/** Ask a peer for its state snapshot; frames go to `sink` in order. Rejects on any bad frame. */
export async function requestSnapshot(
  ctx: ReqRespContext,
  conn: Connection,
  sink: SnapshotSink,
  timeoutMs: number,
): Promise<SnapshotTransfer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const stream = await conn.newStream(protocolId(ctx.genesis.chainId, ReqRespMethod.snapshot), { signal });
  const maxFrame = Math.max(ctx.maxMessageBytes, SNAPSHOT_FRAME_BYTES);
  sizeStreamFor(stream, maxFrame * MAX_QUEUED_FRAMES);
  const frames = new FrameQueue(stream, maxFrame, signal);
  try {
    await writeFrame(stream, jsonFrame({ version: 1 }), signal);
    const first = parseJsonPayload(await frames.next(), 'snapshot head') as Record<string, unknown>;
    let bytes = frames.bytes;
    if (first?.type === 'none') return { served: false, entries: 0, bytes };
    if (first?.type !== 'head' || typeof first.block !== 'object' || typeof first.certificate !== 'object')
      badResponse('the first frame must be {"type":"head",block,certificate}');
    await sink.onHead({ block: first.block, certificate: first.certificate } as FinalizedBlock);
    let count = 0;
    for (;;) {
      const frame = parseJsonPayload(await frames.next(), 'snapshot frame') as Record<string, unknown>;
      bytes = frames.bytes;
      if (frame?.type === 'end') {
        if (frame.entries !== count)
          badResponse(`the end frame counts ${String(frame.entries)} entries, ${count} came`);
        return { served: true, entries: count, bytes };
      }
      if (frame?.type !== 'entries' || !Array.isArray(frame.entries))
        badResponse('expected an {"type":"entries"} or {"type":"end"} frame');
      const entries = (frame.entries as unknown[]).map((e, i) => parseWireEntry(e, `entry ${count + i}`));
      count += entries.length;
      await sink.onEntries(entries);
    }
  } catch (e) {
    stream.abort(e as Error);
    throw e;
  } finally {
    frames.close();
  }
}

/** Frames of a stream, one at a time, pausing the stream while too many wait. */
class FrameQueue {
  readonly #stream: Stream;
  readonly #splitter: FrameSplitter;
  readonly #signal: AbortSignal;
  readonly #queue: Uint8Array[] = [];
  #waiter: { resolve: () => void } | undefined;
  #ended = false;
  #error: Error | undefined;
  #paused = false;
  bytes = 0;

  constructor(stream: Stream, maxFrame: number, signal: AbortSignal) {
    this.#stream = stream;
    this.#splitter = new FrameSplitter(maxFrame);
    this.#signal = signal;
    stream.addEventListener('message', this.#onMessage);
    stream.addEventListener('close', this.#onEnd);
    stream.addEventListener('end', this.#onEnd);
    signal.addEventListener('abort', this.#onAbort);
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve();
  }

  readonly #onMessage = (evt: StreamMessageEvent): void => {
    const chunk = evt.data.subarray();
    this.bytes += chunk.byteLength;
    try {
      for (const f of this.#splitter.push(chunk)) this.#queue.push(f);
    } catch (e) {
      this.#error = e as Error;
    }
    if (this.#queue.length >= MAX_QUEUED_FRAMES && !this.#paused && !this.#ended) {
      this.#stream.pause();
      this.#paused = true;
    }
    this.#wake();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake();
  };

  readonly #onAbort = (): void => {
    this.#error = new NetworkError(NetworkErrorCode.TIMEOUT, `snapshot transfer timed out after ${this.bytes} bytes`);
    this.#wake();
  };

  async next(): Promise<Uint8Array> {
    for (;;) {
      if (this.#error) throw this.#error;
      const f = this.#queue.shift();
      if (f !== undefined) {
        if (this.#paused && this.#queue.length < MAX_QUEUED_FRAMES) {
          this.#paused = false;
          // A stream that closed meanwhile has nothing more to emit.
          if (!this.#ended) this.#stream.resume();
        }
        return f;
      }
      if (this.#ended || this.#signal.aborted)
        throw new NetworkError(NetworkErrorCode.STREAM_ENDED, `snapshot stream ended after ${this.bytes} bytes`);
      await new Promise<void>((resolve) => {
        this.#waiter = { resolve };
      });
    }
  }

  close(): void {
    this.#stream.removeEventListener('message', this.#onMessage);
    this.#stream.removeEventListener('close', this.#onEnd);
    this.#stream.removeEventListener('end', this.#onEnd);
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}
