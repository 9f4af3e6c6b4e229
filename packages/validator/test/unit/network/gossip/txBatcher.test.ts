import { describe, it, expect } from '@jest/globals';
import type { Transaction } from '@poa-vote/shared';
import { TxBatcher, encodeMessage } from '../../../../src/network/index.js';
import { sleep, tx } from '../fixtures.js';

function batcher(maxBytes: number, maxTxs = 1000, windowMs = 20): { b: TxBatcher; out: Transaction[][] } {
  const out: Transaction[][] = [];
  return { b: new TxBatcher({ windowMs, maxBytes, maxTxs, flush: (txs) => out.push(txs) }), out };
}

describe('TxBatcher', () => {
  it('sends everything added within the window as one batch', async () => {
    const { b, out } = batcher(1 << 20);
    b.add([tx(1)]);
    b.add([tx(2), tx(3)]);
    expect(out).toEqual([]);
    await sleep(60);
    expect(out).toEqual([[tx(1), tx(2), tx(3)]]);
    b.add([tx(4)]);
    await sleep(60);
    expect(out).toEqual([[tx(1), tx(2), tx(3)], [tx(4)]]);
  });

  it('never lets a batch exceed the byte cap', () => {
    const one = encodeMessage({ type: 'txs', txs: [tx(1)] }).byteLength;
    const { b, out } = batcher(2 * one);
    b.add(Array.from({ length: 7 }, (_, i) => tx(i)));
    b.flush();
    expect(out.flat()).toEqual(Array.from({ length: 7 }, (_, i) => tx(i)));
    for (const batch of out) expect(encodeMessage({ type: 'txs', txs: batch }).byteLength).toBeLessThanOrEqual(2 * one);
    expect(out.length).toBeGreaterThan(1);
  });

  it('caps the number of transactions, and sends an oversized transaction alone', () => {
    const { b, out } = batcher(200, 2);
    b.add([tx(1, 'x'.repeat(500)), tx(2), tx(3), tx(4)]);
    b.flush();
    expect(out).toEqual([[tx(1, 'x'.repeat(500))], [tx(2), tx(3)], [tx(4)]]);
  });

  it('drops pending transactions on clear', async () => {
    const { b, out } = batcher(1 << 20);
    b.add([tx(1)]);
    b.clear();
    await sleep(60);
    expect(out).toEqual([]);
  });
});
