#!/usr/bin/env node
/**
 * Encrypted-ballot crypto speed (issue 14): ballot verifications per second per core for one-choice
 * elections of several sizes, ballot encryptions per second, partial-decryption verifications per
 * second, and verifications per second of the whole machine with one worker thread per core.
 * Imports the built packages/shared/dist (run `npx tsc -b packages/shared` or `npm run build` first).
 *
 *   node scripts/bench/ballots.mjs [--ballots 200] [--candidates 2,5,10] [--workers N] [--json-only]
 *   npm run bench -- --mode ballots [same options]
 *
 * Verification runs each ballot's JSON text through verifyBallot (what a validator does with a
 * transaction's data), and through verifyBallots (the batch entry point) when the build has it.
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// The shared package's build: packages/shared/dist, or another build for before/after runs (--dist).
const DEFAULT_DIST = new URL('../../packages/shared/dist/', import.meta.url);
let shared;
let verifyBallots;
async function loadShared(dist) {
  const dir = dist === undefined ? DEFAULT_DIST : pathToFileURL(`${resolve(dist)}/`);
  shared = await import(new URL('index.js', dir).href);
  verifyBallots = typeof shared.verifyBallots === 'function' ? shared.verifyBallots : undefined;
  return dir.href;
}

export const BALLOTS_USAGE = `usage: node scripts/bench/ballots.mjs [options]   (or: npm run bench -- --mode ballots [options])
  --ballots <n>          ballots per election size (default 200)
  --candidates <list>    comma-separated candidate counts, one-choice elections (default 2,5,10)
  --workers <n>          worker threads for the whole-machine figure (default: available cores; 0 = skip)
  --rounds <n>           timed rounds per figure, the best is reported (default 3)
  --dist <dir>           the shared package's build to measure (default packages/shared/dist), for before/after runs
  --json-only            print only the JSON line
  -h, --help             this help`;

/** Parse the ballot bench's options; throws an Error naming the bad option. */
export function parseBallotArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      ballots: { type: 'string' },
      candidates: { type: 'string' },
      workers: { type: 'string' },
      rounds: { type: 'string' },
      dist: { type: 'string' },
      'json-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (name, dflt, min, max) => {
    const raw = values[name];
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const candidates = (values.candidates ?? '2,5,10').split(',').map((s) => Number(s.trim()));
  if (candidates.some((n) => !Number.isInteger(n) || n < 1 || n > 32))
    throw new Error('--candidates must be a comma-separated list of integers from 1 to 32');
  return {
    help: values.help,
    ballots: int('ballots', 200, 1, 100_000),
    candidates,
    workers: int('workers', availableParallelism(), 0, 64),
    rounds: int('rounds', 3, 1, 100),
    dist: values.dist,
    jsonOnly: values['json-only'],
  };
}

/** A one-choice election with nc candidates after an honest 3-trustee, threshold-2 key ceremony. */
function election(nc, seed) {
  const setup = shared.electionSetup({
    chainId: 1337,
    electionId: `bench-${nc}`,
    candidates: Array.from({ length: nc }, (_, i) => `candidate-${i}`),
    minSelections: 1,
    maxSelections: 1,
    trustees: ['validator-1', 'validator-2', 'validator-3'],
    threshold: 2,
  });
  const rng = shared.seededRng(seed);
  const made = [1, 2, 3].map((i) => shared.makeTrusteeKey(setup, i, rng));
  const keys = made.map((m) => m.message);
  const dealings = [1, 2, 3].map((i) => shared.dkgRound1(setup, i, keys, rng));
  const results = made.map((m) => shared.finalizeKey(setup, keys, dealings, [], m.secret));
  return { params: results[0].params, shares: results.map((r) => r.share), rng };
}

/**
 * Best (fastest) of `rounds` timings of f(): wall-clock ms and this process's CPU ms (user + system)
 * of that round; f's last result is returned too. On a machine shared with other work the CPU time
 * is the steadier measure of cost: a verification per CPU-second is a verification per second of a
 * core that has nothing else to do.
 */
