import { describe, expect, it } from '@jest/globals';
import { Coalescer } from '../../../src/util/coalescer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Coalescer', () => {
  it('flushes at once after a quiet spell, once per turn however often it is asked, then not before the window closes', async () => {
    const at: number[] = [];
    const start = performance.now();
    const c = new Coalescer(80, () => at.push(performance.now() - start));
    c.schedule();
    c.schedule();
    await sleep(20);
    expect(at).toHaveLength(1);
    expect(at[0]).toBeLessThan(20);
    // Asked again within the window: it waits for the window since the last flush to close.
    c.schedule();
    await sleep(20);
    expect(at).toHaveLength(1);
    await sleep(100);
    expect(at).toHaveLength(2);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(79);
  });

  it('counts a flush made by other means, and cancels', async () => {
    let flushes = 0;
    const c = new Coalescer(80, () => flushes++);
    c.schedule();
    c.flushed(); // e.g. acknowledgements that rode along another message
    expect(c.pending).toBe(false);
    c.schedule(); // within the window of that flush: waits
    await sleep(20);
    expect(flushes).toBe(0);
    c.cancel();
    await sleep(100);
    expect(flushes).toBe(0);
  });
});
