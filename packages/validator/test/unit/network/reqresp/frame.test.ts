import { describe, it, expect } from '@jest/globals';
import type { Stream } from '@libp2p/interface';
import { utf8ToBytes } from '@poa-vote/shared';
import {
  NetworkError,
  NetworkErrorCode,
  encodeFrame,
  jsonFrame,
  parseJsonPayload,
  readFrame,
} from '../../../../src/network/index.js';

/** Just enough of a libp2p 3 message stream to feed readFrame. */
class FakeStream extends EventTarget {
  status = 'open';
  readableEnded = false;
  readBufferLength = 0;
  aborted: Error | undefined;
  push(bytes: Uint8Array): void {
    const evt = new Event('message') as Event & { data: Uint8Array };
    evt.data = bytes;
    this.dispatchEvent(evt);
  }
  end(): void {
    this.readableEnded = true;
    this.dispatchEvent(new Event('end'));
  }
  abort(err: Error): void {
    this.aborted = err;
    this.status = 'aborted';
  }
}

function fake(): { s: FakeStream; stream: Stream } {
  const s = new FakeStream();
  return { s, stream: s as unknown as Stream };
}

async function rejection(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkError);
    return e as NetworkError;
  }
  throw new Error('expected a rejection');
}

describe('frames', () => {
  it('prefix the payload with its 4-byte big-endian length', () => {
    expect([...encodeFrame(new Uint8Array([9, 8, 7]))]).toEqual([0, 0, 0, 3, 9, 8, 7]);
    expect(parseJsonPayload(jsonFrame({ a: 1 }).subarray(4), 'x')).toEqual({ a: 1 });
  });

  it('are reassembled from arbitrary chunks', async () => {
    const { s, stream } = fake();
    const frame = jsonFrame({ hello: 'world', n: [1, 2, 3] });
    const read = readFrame(stream, 1024, AbortSignal.timeout(5000));
    for (let i = 0; i < frame.length; i += 3) s.push(frame.subarray(i, i + 3));
    expect(parseJsonPayload(await read, 'frame')).toEqual({ hello: 'world', n: [1, 2, 3] });
  });

  it('refuse a frame longer than the limit from its header alone, aborting the stream', async () => {
    const { s, stream } = fake();
    const read = readFrame(stream, 10, AbortSignal.timeout(5000));
    s.push(new Uint8Array([0, 0, 1, 0]));
    const e = await rejection(read);
    expect(e.code).toBe(NetworkErrorCode.FRAME_TOO_LARGE);
    expect(e.message).toBe('frame of 256 bytes exceeds the limit of 10');
    expect(s.aborted).toBe(e);
  });

  it('fail when the stream ends early', async () => {
    const { s, stream } = fake();
    const read = readFrame(stream, 1024, AbortSignal.timeout(5000));
    s.push(encodeFrame(utf8ToBytes('{"a":1}')).subarray(0, 6));
    s.end();
    const e = await rejection(read);
    expect(e.code).toBe(NetworkErrorCode.STREAM_ENDED);
    expect(e.message).toMatch(/after 6 bytes, before a whole frame of 7 bytes/);
  });

  it('time out', async () => {
    const { s, stream } = fake();
    const e = await rejection(readFrame(stream, 1024, AbortSignal.timeout(50)));
    expect(e.code).toBe(NetworkErrorCode.TIMEOUT);
    expect(s.aborted).toBe(e);
  });

  it('report malformed JSON payloads', () => {
    expect(() => parseJsonPayload(utf8ToBytes('{nope'), 'sync response')).toThrow(/sync response is not UTF-8 JSON/);
  });
});