function best(rounds, f) {
  let ms = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  let out;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out = f();
    ms = Math.min(ms, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000);
  }
  return { ms, cpuMs, out };
}

const perSec = (n, ms) => Math.round((n * 1000) / ms);

function verifyAll(params, ballots) {
  for (let i = 0; i < ballots.length; i++) shared.verifyBallot(params, `voter-${i}`, ballots[i]);
  return ballots.length;
}

function verifyAllBatch(params, ballots) {
  const out = verifyBallots(
    params,
    ballots.map((ballot, i) => ({ voterId: `voter-${i}`, ballot })),
  );
  const failed = out.filter((r) => !r.ok).length;
  if (failed > 0) throw new Error(`verifyBallots refused ${failed} valid ballots`);
  return ballots.length;
}

// ---------------------------------------------------------------------------------------------
// Worker: verifies its share of the ballots, after an untimed warm-up (the K table, JIT).

if (!isMainThread && workerData?.ballotBench) {
  const { params, ballots, offset, dist } = workerData;
  await loadShared(dist);
  shared.verifyBallot(params, `voter-${offset}`, ballots[0]);
  parentPort.postMessage({ ready: true });
  parentPort.once('message', () => {
    const t0 = performance.now();
    for (let i = 0; i < ballots.length; i++) shared.verifyBallot(params, `voter-${offset + i}`, ballots[i]);
    parentPort.postMessage({ done: true, ms: performance.now() - t0 });
  });
}

/** Ballots per second with `workers` threads verifying disjoint slices at the same time. */
async function machineRate(params, ballots, workers, dist) {
  const slice = Math.ceil(ballots.length / workers);
  const threads = [];
  for (let w = 0; w < workers; w++) {
    const part = ballots.slice(w * slice, (w + 1) * slice);
    if (part.length === 0) break;
    threads.push({
      n: part.length,
      worker: new Worker(new URL(import.meta.url), {
        workerData: { ballotBench: true, params, ballots: part, offset: w * slice, dist },
      }),
    });
  }
  const once = (worker, key) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m[key]) {
          worker.off('message', onMessage);
          resolve(m);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  await Promise.all(threads.map((t) => once(t.worker, 'ready')));
  const t0 = performance.now();
  const done = threads.map((t) => once(t.worker, 'done'));
  for (const t of threads) t.worker.postMessage('go');
  await Promise.all(done);
  const ms = performance.now() - t0;
  await Promise.all(threads.map((t) => t.worker.terminate()));
  return perSec(
    threads.reduce((a, t) => a + t.n, 0),
    ms,
  );
}

