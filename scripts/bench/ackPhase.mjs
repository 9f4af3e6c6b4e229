#!/usr/bin/env node
// Acknowledgement latency by the moment in its slot a vote was sent: three validators on
// loopback, single votes offered at a steady rate (round robin, at most `concurrency` in flight),
// each answer's latency filed under (send time - genesis time) mod slot, in tenths of the slot.
// It shows where a tail comes from: the steps every validator runs at the start of a slot
// (proposal, its validation, votes, finalization and the block's write) or the steady load.
// Usage: node scripts/bench/ackPhase.mjs [--rate 2000] [--votes 30000] [--slot-ms 1000] [--concurrency 64]
import { parseArgs } from 'node:util';
import { createCluster } from './cluster.mjs';
import { closeTargets, makeTargets, post } from './loadgen.mjs';
import { percentile } from './stats.mjs';
import { VoteFactory } from './votes.mjs';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    votes: { type: 'string', default: '30000' },
    'slot-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const rate = Number(values.rate);
const count = Number(values.votes);
const slotMs = Number(values['slot-ms']);
const concurrency = Number(values.concurrency);

const cluster = await createCluster({ slotMs });
let targets = [];
try {
  await cluster.startAll();
  await new Promise((r) => setTimeout(r, 6000)); // past the start-up grace: every validator vouching
  targets = makeTargets(
    cluster.nodes.map((n) => n.rpcUrl),
    concurrency,
  );
  const factory = new VoteFactory({ runTag: Date.now().toString(36), mode: 'phase', electionId: 1, ballotBytes: 120 });
  const sent = new Float64Array(count); // wall-clock send time (ms since the epoch)
  const took = new Float64Array(count);
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const wait = start + (1000 * i) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const v = factory.vote(i);
      const body = JSON.stringify({ jsonrpc: '2.0', id: v.id, method: 'eth_sendTransaction', params: [v.tx] });
      sent[i] = Date.now();
      const t = performance.now();
      const target = targets[i % targets.length];
      const { text } = await post(target.agent, target.url, body);
      took[i] = performance.now() - t;
      if (!text.includes('"result"')) throw new Error(`vote ${i} refused: ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const { genesisTime } = cluster.genesis;
  const all = [...took];
  const line = (label, ms) => {
    const sorted = Float64Array.from(ms).sort();
    const ps = [50, 90, 99].map((p) => (sorted.length ? percentile(sorted, p).toFixed(1) : '-').padStart(8));
    return `${label.padEnd(16)} ${String(ms.length).padStart(6)}${ps.join('')} ${String(ms.filter((x) => x > 100).length).padStart(8)}`;
  };
  console.log(`single votes at ${rate}/s offered, ${count} votes, ${slotMs} ms slots, ${concurrency} in flight`);
  console.log(
    `${'sent in slot at'.padEnd(16)} ${'votes'.padStart(6)}${['p50', 'p90', 'p99'].map((s) => `${s} ms`.padStart(8)).join('')} ${'>100 ms'.padStart(8)}`,
  );
  console.log(line('all', all));
  const tenths = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < count; i++) {
    const phase = (((sent[i] - genesisTime) % slotMs) + slotMs) % slotMs;
    tenths[Math.min(9, Math.floor((phase * 10) / slotMs))].push(took[i]);
  }
  for (const [k, ms] of tenths.entries()) console.log(line(`${(k * slotMs) / 10}-${((k + 1) * slotMs) / 10} ms`, ms));
} finally {
  closeTargets(targets);
  await cluster.stopAll();
  cluster.remove();
}
