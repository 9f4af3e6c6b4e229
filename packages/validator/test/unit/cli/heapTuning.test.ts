/**
 * The heap growing percent takes effect in a running process: the same allocation workload under
 * the deployed heap limit runs with fewer full collections when it is set (the control: V8's own
 * factor, 1.3 at that limit). The workload keeps a live set and churns medium-lived garbage, as a
 * validator under load does (votes live in the pool for a slot or two, then die in old space).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyHeapGrowingPercent, MAX_HEAP_GROWING_PERCENT } from '../../../src/cli/heapTuning.js';

const built = fileURLToPath(new URL('../../../dist/cli/heapTuning.js', import.meta.url));

const WORKLOAD = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
const { applyHeapGrowingPercent } = await import(process.argv[1]);
applyHeapGrowingPercent(Number(process.argv[2]));
let full = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
}).observe({ entryTypes: ['gc'] });
const live = [];
for (let i = 0; i < 400000; i++) live.push({ id: 'voter-' + i, at: [i] });
const recent = [];
for (let round = 0; round < 1500; round++) {
  const batch = [];
  for (let i = 0; i < 2000; i++) batch.push({ data: 'x'.repeat(40) + i, at: [round, i] });
  recent.push(batch);
  if (recent.length > 40) recent.shift();
}
setTimeout(() => console.log(JSON.stringify({ full, live: live.length })), 50);
`;

function fullCollections(percent: number): number {
  const r = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=256',
      '--max-semi-space-size=8',
      '--input-type=module',
      '-e',
      WORKLOAD,
      built,
      String(percent),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`workload failed (${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout.trim()) as { full: number }).full;
}

describe('applyHeapGrowingPercent', () => {
  it('sets V8 --heap-growing-percent, and nothing for 0', () => {
    const set: string[] = [];
    applyHeapGrowingPercent(0, (f) => set.push(f));
    applyHeapGrowingPercent(100, (f) => set.push(f));
    expect(set).toEqual(['--heap-growing-percent=100']);
  });

  it('refuses what is not an integer in range', () => {
    for (const bad of [-1, MAX_HEAP_GROWING_PERCENT + 1, 1.5, Number.NaN])
      expect(() => applyHeapGrowingPercent(bad, () => undefined)).toThrow(/heap growing percent/);
  });

  it('makes a process under the deployed heap limit collect its whole heap less often', () => {
    const control = fullCollections(0);
    const doubled = fullCollections(100);
    expect(control).toBeGreaterThan(10);
    expect(doubled).toBeLessThan(control * 0.8);
  }, 120_000);
});
