#!/usr/bin/env node
// Acknowledgement latency of a lone vote: three validators on loopback, one vote (or one batch)
// in flight at a time with a pause between them, so nothing queues: what a vote costs on an idle
// network (a submit window, the batch out, each peer's write, the acknowledgement back).
// Usage: node scripts/bench/ackProbe.mjs [--votes 300] [--batches 60] [--batch-size 250] [--gap-ms 20]
import { parseArgs } from 'node:util';
import { createCluster } from './cluster.mjs';
import { VoteFactory } from './votes.mjs';
import { percentile } from './stats.mjs';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '300' },
    batches: { type: 'string', default: '60' },
    'batch-size': { type: 'string', default: '250' },
    'gap-ms': { type: 'string', default: '20' },
  },
});
const gapMs = Number(values['gap-ms']);
const cluster = await createCluster({ slotMs: 1000 });
try {
  await cluster.startAll();
  await new Promise((r) => setTimeout(r, 6000)); // past the start-up grace: every validator vouching
  const factory = new VoteFactory({ runTag: Date.now().toString(36), mode: 'probe', electionId: 1, ballotBytes: 120 });
  let n = 0;
  const send = async (url, size) => {
    const calls = Array.from({ length: size }, (_, k) => {
      const v = factory.vote(n++);
      return { jsonrpc: '2.0', id: `probe-${n}-${k}`, method: 'eth_sendTransaction', params: [v.tx] };
    });
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(size === 1 ? calls[0] : calls),
    });
    const answers = [await res.json()].flat();
    const ms = performance.now() - started;
    const failed = answers.find((a) => a.error !== undefined);
    if (failed) throw new Error(`a vote was refused: ${JSON.stringify(failed.error)}`);
    return ms;
  };
  for (const [label, count, size] of [
    ['one vote', Number(values.votes), 1],
    [`batch of ${values['batch-size']}`, Number(values.batches), Number(values['batch-size'])],
  ]) {
    const ms = [];
    for (let k = 0; k < count; k++) {
      ms.push(await send(cluster.nodes[k % 3].rpcUrl, size));
      await new Promise((r) => setTimeout(r, gapMs));
    }
    ms.sort((a, b) => a - b);
    const f = (p) => percentile(ms, p).toFixed(1);
    console.log(
      `${label}: acknowledged in p50 ${f(50)} ms, p90 ${f(90)} ms, p99 ${f(99)} ms (${count} requests, one at a time)`,
    );
  }
} finally {
  await cluster.stopAll();
  cluster.remove();
}
