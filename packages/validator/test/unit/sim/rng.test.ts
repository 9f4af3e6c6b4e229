import { describe, expect, it } from '@jest/globals';
import { Rng } from '../../../src/sim/rng.js';

describe('Rng', () => {
  it('replays the same sequence for the same seed and differs for another seed', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 50 }, () => r.u32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(new Set(draw(7)).size).toBeGreaterThan(45);
  });

  it('keeps int, float and chance within bounds and roughly uniform', () => {
    const r = new Rng(1);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) {
      const x = r.int(0, 5);
      expect(Number.isInteger(x) && x >= 0 && x <= 5).toBe(true);
      counts[x]!++;
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (r.chance(0.1)) hits++;
    expect(hits).toBeGreaterThan(800);
    expect(hits).toBeLessThan(1200);
    expect(r.chance(0)).toBe(false);
    expect(r.int(3, 3)).toBe(3);
  });

  it('picks, weighs and shuffles deterministically without losing elements', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(a.shuffle(items)).toEqual(b.shuffle(items));
    expect([...a.shuffle(items)].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(items).toContain(a.pick(items));
    for (let i = 0; i < 100; i++)
      expect(
        a.weighted([
          ['x', 1],
          ['never', 0],
        ] as const),
      ).toBe('x');
  });

  it('derives independent labelled streams and 32-byte seeds', () => {
    const root1 = new Rng(5);
    const root2 = new Rng(5);
    const x = root1.fork('net');
    const y = root2.fork('load');
    expect(x.u32()).not.toBe(y.u32());
    expect(new Rng(5).fork('net').bytes32()).toBe(new Rng(5).fork('net').bytes32());
    expect(new Rng(5).bytes32()).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('refuses bad arguments with a clear error', () => {
    const r = new Rng(1);
    expect(() => r.int(5, 1)).toThrow(/lo <= hi/);
    expect(() => r.pick([])).toThrow(/empty/);
    expect(() => new Rng(Number.NaN)).toThrow(/safe integer/);
  });
});
