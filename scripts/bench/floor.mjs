#!/usr/bin/env node
// The per-vote floor: what the steps every validator must take for every vote cost on this
// machine, each alone in a tight loop (no consensus, no network, no event loop in between), using
// the protocol's own code. Their sum is a lower bound of a validator's CPU per vote, and with three
// validators sharing the machine's cores it bounds the finalized votes/s any implementation of this
// protocol could reach here (docs/PERFORMANCE.md, "The floor of a vote").
// Usage: node scripts/bench/floor.mjs [--votes 20000]
// Needs the packages built (npx tsc -b packages/shared packages/validator).
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requireBuilt } from '../lib/index.mjs';
import { VoteFactory } from './votes.mjs';

const { values } = parseArgs({ options: { votes: { type: 'string', default: '20000' } } });
const N = Number(values.votes);
if (!Number.isSafeInteger(N) || N < 1000) throw new Error(`--votes must be an integer >= 1000, got ${values.votes}`);
const { LtHash, canonicalTx, parseTransaction, sha256Utf8Hex, stateEntryBytes, txHash, voterEntry, voterKey } =
  await import(requireBuilt(new URL('../../packages/shared/dist/index.js', import.meta.url).href));
const { LevelKv } = await import(
  requireBuilt(new URL('../../packages/validator/dist/db/index.js', import.meta.url).href)
);
const { ChainRepositories, txLocationOf } = await import(
  requireBuilt(new URL('../../packages/validator/dist/db/repositories/index.js', import.meta.url).href)
);

const votes = new VoteFactory({ runTag: 'floor', mode: 'batch', electionId: '1', ballotBytes: 120 });
const txs = Array.from({ length: N }, (_, i) => votes.vote(i).tx);
const batchText = (from, to) =>
  JSON.stringify(
    txs.slice(from, to).map((tx, i) => ({ jsonrpc: '2.0', id: from + i, method: 'eth_sendTransaction', params: [tx] })),
  );

/** Microseconds per vote of `fn(i)` over every vote, best of three passes (after a warm-up pass). */
function perVote(fn) {
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    const us = ((performance.now() - t) * 1000) / N;
    if (pass > 0) best = Math.min(best, us);
  }
  return best;
}

const rows = [];
const row = (step, us, note) => rows.push({ step, us, note });

// 1. The request: JSON-RPC batches of 250 parsed, each vote checked (accepting validator only).
const texts = [];
for (let i = 0; i < N; i += 250) texts.push(batchText(i, Math.min(N, i + 250)));
{
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (const text of texts) for (const call of JSON.parse(text)) parseTransaction(call.params[0], 4096);
    if (pass > 0) best = Math.min(best, ((performance.now() - t) * 1000) / N);
  }
  row('JSON-RPC batch parse + vote check', best, 'accepting validator only (1/3 of votes each)');
}
// 2. The vote's identity: canonical JSON and sha256 (every validator, once per vote).
row(
  'canonical JSON + sha256 (tx hash)',
  perVote((i) => sha256Utf8Hex(canonicalTx(txs[i]))),
  'every validator',
);
// 3. The state commitment: one voter entry into the lattice (every validator).
const hashes = txs.map((tx) => txHash(tx));
const lattice = new LtHash();
row(
  'state entry: SHAKE256 to 2,048 bytes + lane add',
  perVote((i) => lattice.addElementHash(LtHash.elementHash(stateEntryBytes(voterEntry(txs[i], hashes[i]))))),
  'every validator',
);
// 4. The wire: a vote's bytes encrypted once per peer it goes to and decrypted at each (Noise's
// ChaCha20-Poly1305, node:crypto), in 64 KB frames as batches travel.
{
  const key = crypto.randomBytes(32);
  const frame = Buffer.from(batchText(0, 250));
  const perFrameVotes = 250;
  const iv = Buffer.alloc(12);
  const seal = () => {
    const c = crypto.createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
    const out = Buffer.concat([c.update(frame), c.final()]);
    return { out, tag: c.getAuthTag() };
  };
  const sealed = seal();
  const open = () => {
    const d = crypto.createDecipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
    d.setAuthTag(sealed.tag);
    return Buffer.concat([d.update(sealed.out), d.final()]);
  };
  const frames = Math.ceil(N / perFrameVotes);
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (let f = 0; f < frames; f++) {
      seal();
      open();
    }
    if (pass > 0) best = Math.min(best, ((performance.now() - t) * 1000) / N);
  }
  // The accepting validator seals for two peers, each peer opens once: per validator on average
  // (2 seals + 2 opens) / 3 = 4/3 of one seal+open.
  row('ChaCha20-Poly1305 seal + open of its bytes', (best * 4) / 3, 'averaged over the three validators');
}
// 5. Storage: what a vote leaves on disk at every validator (pool entry, then its location, its
// one-vote entry, the pool entry's removal), through the validator's own store and key layout
// (LevelKv, ChainRepositories) in batches of 250, not synced.
{
  const dir = mkdtempSync(join(tmpdir(), 'poa-floor-'));
  const kv = await LevelKv.open(dir, { writeBufferSize: 32 * 1024 * 1024 });
  const repos = new ChainRepositories(kv);
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (let i = 0; i < N; i += 250) {
      const end = Math.min(N, i + 250);
      const add = [];
      for (let k = i; k < end; k++) add.push(repos.pool.put(hashes[k], { seq: k, tx: txs[k] }));
      await kv.write(add);
      const fin = [];
      for (let k = i; k < end; k++)
        fin.push(
          repos.txLocations.put(hashes[k], txLocationOf(pass + 1, k, txs[k])),
          repos.voters.put(voterKey(txs[k]), hashes[k]),
          repos.pool.del(hashes[k]),
        );
      await kv.write(fin);
    }
    if (pass > 0) best = Math.min(best, ((performance.now() - t) * 1000) / N);
  }
  await kv.close();
  rmSync(dir, { recursive: true, force: true });
  row('LevelDB: pool put, location + one-vote puts, pool delete', best, 'every validator; wall time, writes awaited');
}

const accepting = rows[0].us / 3;
const perValidator = rows.slice(1).reduce((s, r) => s + r.us, 0) + accepting;
const cores = availableParallelism();
console.log(`poa-vote per-vote floor: ${N} votes of 120-byte ballots, node ${process.version}, ${cores} cores\n`);
console.log('step                                                      us/vote  who');
for (const r of rows) console.log(`${r.step.padEnd(56)}  ${r.us.toFixed(2).padStart(7)}  ${r.note}`);
console.log(`\nsum per validator per vote (the request share averaged): ${perValidator.toFixed(1)} us`);
console.log(
  `three validators on ${cores} cores, nothing else running: at most ${Math.floor((cores * 1e6) / (3 * perValidator)).toLocaleString('en-US')} finalized votes/s from these steps alone`,
);
console.log(JSON.stringify({ floor: { votes: N, cores, rows, perValidatorUs: Number(perValidator.toFixed(2)) } }));
