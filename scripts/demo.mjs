#!/usr/bin/env node
// Demo against a running devnet (`npm run devnet`): ~20 votes for 3 candidates in election 1, their
// receipts, the tally, the chain verification, and a double vote being refused.
// Usage: npm run demo [-- --rpc http://127.0.0.1:8001,http://127.0.0.1:8002,http://127.0.0.1:8003]
//                        [--genesis .devnet/genesis.json] [--votes 20] [--election 1]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CLIENT_LIB, requireBuilt, waitForHealth } from './lib/index.mjs';

const USAGE = `usage: node scripts/demo.mjs [options]
  --rpc <urls>       comma-separated validator RPC URLs (default http://127.0.0.1:8001..8003)
  --genesis <file>   the genesis the client trusts, for verification (default .devnet/genesis.json)
  --votes <n>        number of voters (default 20)
  --election <id>    election id (default 1)
  -h, --help         this help`;

function fail(message, code = 2) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      rpc: { type: 'string', default: 'http://127.0.0.1:8001,http://127.0.0.1:8002,http://127.0.0.1:8003' },
      genesis: { type: 'string', default: '.devnet/genesis.json' },
      votes: { type: 'string', default: '20' },
      election: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  fail(`${err.message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const voteCount = Number(args.votes);
if (!Number.isSafeInteger(voteCount) || voteCount < 1 || voteCount > 10_000)
  fail(`--votes must be an integer from 1 to 10000, got ${JSON.stringify(args.votes)}`);
const urls = args.rpc
  .split(',')
  .map((u) => u.trim())
  .filter(Boolean);
for (const u of urls)
  if (!/^https?:\/\/[^/]+\/?$/.test(u)) fail(`--rpc: ${JSON.stringify(u)} is not an http://host:port URL`);
const electionId = args.election;
let genesis;
try {
  genesis = JSON.parse(readFileSync(args.genesis, 'utf8'));
} catch (err) {
  fail(`--genesis: cannot read the devnet's genesis ${args.genesis} (${err.message}); pass --genesis <file>`);
}

let lib;
try {
  lib = await import(requireBuilt(CLIENT_LIB));
} catch (err) {
  fail(`cannot load the client library: ${err.message}`, 1);
}

const print = (text = '') => process.stdout.write(`${text}\n`);
const short = (hash) =>
  typeof hash === 'string' && hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : String(hash);
const errText = (err) => `${err?.name ?? 'Error'}: ${err?.shortMessage ?? err?.message ?? String(err)}`;

print(`Waiting for a healthy validator among ${urls.join(', ')} …`);
try {
  await Promise.any(urls.map((u) => waitForHealth(u, { healthy: true, timeoutMs: 60_000 })));
} catch (err) {
  fail(
    `no validator reports healthy (is \`npm run devnet\` running?): ${(err.errors ?? [err]).map((e) => e.message).join('; ')}`,
    1,
  );
}

const client = lib.createVotingClient({
  validators: urls.map((rpcUrl, i) => ({ nodeId: `validator-${i + 1}`, rpcUrl })),
  genesis,
});
let exitCode = 0;
try {
  // Election ids accumulate over demo runs, so compare against the tally before this run.
  const before = await client.getResults(electionId);

  // A deterministic, uneven split so the tally is easy to check: A 50 %, B 33 %, C 17 %.
  const pattern = ['A', 'B', 'A', 'C', 'A', 'B'];
  const runId = Date.now().toString(36);
  const votes = Array.from({ length: voteCount }, (_, i) => {
    const candidate = pattern[i % pattern.length];
    return {
      voterId: `demo-${runId}-voter-${String(i + 1).padStart(2, '0')}`,
      electionId,
      candidate,
      encryptedVote: Buffer.from(JSON.stringify({ candidate_id: candidate })).toString('base64'),
    };
  });
  const expected = {};
  for (const v of votes) expected[v.candidate] = (expected[v.candidate] ?? 0) + 1;

  print(`\nSubmitting ${votes.length} votes to election ${electionId} …`);
  const started = Date.now();
  const receipts = await Promise.all(
    votes.map(async (v) => {
      const submitted = await client.submitVote({
        voterId: v.voterId,
        electionId: v.electionId,
        encryptedVote: v.encryptedVote,
      });
      const status = await client.waitForConfirmation(submitted.hash, {
        validator: submitted.validator,
        timeoutMs: 60_000,
      });
      return { v, submitted, status };
    }),
  );
  print(`All ${receipts.length} votes finalized in ${((Date.now() - started) / 1000).toFixed(1)} s. Receipts:`);
  for (const { v, submitted, status } of receipts) {
    print(
      `  ${v.voterId}  ${v.candidate}  tx ${short(submitted.hash)}  via ${submitted.validator}  block #${status.blockNumber ?? '?'} (${status.status ?? status.state ?? 'finalized'})`,
    );
  }

  print('\nDouble vote: the first voter votes again, for another candidate …');
  const first = votes[0];
  try {
    const again = await client.submitVote({
      voterId: first.voterId,
      electionId,
      encryptedVote: Buffer.from(JSON.stringify({ candidate_id: 'C' })).toString('base64'),
    });
    // A validator may accept it into its pool; it must still never be finalized.
    await client.waitForConfirmation(again.hash, { timeoutMs: 15_000 });
    print(`  UNEXPECTED: the second vote ${short(again.hash)} was accepted and finalized`);
    exitCode = 1;
  } catch (err) {
    print(`  refused, as it must be: ${errText(err)}`);
  }

  const after = await client.getResults(electionId);
  print(`\nResults of election ${electionId} (finalized height ${after.height}, ${after.total} votes in total):`);
  for (const [candidate, count] of Object.entries(after.counts).sort()) {
    const delta = count - (before.counts[candidate] ?? 0);
    print(`  ${candidate.padEnd(8)} ${String(count).padStart(5)}   (+${delta} from this run)`);
  }
  for (const [candidate, n] of Object.entries(expected)) {
    const delta = (after.counts[candidate] ?? 0) - (before.counts[candidate] ?? 0);
    if (delta < n) {
      print(`  MISMATCH: this run cast ${n} votes for ${candidate}, the tally grew by ${delta}`);
      exitCode = 1;
    }
  }

  print('\nVerifying the chain (hashes, signatures, quorum certificates) …');
  const integrity = await client.verifyBlockchainIntegrity();
  const valid = integrity.valid ?? integrity.chainValid ?? integrity.chain_valid;
  const checked = integrity.checkedBlocks ?? integrity.checked_blocks ?? integrity.blocks;
  const errors = integrity.errors ?? [];
  print(
    `  chain ${valid ? 'VALID' : 'INVALID'}${checked !== undefined ? `: ${checked} blocks checked` : ''}${errors.length ? `; errors: ${errors.join('; ')}` : ''}`,
  );
  if (!valid) exitCode = 1;
} catch (err) {
  print(`\ndemo failed: ${errText(err)}`);
  if (err?.details) print(`  ${err.details}`);
  exitCode = 1;
} finally {
  await client.close?.();
}
process.exit(exitCode);
