#!/usr/bin/env node
// How close the garbage between full collections brings the heap guard (--rpc-heap-limit-percent)
// to refusing work, with V8's own growing factor and with --heap-growing-percent 100.
//
// Each case runs a child under the validator's deployed heap flags that holds a live set (objects
// of ~140 bytes) and churns garbage that survives young collections (2,000 objects per round, each
// round kept for 40 rounds, as pooled votes live a slot or two), and reports the peak of
// `used_heap_size` (what the guard reads) against the guard's threshold.
// Usage: node scripts/bench/heapGarbage.mjs [--percent 80] [--rounds 3000]
// Needs the validator built (npx tsc -b packages/validator).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VALIDATOR_NODE_ARGS, requireBuilt } from '../lib/index.mjs';

const { values } = parseArgs({
  options: { percent: { type: 'string', default: '80' }, rounds: { type: 'string', default: '3000' } },
});
const guardModule = fileURLToPath(
  requireBuilt(new URL('../../packages/validator/dist/util/heapGuard.js', import.meta.url).href),
);

const CHILD = `
import { getHeapStatistics } from 'node:v8';
const { HeapGuard } = await import(process.argv[1]);
const [liveObjects, rounds, percent] = process.argv.slice(2).map(Number);
const guard = new HeapGuard(percent);
const live = [];
for (let i = 0; i < liveObjects; i++) live.push({ id: 'voter-' + i, at: [i] });
const recent = [];
let peak = 0, refused = 0, afterSetup = getHeapStatistics().used_heap_size;
for (let round = 0; round < rounds; round++) {
  const batch = [];
  for (let i = 0; i < 2000; i++) batch.push({ data: 'x'.repeat(40) + i, at: [round, i] });
  recent.push(batch);
  if (recent.length > 40) recent.shift();
  if (round % 5 === 0) await new Promise((r) => setImmediate(r));
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  if (guard.overloaded()) refused++;
}
const s = getHeapStatistics();
console.log(JSON.stringify({ afterSetup, peak, threshold: guard.thresholdBytes, limit: s.heap_size_limit, refused, rounds, live: live.length }));
`;

const mb = (b) => (b / 2 ** 20).toFixed(0);
console.log(`heap guard at ${values.percent} % of the limit; node flags ${VALIDATOR_NODE_ARGS.join(' ')}`);
console.log('live objects  growing %  live set MB  peak in use MB  guard threshold MB  samples refused');
for (const liveObjects of [430_000, 715_000, 1_000_000, 1_280_000]) {
  for (const growing of [0, 100]) {
    const r = spawnSync(
      process.execPath,
      [
        ...VALIDATOR_NODE_ARGS,
        `--heap-growing-percent=${growing}`,
        '--input-type=module',
        '-e',
        CHILD,
        guardModule,
        String(liveObjects),
        values.rounds,
        values.percent,
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const j = JSON.parse(r.stdout.trim());
    console.log(
      `${String(liveObjects).padStart(12)}  ${String(growing).padStart(9)}  ${mb(j.afterSetup).padStart(11)}  ${mb(j.peak).padStart(14)}  ${mb(j.threshold).padStart(18)}  ${`${j.refused} of ${j.rounds}`.padStart(15)}`,
    );
  }
}
