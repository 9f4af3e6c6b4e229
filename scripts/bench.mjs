#!/usr/bin/env node
// The benchmark (`npm run bench`): three validators on loopback, votes one per request and in
// JSON-RPC batches, finality on all validators, CPU, memory, disk, a node:http echo ceiling and a
// resync from an empty disk. Prints a table and one JSON line. See docs/PERFORMANCE.md.
// Promise.withResolvers for libp2p on Node 20 (the validator's polyfill; `npm run bench` builds first).
import '../packages/validator/dist/util/polyfills.js';
import { parseBenchArgs, USAGE } from './bench/args.mjs';
import { formatReport } from './bench/report.mjs';
import { runBench } from './bench/run.mjs';

// --mode ballots: the encrypted-ballot crypto benchmark (scripts/bench/ballots.mjs), no validators.
const argv = process.argv.slice(2);
const modeAt = argv.findIndex((a) => a === '--mode' || a.startsWith('--mode='));
if (modeAt >= 0 && (argv[modeAt] === '--mode=ballots' || argv[modeAt + 1] === 'ballots')) {
  const { ballotBenchMain } = await import('./bench/ballots.mjs');
  process.exit(await ballotBenchMain(argv));
}
// --mode election: an encrypted election on three validators (scripts/bench/election.mjs).
if (modeAt >= 0 && (argv[modeAt] === '--mode=election' || argv[modeAt + 1] === 'election')) {
  const { electionBenchMain } = await import('./bench/election.mjs');
  process.exit(await electionBenchMain(argv));
}

let opts;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(
    `${USAGE}\n  --mode ballots             encrypted-ballot crypto alone (options: node scripts/bench/ballots.mjs --help)\n  --mode election            an encrypted election on three validators (options: --mode election --help)\n`,
  );
  process.exit(0);
}

const log = opts.jsonOnly ? () => undefined : (line) => process.stderr.write(`${line}\n`);
try {
  const report = await runBench(opts, log);
  if (!opts.jsonOnly) process.stdout.write(`\n${formatReport(report)}\n\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
} catch (e) {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exit(1);
}
