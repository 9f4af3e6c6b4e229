import { describe, expect, it } from '@jest/globals';
import { EventQueue } from '../../../src/sim/eventQueue.js';
import { Rng } from '../../../src/sim/rng.js';

describe('EventQueue', () => {
  it('pops by time, and in scheduling order among equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(3, 'b');
    q.push(5, 'e');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });

  it('orders thousands of random events like a stable sort', () => {
    const r = new Rng(3);
    const q = new EventQueue<number>();
    const items = Array.from({ length: 5000 }, (_, i) => ({ t: r.int(0, 200), i }));
    for (const it of items) q.push(it.t, it.i);
    const expected = [...items].sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
    const got: number[] = [];
    expect(q.peekTime()).toBe(Math.min(...items.map((x) => x.t)));
    for (let e = q.pop(); e; e = q.pop()) got.push(e.item);
    expect(got).toEqual(expected);
  });

  it('refuses a non-finite time', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(/finite/);
  });
});
