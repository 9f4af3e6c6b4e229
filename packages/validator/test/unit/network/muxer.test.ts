import { afterEach, describe, expect, it } from '@jest/globals';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { StreamMuxerFactory } from '@libp2p/interface';
import { multiaddrConnectionPair } from '@libp2p/utils';
import { guardedYamux } from '../../../src/network/muxer.js';

/**
 * Errors thrown inside queueMicrotask callbacks: outside a test these reach Node's
 * uncaughtException and end the process. Captured here instead, so the test can count them.
 */
const detached: Error[] = [];
const realQueueMicrotask = globalThis.queueMicrotask;
globalThis.queueMicrotask = (cb: () => void) =>
  realQueueMicrotask(() => {
    try {
      cb();
    } catch (e) {
      detached.push(e as Error);
    }
  });

afterEach(() => {
  detached.length = 0;
});

type Factory = StreamMuxerFactory;

/** Open a stream on a connection whose transport starts closing in the same tick. */
async function openStreamWhileClosing(factory: Factory): Promise<void> {
  const [a, b] = multiaddrConnectionPair();
  const local = factory.createStreamMuxer(a);
  factory.createStreamMuxer(b);
  const stream = local.createStream();
  void a.close().catch(() => undefined);
  await stream.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  a.abort(new Error('test over'));
  b.abort(new Error('test over'));
}

describe('guardedYamux', () => {
  it('reproduces the bug: plain yamux throws StreamStateError from sendWindowUpdate in a detached microtask', async () => {
    await openStreamWhileClosing(yamux()());
    expect(detached.map((e) => e.name)).toContain('StreamStateError');
    const err = detached.find((e) => e.name === 'StreamStateError')!;
    expect(err.message).toMatch(/Cannot write to a stream that is clos/);
    expect(err.stack).toContain('sendWindowUpdate');
  });

  it('drops the window update instead: nothing is thrown, the connection still closes', async () => {
    const dropped: unknown[] = [];
    await openStreamWhileClosing(guardedYamux(undefined, (d) => dropped.push(d))());
    expect(detached).toEqual([]);
    // The SYN window update of the new stream (type 1) was dropped, not thrown.
    expect(dropped).toContainEqual(expect.objectContaining({ frameType: 1, err: 'transport is closing' }));
  });

  it('still carries data both ways on an open connection', async () => {
    const factory = guardedYamux()();
    const [a, b] = multiaddrConnectionPair();
    const local = factory.createStreamMuxer(a);
    const remote = factory.createStreamMuxer(b);
    const received = new Promise<Uint8Array>((resolve) => {
      remote.addEventListener('stream', (evt) => {
        const s = evt.detail;
        s.addEventListener('message', (m) => {
          resolve(m.data.subarray());
        });
      });
    });
    const s = await local.createStream();
    s.send(Uint8Array.from([1, 2, 3]));
    expect(Array.from(await received)).toEqual([1, 2, 3]);
    expect(detached).toEqual([]);
    a.abort(new Error('test over'));
    b.abort(new Error('test over'));
  });
});