/** Run the ballot benchmark; returns the report object. */
export async function runBallotBench(opts, log = () => undefined) {
  const dist = await loadShared(opts.dist);
  const report = {
    bench: 'poa-vote-ballots',
    version: 1,
    date: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    ballots: opts.ballots,
    dist,
    batchApi: verifyBallots !== undefined,
    elections: [],
  };
  for (const nc of opts.candidates) {
    log(`${nc} candidates: key ceremony, ${opts.ballots} ballots`);
    const { params, shares, rng } = election(nc, `poa-vote/bench/ballots/${nc}`);
    const choices = Array.from({ length: opts.ballots }, (_, i) => i % nc);
    shared.encryptBallot(params, 'voter-warm-up', 0, rng); // prepareElection: K's table, once per election
    const enc = best(1, () => choices.map((c, i) => shared.encryptBallot(params, `voter-${i}`, c, rng)));
    const ballots = enc.out.map((b) => JSON.stringify(b));
    shared.verifyBallot(params, 'voter-0', ballots[0]);
    const verify = best(opts.rounds, () => verifyAll(params, ballots));
    const batch = verifyBallots ? best(opts.rounds, () => verifyAllBatch(params, ballots)) : undefined;
    const machine = opts.workers > 0 ? await machineRate(params, ballots, opts.workers, opts.dist) : undefined;
    const verified = ballots.map((b, i) => shared.verifyBallot(params, `voter-${i}`, b));
    const aggregate = shared.addBallots(params, verified);
    const partials = shares.slice(0, 2).map((s) => shared.partialDecrypt(params, s, aggregate, rng));
    const P = 20;
    const partial = best(opts.rounds, () => {
      for (let i = 0; i < P; i++) shared.verifyPartialDecryption(params, aggregate, partials[i % 2]);
    });
    const tally = shared.decryptTally(params, aggregate, partials);
    const expected = Array.from({ length: nc }, (_, c) => choices.filter((x) => x === c).length);
    if (tally.counts.join() !== expected.join()) throw new Error(`tally ${tally.counts} differs from ${expected}`);
    report.elections.push({
      candidates: nc,
      ballotBytes: Math.round(ballots.reduce((a, b) => a + b.length, 0) / ballots.length),
      encryptPerSec: perSec(opts.ballots, enc.ms),
      encryptPerCpuSec: perSec(opts.ballots, enc.cpuMs),
      verifyPerSecPerCore: perSec(opts.ballots, verify.ms),
      verifyPerCpuSec: perSec(opts.ballots, verify.cpuMs),
      verifyCpuMsPerBallot: Number((verify.cpuMs / opts.ballots).toFixed(3)),
      batchVerifyPerSecPerCore: batch ? perSec(opts.ballots, batch.ms) : null,
      batchVerifyPerCpuSec: batch ? perSec(opts.ballots, batch.cpuMs) : null,
      workers: opts.workers,
      verifyPerSecMachine: machine ?? null,
      partialVerifyPerSec: perSec(P, partial.ms),
      partialVerifyPerCpuSec: perSec(P, partial.cpuMs),
      partialShareVerifyPerCpuSec: perSec(P * nc, partial.cpuMs),
    });
  }
  return report;
}

/** The report as a table. */
export function formatBallotReport(r) {
  const cols = [
    ['candidates', (e) => e.candidates],
    ['bytes', (e) => e.ballotBytes],
    ['encrypt/cpu-s', (e) => e.encryptPerCpuSec],
    ['verify/s', (e) => e.verifyPerSecPerCore],
    ['verify/cpu-s', (e) => e.verifyPerCpuSec],
    ['cpu-ms/verify', (e) => e.verifyCpuMsPerBallot.toFixed(2)],
    ['batch/cpu-s', (e) => e.batchVerifyPerCpuSec ?? '-'],
    [`verify/s x${r.elections[0]?.workers ?? 0} workers`, (e) => e.verifyPerSecMachine ?? '-'],
    ['partial verify/cpu-s', (e) => e.partialVerifyPerCpuSec],
  ];
  const head = cols.map(([h]) => h);
  const rows = r.elections.map((e) => cols.map(([, f]) => String(f(e))));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [
    `encrypted ballots, one-choice elections, 3 trustees (threshold 2); node ${r.node}, ${r.cores} cores, ${r.ballots} ballots,`,
    `load average ${r.loadAverage.join(' ')}; /cpu-s = per second of one core's CPU time, /s = per wall-clock second`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Command-line entry: used directly and by scripts/bench.mjs --mode ballots. */
export async function ballotBenchMain(argv) {
  let opts;
  try {
    opts = parseBallotArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${e.message}\n${BALLOTS_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${BALLOTS_USAGE}\n`);
    return 0;
  }
  const log = opts.jsonOnly ? () => undefined : (line) => process.stderr.write(`${line}\n`);
  const report = await runBallotBench(opts, log);
  if (!opts.jsonOnly) process.stdout.write(`\n${formatBallotReport(report)}\n\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await ballotBenchMain(process.argv.slice(2));
}
