#!/usr/bin/env node
// Storage micro-benchmark: ChainDb.apply with the writes one validator makes per block under
// load (pool admissions in batches, then the finalized block), without consensus or network.
// Usage: node scripts/bench/dbMicro.mjs [--blocks 10] [--txs 5000] [--pool-batch 250]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { leaderBlock, makeTestChain, voteCertificate } from '@poa-vote/test-utils';
import { requireBuilt } from '../lib/index.mjs';
import { diskUsage } from './disk.mjs';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '10' },
    txs: { type: 'string', default: '5000' },
    'pool-batch': { type: 'string', default: '250' },
  },
});
const positive = (name) => {
  const n = Number(values[name]);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`dbMicro: --${name} must be a positive integer, got ${JSON.stringify(values[name])}\n`);
    process.exit(2);
  }
  return n;
};
const blocks = positive('blocks');
const perBlock = positive('txs');
const poolBatch = positive('pool-batch');

const shared = await import(requireBuilt(new URL('../../packages/shared/dist/index.js', import.meta.url).href));
const { ChainDb } = await import(
  requireBuilt(new URL('../../packages/validator/dist/db/index.js', import.meta.url).href)
);

const chain = makeTestChain({ chainId: 9 });
const { genesis } = chain;
const dir = mkdtempSync(join(tmpdir(), 'poa-dbmicro-'));
const db = await ChainDb.open(dir, genesis);

const ballot = (i) => ({
  from: `voter-${i}`,
  to: 'election-1',
  data: Buffer.from(`{"candidate_id":"${'ABCDE'[i % 5]}","nonce":"${i}","pad":"${'x'.repeat(60)}"}`).toString('base64'),
});
let parent = { hash: shared.genesisHash(genesis), height: 0, slot: 0 };
let poolMs = 0;
let finalMs = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let b = 0; b < blocks; b++) {
  const txs = Array.from({ length: perBlock }, (_, k) => ballot(b * perBlock + k));
  let t = performance.now();
  for (let k = 0; k < txs.length; k += poolBatch)
    await db.apply([{ kind: 'pool-add', txs: txs.slice(k, k + poolBatch) }]);
  poolMs += performance.now() - t;
  const slot = parent.slot + 1;
  const block = leaderBlock(chain, { height: parent.height + 1, slot, parentHash: parent.hash, transactions: txs });
  const certificate = voteCertificate(chain, 'precommit', block, [0, 1]);
  const lock = { slot, block, polka: certificate };
  t = performance.now();
  await db.apply([
    {
      kind: 'safety',
      state: {
        height: block.header.height,
        lastProposedSlot: slot,
        lastPrevoteSlot: slot,
        lastPrecommitSlot: slot,
        lock,
      },
    },
  ]);
  await db.apply([
    { kind: 'finalize', block, certificate },
    {
      kind: 'safety',
      state: { height: block.header.height + 1, lastProposedSlot: slot, lastPrevoteSlot: -1, lastPrecommitSlot: -1 },
    },
  ]);
  finalMs += performance.now() - t;
  parent = { hash: block.hash, height: block.header.height, slot };
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const votes = blocks * perBlock;
await db.close();
// Restart cost: open (the one-vote index stays on disk, read per step: nothing to rebuild), and
// one lookup per vote through it, in batches as the node's steps make them.
const tOpen = performance.now();
const again = await ChainDb.open(dir, genesis);
const reopenMs = performance.now() - tOpen;
const tLookup = performance.now();
let found = 0;
for (let i = 0; i < votes; i += 250) {
  const keys = Array.from({ length: Math.min(250, votes - i) }, (_, k) => shared.voterKey(ballot(i + k)));
  for (const h of await again.voterTxs(keys)) if (h !== undefined) found++;
}
const lookupMs = performance.now() - tLookup;
if (found !== votes) throw new Error(`the index holds ${found} of ${votes} votes`);
await again.close();
const disk = diskUsage(dir);
// The upgrade of a schema 2 database (voterKeys in the tx locations, no index entries) at open.
const { Level } = await import('level');
const raw = new Level(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
await raw.open();
const rewrite = [];
for await (const [k, loc] of raw.iterator({ gte: Buffer.from([4]), lt: Buffer.from([5]) })) {
  const b = loc[0] - 1;
  rewrite.push({ type: 'put', key: k, value: [loc[0], loc[1], shared.voterKey(ballot(b * perBlock + loc[1]))] });
}
for await (const k of raw.keys({ gte: Buffer.from([5]), lt: Buffer.from([6]) })) rewrite.push({ type: 'del', key: k });
rewrite.push({ type: 'put', key: Buffer.concat([Buffer.from([0]), Buffer.from('schemaVersion')]), value: 2 });
await raw.batch(rewrite);
await raw.close();
const tUpgrade = performance.now();
const upgraded = await ChainDb.open(dir, genesis);
const upgradeMs = performance.now() - tUpgrade;
const probe = await upgraded.voterTxs([shared.voterKey(ballot(votes - 1))]);
if (probe[0] === undefined) throw new Error('the upgrade did not index the last vote');
await upgraded.close();
rmSync(dir, { recursive: true, force: true });
const us = (ms) => ((1000 * ms) / votes).toFixed(1);
process.stdout.write(
  `${votes} votes in ${blocks} blocks: pool ${us(poolMs)} us/vote, finalize ${us(finalMs)} us/vote, wall ${us(wall)} us/vote, ` +
    `main-thread cpu ${(((cpu.user + cpu.system) / 1000 / votes) * 1000).toFixed(1)} us/vote, disk ${(disk.allocated / votes).toFixed(0)} B/vote; ` +
    `reopen ${reopenMs.toFixed(0)} ms; one-vote lookups from disk ${us(lookupMs)} us/vote; ` +
    `upgrade of a schema 2 database at open ${upgradeMs.toFixed(0)} ms (${us(upgradeMs)} us/vote)\n`,
);
