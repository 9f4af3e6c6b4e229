import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encodeFrame } from '../../../../src/network/reqresp/frame.js';
import { FrameSplitter } from '../../../../src/network/reqresp/channel.js';

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

describe('FrameSplitter (channel frames)', () => {
  it('returns every payload, in order, however the byte stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
        (payloads, cuts) => {
          const stream = concat(payloads.map((p) => encodeFrame(p)));
          const splitter = new FrameSplitter(1000);
          const got: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < stream.byteLength; i++) {
            const len = cuts[i % cuts.length] ?? 1;
            got.push(...splitter.push(stream.subarray(at, at + len)).map((p) => p.slice()));
            at += len;
          }
          expect(got.map((p) => Buffer.from(p).toString('hex'))).toEqual(
            payloads.map((p) => Buffer.from(p).toString('hex')),
          );
          expect(splitter.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a frame announcing more than the limit before buffering its payload', () => {
    const splitter = new FrameSplitter(100);
    expect(splitter.push(encodeFrame(new Uint8Array(100)))).toHaveLength(1);
    const header = encodeFrame(new Uint8Array(101)).subarray(0, 4);
    expect(() => splitter.push(header)).toThrow('frame of 101 bytes exceeds the limit of 100');
  });
});
