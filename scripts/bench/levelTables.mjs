#!/usr/bin/env node
// LevelDB's open tables against the chain's length: what a validator's database alone does to the
// process's memory and to its one-vote lookups as finalized votes pile up, under a cap on open
// files (ChainDb's maxOpenFiles) or LevelDB's default. Finalized blocks of 2,500 votes are written
// through the validator's own store and key layout (LevelKv, ChainRepositories: the block, each
// vote's location and one-vote entry), each block's voters looked up first as a validator does
// for votes it admits (all new: lookups of keys that are not there). Voter ids are scattered (led
// by a hash, as national ids or UUIDs are spread) or counted (as the soak's default); they decide
// how many tables a lookup touches (the VoteFactory's two kinds). Prints RSS (anonymous and file pages) and the lookup cost every 500,000 votes.
// Usage: node scripts/bench/levelTables.mjs [--votes 10000000] [--max-open-files 128|default] [--max-file-mb 2]
//   [--ids scattered|counted]
// Needs the packages built (npx tsc -b packages/shared packages/validator). docs/PERFORMANCE.md, "LevelDB's open tables".
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requireBuilt } from '../lib/index.mjs';
import { VoteFactory } from './votes.mjs';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '10000000' },
    'max-open-files': { type: 'string', default: '128' },
    ids: { type: 'string', default: 'scattered' },
    'max-file-mb': { type: 'string', default: '2' },
  },
});
const N = Number(values.votes);
if (!Number.isSafeInteger(N) || N < 500_000)
  throw new Error(`--votes must be an integer >= 500000, got ${values.votes}`);
const capArg = values['max-open-files'];
const maxOpenFiles = capArg === 'default' ? undefined : Number(capArg);
if (maxOpenFiles !== undefined && (!Number.isSafeInteger(maxOpenFiles) || maxOpenFiles < 74))
  throw new Error(`--max-open-files must be an integer >= 74 or "default", got ${capArg}`);
if (values.ids !== 'scattered' && values.ids !== 'counted')
  throw new Error(`--ids must be scattered or counted, got ${values.ids}`);

const { LevelKv } = await import(
  requireBuilt(new URL('../../packages/validator/dist/db/index.js', import.meta.url).href)
);
const { ChainRepositories, txLocationOf } = await import(
  requireBuilt(new URL('../../packages/validator/dist/db/repositories/index.js', import.meta.url).href)
);
const { txHash, voterKey } = await import(
  requireBuilt(new URL('../../packages/shared/dist/index.js', import.meta.url).href)
);

const dir = mkdtempSync(join(tmpdir(), 'poa-level-tables-'));
const maxFileSize = Number(values['max-file-mb']) * 1024 * 1024;
if (!Number.isSafeInteger(maxFileSize) || maxFileSize < 1024 * 1024)
  throw new Error(`--max-file-mb must be an integer >= 1, got ${values['max-file-mb']}`);
const kv = await LevelKv.open(dir, { maxFileSize, ...(maxOpenFiles === undefined ? {} : { maxOpenFiles }) });
const repos = new ChainRepositories(kv);
const votes = new VoteFactory({ runTag: 'tables', mode: 'batch', electionId: '1', ballotBytes: 120, ids: values.ids });
const vote = (i) => votes.vote(i).tx;
const mb = (status, key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))[1]) / 1024;

const B = 2_500;
const PRINT_EVERY = 500_000;
let lookupMs = 0;
let lookupMsSince = 0;
let height = 0;
const t0 = performance.now();
console.log(
  `poa-vote LevelDB tables: ${N.toLocaleString('en-US')} votes, ${values.ids} voter ids, max open files ${capArg}, tables of ${values['max-file-mb']} MiB, node ${process.version}`,
);
console.log('votes        s  lookup us/key (last 500k)  RSS MB  anonymous  file pages');
try {
  for (let i = 0; i < N; i += B) {
    height++;
    const txs = [];
    for (let k = i; k < i + B; k++) txs.push(vote(k));
    const keys = txs.map(voterKey);
    const t = performance.now();
    const found = await repos.voters.getMany(keys);
    const ms = performance.now() - t;
    lookupMs += ms;
    lookupMsSince += ms;
    if (found.some((x) => x !== undefined)) throw new Error('a new voter was found in the index');
    const hashes = txs.map(txHash);
    const ops = [repos.blocks.put(height, { header: { height }, transactions: txs })];
    for (let k = 0; k < B; k++)
      ops.push(repos.txLocations.put(hashes[k], txLocationOf(height, k, txs[k])), repos.voters.put(keys[k], hashes[k]));
    await kv.write(ops);
    if ((i + B) % PRINT_EVERY === 0) {
      const s = readFileSync('/proc/self/status', 'utf8');
      console.log(
        `${String((i + B) / 1e6).padStart(4)}M ${((performance.now() - t0) / 1000).toFixed(0).padStart(6)}  ${((lookupMsSince * 1000) / PRINT_EVERY).toFixed(1).padStart(24)}  ${mb(s, 'VmRSS').toFixed(0).padStart(6)}  ${mb(s, 'RssAnon').toFixed(0).padStart(9)}  ${mb(s, 'RssFile').toFixed(0).padStart(10)}`,
      );
      lookupMsSince = 0;
    }
  }
  console.log(`lookups: ${((lookupMs * 1000) / N).toFixed(1)} us per key over the run`);
} finally {
  await kv.close();
  rmSync(dir, { recursive: true, force: true });
}
