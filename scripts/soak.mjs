#!/usr/bin/env node
// The long-run benchmark (`npm run soak`): --votes (default 10,000,000) through three validators
// on loopback, RSS, V8 heap, event loop lag, throughput and latency sampled every --sample-ms;
// writes samples.csv, one SVG plot per metric and summary.json into --out (artifacts/soak).
// Prints a summary and one JSON line. See docs/PERFORMANCE.md, "Long run".
// Promise.withResolvers for libp2p on Node 20 (the validator's polyfill; `npm run soak` builds first).
import '../packages/validator/dist/util/polyfills.js';
import { formatSummary, parseSoakArgs, replot, runSoak, SOAK_USAGE } from './soak/run.mjs';

let opts;
try {
  opts = parseSoakArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`soak: ${e.message}\n${SOAK_USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${SOAK_USAGE}\n`);
  process.exit(0);
}
if (opts.replot) {
  replot(opts.replot);
  process.exit(0);
}
const log = opts.jsonOnly ? () => undefined : (line) => process.stderr.write(`${line}\n`);
try {
  const summary = await runSoak(opts, log);
  if (!opts.jsonOnly)
    process.stdout.write(`\n${formatSummary(summary)}\n(${opts.out}: samples.csv, *.svg, summary.json)\n\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} catch (e) {
  process.stderr.write(`soak: ${e.stack ?? e.message}\n`);
  process.exit(1);
}
