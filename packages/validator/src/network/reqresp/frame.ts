/**
 * Length-prefixed frames over libp2p 3 message streams: a 4-byte big-endian length, then that
 * many bytes of UTF-8 JSON. Each side sends one frame and closes its writable end. The length
 * is checked against the limit before any payload is buffered, so an oversized frame costs
 * the reader four bytes.
 */
import type { Connection, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { bytesToUtf8, must, utf8ToBytes } from '@poa-vote/shared';
import { NetworkError, NetworkErrorCode } from '../interface.js';

const HEADER_BYTES = 4;
/** Slack above the frame limit for the stream's read buffer (protocol negotiation leftovers). */
const READ_BUFFER_SLACK = 64 * 1024;

/** Prefix a payload with its length. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  new DataView(out.buffer).setUint32(0, payload.byteLength, false);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** A frame holding the JSON of a value. */
export function jsonFrame(value: unknown): Uint8Array {
  return encodeFrame(utf8ToBytes(JSON.stringify(value)));
}

/** Parse a frame payload as JSON; throws a NetworkError naming the problem. */
export function parseJsonPayload(payload: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(bytesToUtf8(payload)) as unknown;
  } catch (e) {
    throw new NetworkError(NetworkErrorCode.FRAME_MALFORMED, `${what} is not UTF-8 JSON: ${(e as Error).message}`);
  }
}

/** Let a stream buffer one whole frame of up to maxBytes even before it is read. */
export function sizeStreamFor(stream: Stream, maxBytes: number): void {
  stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, maxBytes + HEADER_BYTES + READ_BUFFER_SLACK);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const [only] = chunks;
  if (chunks.length === 1 && only) return only;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** Read exactly one frame; resolves its payload. Rejects on oversize, early end, reset or abort of `signal`. */
export function readFrame(stream: Stream, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let have = 0;
    let need = -1;
    let done = false;

    const finish = (err: Error | undefined, value?: Uint8Array): void => {
      if (done) return;
      done = true;
      stream.removeEventListener('message', onMessage);
      stream.removeEventListener('end', onEnd);
      stream.removeEventListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(must(value, 'frame payload'));
    };
    const ended = (): NetworkError =>
      new NetworkError(
        NetworkErrorCode.STREAM_ENDED,
        `stream ended after ${have} bytes, before a whole frame${need >= 0 ? ` of ${need} bytes` : ''}`,
      );

    function onMessage(evt: StreamMessageEvent): void {
      if (done) return;
      const chunk = evt.data.subarray();
      chunks.push(chunk);
      have += chunk.byteLength;
      if (need < 0 && have >= HEADER_BYTES) {
        const head = concat(chunks, have);
        need = new DataView(head.buffer, head.byteOffset, HEADER_BYTES).getUint32(0, false);
        if (need > maxBytes) {
          const err = new NetworkError(
            NetworkErrorCode.FRAME_TOO_LARGE,
            `frame of ${need} bytes exceeds the limit of ${maxBytes}`,
          );
          stream.abort(err);
          finish(err);
          return;
        }
        chunks.length = 0;
        chunks.push(head);
      }
      if (need >= 0 && have >= HEADER_BYTES + need) {
        const all = concat(chunks, have);
        finish(undefined, all.subarray(HEADER_BYTES, HEADER_BYTES + need));
      }
    }
    function onEnd(): void {
      finish(ended());
    }
    function onClose(evt: StreamCloseEvent): void {
      if (evt.error) finish(evt.error);
      // Data pushed back after negotiation is dispatched on a later tick: wait for it.
      else if (stream.readBufferLength === 0) finish(ended());
    }
    function onAbort(): void {
      const err = new NetworkError(NetworkErrorCode.TIMEOUT, `timed out waiting for a frame (${have} bytes received)`);
      stream.abort(err);
      finish(err);
    }

    if (signal.aborted) return onAbort();
    if (stream.status === 'aborted' || stream.status === 'reset')
      return finish(new NetworkError(NetworkErrorCode.STREAM_ENDED, `stream was ${stream.status}`));
    if (stream.readableEnded && stream.readBufferLength === 0) return finish(ended());
    signal.addEventListener('abort', onAbort);
    stream.addEventListener('end', onEnd);
    stream.addEventListener('close', onClose);
    stream.addEventListener('message', onMessage);
  });
}

/** Send one frame and close the writable end once it has been handed to the transport. */
export async function writeFrame(stream: Stream, frame: Uint8Array, signal: AbortSignal): Promise<void> {
  stream.send(frame);
  await stream.close({ signal });
}

/**
 * Open a stream on a connection, send one request frame and read one response frame.
 * The stream is aborted on any failure, so nothing leaks.
 */
export async function requestResponse(
  conn: Connection,
  protocol: string,
  request: Uint8Array,
  maxResponseBytes: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs);
  const stream = await conn.newStream(protocol, { signal });
  try {
    sizeStreamFor(stream, maxResponseBytes);
    const response = readFrame(stream, maxResponseBytes, signal);
    // The response may fail while we are still writing: observe it now, await it below.
    response.catch(() => undefined);
    await writeFrame(stream, request, signal);
    return await response;
  } catch (e) {
    stream.abort(e as Error);
    throw e;
  }
}

/** Open a stream on a connection, send one frame and close: a one-way message. */
export async function sendOneWay(
  conn: Connection,
  protocol: string,
  frame: Uint8Array,
  timeoutMs: number,
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const stream = await conn.newStream(protocol, { signal });
  try {
    await writeFrame(stream, frame, signal);
  } catch (e) {
    stream.abort(e as Error);
    throw e;
  }
}
