// The long-run benchmark (`npm run soak`): N votes through three validators on loopback, a sample
// every --sample-ms of each validator's RSS (/proc), V8 heap and event loop lag (GET /metrics,
// prom-client default metrics), finalized height and votes, CPU, and of the submit-to-acknowledge
// and submit-to-final latencies in that window. Writes samples.csv, one SVG per metric and
// summary.json into --out. Reuses the benchmark's cluster, votes, finality tracker and /proc readers.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { nodeArgsOption } from '../bench/args.mjs';
import { createCluster } from '../bench/cluster.mjs';
import { startEcho } from '../bench/echo.mjs';
import { FinalityTracker, waitForTallies } from '../bench/finality.mjs';
import { closeTargets, makeTargets } from '../bench/loadgen.mjs';
import { parseTransaction, txHash } from '@poa-vote/shared';
import { probeReads } from '../bench/probes.mjs';
import { cpuSeconds, machineBusySeconds, memory } from '../bench/procStats.mjs';
import { percentile, round } from '../bench/stats.mjs';
import { VoteFactory } from '../bench/votes.mjs';
import { VALIDATOR_NODE_ARGS } from '../lib/nodeFlags.mjs';
import { lineChart } from './plot.mjs';

/** Idle time between the read probe right after the load and the second one (a settled chain). */
const SETTLE_MS = 30_000;

export const SOAK_USAGE = `usage: npm run soak -- [options]    (or: node scripts/soak.mjs [options])
  --votes <n>            votes to drive through the three validators (default 10000000)
  --mode batch|single    JSON-RPC batches or one vote per request (default batch)
  --batch-size <n>       votes per batch (default 250)
  --concurrency <n>      requests in flight (default: 4 batch, 64 single)
  --rate <votes/s>       offer votes at this rate (paced) instead of as fast as answered
  --sample-ms <ms>       sampling interval (default 5000)
  --warmup <percent>     RSS after warm-up: at this share of the votes (default 10); the end-minus-warm-up
                         growth compares the median RSS of the tenth from there with that of the last tenth
  --latency-every <n>    measure the submit-to-final latency of every n-th vote (default 50)
  --ids counted|scattered  voter ids counted up (default; the runs in docs/PERFORMANCE.md) or led by a
                         hash, spread over the key space as real voter ids are ("LevelDB's open tables")
  --max-minutes <m>      stop offering votes after m minutes (the run reports what it reached)
  --out <dir>            CSV, SVG plots and summary.json (default artifacts/soak)
  --node-args=<flags>    node flags for the validators, instead of those they are deployed with
                         (${VALIDATOR_NODE_ARGS.join(' ')}); --node-args= for none
  --log-level <level>    validators' log level (default warn)
  --keep                 keep the validators' temp dir
  --json-only            print only the JSON summary line
  --replot <dir>         draw the SVGs of an earlier run again from its samples.csv and summary.json
  -h, --help             this help`;

/** Parse argv; throws an Error naming the bad option. */
export function parseSoakArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      votes: { type: 'string', default: '10000000' },
      mode: { type: 'string', default: 'batch' },
      'batch-size': { type: 'string', default: '250' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'sample-ms': { type: 'string', default: '5000' },
      'latency-every': { type: 'string', default: '50' },
      ids: { type: 'string', default: 'counted' },
      warmup: { type: 'string', default: '10' },
      'max-minutes': { type: 'string' },
      out: { type: 'string', default: 'artifacts/soak' },
      'node-args': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      keep: { type: 'boolean', default: false },
      'json-only': { type: 'boolean', default: false },
      replot: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name, min, max, integer = true) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isSafeInteger(n)))
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw}`);
    return n;
  };
  if (!['batch', 'single'].includes(values.mode)) throw new Error(`--mode must be batch or single, got ${values.mode}`);
  if (!['counted', 'scattered'].includes(values.ids))
    throw new Error(`--ids must be counted or scattered, got ${values.ids}`);
  return {
    help: values.help,
    replot: values.replot,
    votes: num('votes', 1, 100_000_000),
    mode: values.mode,
    batchSize: num('batch-size', 1, 10_000),
    concurrency: num('concurrency', 1, 4096) ?? (values.mode === 'batch' ? 4 : 64),
    rate: num('rate', 1, 10_000_000),
    sampleMs: num('sample-ms', 200, 600_000),
    latencyEvery: num('latency-every', 1, 1_000_000),
    ids: values.ids,
    warmupPercent: num('warmup', 0, 80),
    maxMinutes: num('max-minutes', 0.1, 10_000, false),
    out: values.out,
    nodeArgs: nodeArgsOption(values['node-args']),
    logLevel: values['log-level'],
    keep: values.keep,
    jsonOnly: values['json-only'],
  };
}

/** RSS split into anonymous memory (heaps, malloc) and file pages mapped in (LevelDB tables, code). */
function rssSplit(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { anonMb: kb('RssAnon') / 1024, fileMb: (kb('RssFile') + kb('RssShmem')) / 1024 };
  } catch {
    return undefined;
  }
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** GET a URL's body as text (own agent-less request: no keep-alive socket left behind). */
function getText(url, timeoutMs = 4000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Values of the Prometheus text metrics wanted (first series of each name, labels ignored). */
export function parseMetrics(text, names) {
  const out = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && names.includes(m[1]) && !(m[1] in out)) out[m[1]] = Number(m[2]);
  }
  return out;
}

const METRICS = [
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'poa_finalized_height',
  'poa_pool_transactions',
];

function rpcBody(v) {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(v.id)},"method":"eth_sendTransaction","params":[${JSON.stringify(v.tx)}]}`;
}

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const HASH_RE = /^0x[0-9a-f]{64}$/;

/**
 * The load: a closed loop of `concurrency` requests (or paced at `rate`), spread round-robin over
 * the targets; per target the acknowledge times of the current window; every `latencyEvery`-th
 * vote's send time kept until it is final. Memory stays bounded (no per-vote arrays).
 */
class Load {
  sent = 0;
  accepted = 0;
  errors = 0;
  firstError;
  requests = 0;
  resubmitted = 0;
  stopped = false;
  /** per target: acknowledge ms of the current window */
  ack;
  /** voter id -> send time, for the votes whose finality is timed */
  pending = new Map();

  constructor({ targets, factory, mode, count, batchSize, concurrency, rate, latencyEvery, onError }) {
    Object.assign(this, { targets, factory, mode, count, concurrency, rate, latencyEvery, onError });
    this.perRequest = mode === 'batch' ? batchSize : 1;
    this.ack = targets.map(() => []);
  }

  #fail(n, msg) {
    this.errors += n;
    this.firstError ??= msg;
    this.onError?.(msg);
  }

  async run() {
    this.startedAt = performance.now();
    await Promise.all(Array.from({ length: this.concurrency }, (_, w) => this.#worker(w)));
    this.endedAt = performance.now();
  }

  async #worker(w) {
    for (;;) {
      if (this.stopped || this.sent >= this.count) return;
      const from = this.sent;
      const to = Math.min(this.count, from + this.perRequest);
      this.sent = to;
      if (this.rate !== undefined) {
        const wait = this.startedAt + (1000 * from) / this.rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      let votes = [];
      for (let i = from; i < to; i++) votes.push(this.factory.vote(i));
      const t = performance.now();
      for (let i = from; i < to; i++) if (i % this.latencyEvery === 0) this.pending.set(votes[i - from].tx.from, t);
      // A vote answered TX_NOT_REPLICATED stays pooled; the identical vote is sent again (safe, same hash).
      for (let round = 0; votes.length > 0; round++) {
        votes = await this.#send(w, votes, round < 5);
      }
    }
  }

  /** Send votes in one request; returns those to send again (not yet replicated), counts the rest. */
  async #send(w, votes, mayRetry) {
    const body = this.mode === 'batch' ? `[${votes.map(rpcBody).join(',')}]` : rpcBody(votes[0]);
    const k = (this.requests++ + w) % this.targets.length;
    const target = this.targets[k];
    const t = performance.now();
    let res;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await post(target.agent, target.url, body);
        break;
      } catch (e) {
        // A kept-alive socket closed as the request went out: resend (same votes, same hashes).
        if (attempt < 3 && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) continue;
        res = { error: e.message };
        break;
      }
    }
    if (res.error !== undefined || res.status !== 200) {
      this.#fail(votes.length, `${target.url.host}: ${res.error ?? `HTTP ${res.status} ${res.text.slice(0, 200)}`}`);
      return [];
    }
    this.ack[k].push(performance.now() - t);
    let list;
    try {
      const answer = JSON.parse(res.text);
      list = Array.isArray(answer) ? answer : [answer];
    } catch {
      this.#fail(votes.length, `${target.url.host}: reply is not JSON`);
      return [];
    }
    const again = [];
    list.forEach((r, j) => {
      if (typeof r?.result === 'string' && HASH_RE.test(r.result)) this.accepted++;
      else if (mayRetry && r?.error?.data?.code === 'TX_NOT_REPLICATED' && votes[j]) {
        this.resubmitted++;
        again.push(votes[j]);
      } else this.#fail(1, `${target.url.host}: ${JSON.stringify(r?.error ?? r).slice(0, 300)}`);
    });
    return again;
  }
}

const COLUMNS = [
  't_s',
  'validator',
  'votes_sent',
  'votes_acked',
  'rss_mb',
  'rss_anon_mb',
  'rss_file_mb',
  'heap_used_mb',
  'heap_total_mb',
  'external_mb',
  'eventloop_lag_p99_ms',
  'eventloop_lag_max_ms',
  'finalized_height',
  'finalized_votes',
  'finalized_votes_per_s',
  'pool_txs',
  'cpu_pct',
  'ack_p50_ms',
  'ack_p99_ms',
  'final_p50_ms',
  'final_p99_ms',
  'final_samples',
  'loadgen_cpu_pct',
  'other_cpu_pct',
];

/** Run the soak; returns the summary object (and writes the CSV, the SVGs and summary.json). */
export async function runSoak(opts, log) {
  const runTag = Date.now().toString(36);
  mkdirSync(opts.out, { recursive: true });
  // Rows are appended as they are sampled: a run that dies still leaves its samples.
  const csvFile = join(opts.out, 'samples.csv');
  writeFileSync(csvFile, `${COLUMNS.join(',')}\n`);
  const notes = [];
  const cluster = await createCluster({ slotMs: 1000, logLevel: opts.logLevel, nodeArgs: opts.nodeArgs });
  log(`validators: ${cluster.dir}`);
  const onInterrupt = () => {
    log('interrupted: stopping the validators');
    void cluster.stopAll().finally(() => {
      if (!opts.keep) cluster.remove();
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  const rows = [];
  let summary;
  try {
    await cluster.startAll();
    const nodes = cluster.nodes;
    const pids = nodes.map((_, i) => cluster.pid(i));
    const factory = new VoteFactory({
      runTag,
      mode: opts.mode,
      electionId: `soak-${runTag}`,
      ballotBytes: 120,
      ids: opts.ids,
    });
    const tracker = new FinalityTracker(nodes, { filter: (id) => factory.indexOf(id) % opts.latencyEvery === 0 });
    await tracker.start();
    const targets = makeTargets(
      nodes.map((n) => n.rpcUrl),
      opts.concurrency,
    );
    let errorLines = 0;
    const load = new Load({
      targets,
      factory,
      mode: opts.mode,
      count: opts.votes,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      rate: opts.rate,
      latencyEvery: opts.latencyEvery,
      onError: (msg) => {
        if (errorLines++ < 5) log(`  error: ${msg}`);
      },
    });

    // Per-validator cursors into the tracker's finalized heights (votes final there so far).
    const seenHeights = nodes.map(() => new Set());
    const finalVotes = nodes.map(() => 0);
    const t0 = performance.now();
    let last = {
      t: t0,
      cpu: pids.map(cpuSeconds),
      self: selfCpu(),
      machine: machineBusySeconds(),
      final: [...finalVotes],
    };
    const finalWindow = [];
    const sample = async () => {
      const now = performance.now();
      const cpu = pids.map(cpuSeconds);
      const self = selfCpu();
      const machine = machineBusySeconds();
      const mems = pids.map(memory);
      const split = pids.map(rssSplit);
      // Submit-to-final latencies of the timed votes that became final on all three.
      for (const [id, sentAt] of load.pending) {
        const h = tracker.voterHeight.get(id);
        if (h === undefined) continue;
        const at = tracker.finalOnAll(h);
        if (at === undefined) continue;
        finalWindow.push(at - sentAt);
        load.pending.delete(id);
        tracker.voterHeight.delete(id);
      }
      for (let i = 0; i < nodes.length; i++) {
        for (const [h] of tracker.times[i]) {
          if (seenHeights[i].has(h)) continue;
          seenHeights[i].add(h);
          finalVotes[i] += tracker.heads.get(h)?.txCount ?? 0;
        }
      }
      const scraped = await Promise.all(
        nodes.map((n) =>
          getText(`${n.rpcUrl}/metrics`)
            .then((text) => parseMetrics(text, METRICS))
            .catch(() => ({})),
        ),
      );
      const dt = (now - last.t) / 1000;
      const ours = cpu.reduce((s, c, i) => s + (c - last.cpu[i]), 0) + (self - last.self);
      const other = Math.max(0, machine - last.machine - ours);
      const fin = [...finalWindow].sort((a, b) => a - b);
      finalWindow.length = 0;
      for (let i = 0; i < nodes.length; i++) {
        const mem = mems[i];
        const m = scraped[i];
        const ack = load.ack[i].sort((a, b) => a - b);
        rows.push({
          t_s: round((now - t0) / 1000, 1),
          validator: nodes[i].id,
          votes_sent: load.sent,
          votes_acked: load.accepted,
          rss_mb: round(mem?.rssMb, 1),
          rss_anon_mb: round(split[i]?.anonMb, 1),
          rss_file_mb: round(split[i]?.fileMb, 1),
          heap_used_mb: round((m.nodejs_heap_size_used_bytes ?? NaN) / 2 ** 20, 1),
          heap_total_mb: round((m.nodejs_heap_size_total_bytes ?? NaN) / 2 ** 20, 1),
          external_mb: round((m.nodejs_external_memory_bytes ?? NaN) / 2 ** 20, 1),
          eventloop_lag_p99_ms: round((m.nodejs_eventloop_lag_p99_seconds ?? NaN) * 1000, 1),
          eventloop_lag_max_ms: round((m.nodejs_eventloop_lag_max_seconds ?? NaN) * 1000, 1),
          finalized_height: m.poa_finalized_height,
          finalized_votes: finalVotes[i],
          finalized_votes_per_s: round((finalVotes[i] - last.final[i]) / dt),
          pool_txs: m.poa_pool_transactions,
          cpu_pct: round((100 * (cpu[i] - last.cpu[i])) / dt, 1),
          ack_p50_ms: round(percentile(ack, 50), 1),
          ack_p99_ms: round(percentile(ack, 99), 1),
          final_p50_ms: round(percentile(fin, 50)),
          final_p99_ms: round(percentile(fin, 99)),
          final_samples: fin.length,
          loadgen_cpu_pct: round((100 * (self - last.self)) / dt, 1),
          other_cpu_pct: round((100 * other) / dt, 1),
        });
        load.ack[i] = [];
        appendFileSync(csvFile, `${csvLine(rows.at(-1))}\n`);
      }
      last = { t: now, cpu, self, machine, final: [...finalVotes] };
    };

    let sampling = Promise.resolve();
    let progressAt = 0;
    const timer = setInterval(() => {
      sampling = sampling.then(sample).then(() => {
        const r = rows.slice(-nodes.length);
        if (r.length && r[0].t_s >= progressAt) {
          progressAt = r[0].t_s + 60;
          log(
            `  ${r[0].t_s} s: ${load.accepted} acked, final ${r.map((x) => x.finalized_votes).join('/')}, rss ${r.map((x) => x.rss_mb).join('/')} MB, heap ${r.map((x) => x.heap_used_mb).join('/')} MB, ${r[0].finalized_votes_per_s}/s, other cpu ${r[0].other_cpu_pct} %`,
          );
        }
      });
    }, opts.sampleMs);
    const stopTimer = opts.maxMinutes
      ? setTimeout(() => {
          load.stopped = true;
          notes.push(`stopped offering votes after --max-minutes ${opts.maxMinutes}`);
          log(`  --max-minutes ${opts.maxMinutes} reached: no more votes offered`);
        }, opts.maxMinutes * 60_000)
      : undefined;
    const cpu0 = pids.map(cpuSeconds);
    const machine0 = machineBusySeconds();
    const self0 = selfCpu();
    log(
      `soak: ${opts.votes} votes, ${opts.mode}${opts.mode === 'batch' ? ` of ${opts.batchSize}` : ''}, concurrency ${opts.concurrency}${opts.rate ? `, offered at ${opts.rate}/s` : ''}, ${opts.ids} voter ids, sample every ${opts.sampleMs} ms`,
    );
    await load.run();
    clearTimeout(stopTimer);
    closeTargets(targets);
    log(
      `  submitted ${load.accepted} in ${((load.endedAt - load.startedAt) / 1000).toFixed(1)} s, ${load.errors} errors; waiting for finality on all validators`,
    );
    const tallies = await waitForTallies(nodes, factory.electionId, load.accepted, 180_000);
    await tracker.settle();
    await sampling;
    await sample();
    clearInterval(timer);
    await sampling;
    tracker.close();
    const cpu1 = pids.map(cpuSeconds);
    const ours = cpu1.reduce((s, c, i) => s + (c - cpu0[i]), 0) + (selfCpu() - self0);
    const otherCpu = Math.max(0, machineBusySeconds() - machine0 - ours);
    const seconds = (tallies.at - load.startedAt) / 1000;
    summary = summarize({ opts, rows, nodes, load, seconds, ours, otherCpu, notes });
    summary.chainHeight = Math.max(...rows.slice(-nodes.length).map((r) => r.finalized_height ?? 0));
    // Reads on the long chain (issue 12: p99 under 5 ms): /results, /health and receipts of 200
    // votes spread over the whole run (the oldest blocks included), on each validator, load stopped.
    const step = Math.max(1, Math.floor(load.accepted / 200));
    // By hash: a receipt by JSON-RPC id is answered by the validator the vote was sent to only.
    const receiptRefs = Array.from({ length: Math.min(200, load.accepted) }, (_, k) =>
      txHash(parseTransaction(factory.vote(k * step).tx, 1 << 20)),
    );
    // Twice: right after the load stops (LevelDB still compacting what the run wrote), and again
    // after SETTLE_MS of an idle chain (empty blocks only); each time also against the bare
    // node:http echo, the same requests to a server that does nothing: the floor this machine (its
    // scheduler, the probe's own event loop, loopback TCP) puts under every read's p99.
    const probeAll = async (into) => {
      for (const n of nodes) {
        try {
          into[n.id] = await probeReads(n.rpcUrl, factory.electionId, receiptRefs, 500);
        } catch (e) {
          notes.push(`read probe on ${n.id} failed: ${e.message}`);
        }
      }
      const echo = await startEcho();
      try {
        into.echo = await probeReads(echo.url, factory.electionId, [], 500);
      } finally {
        await echo.stop();
      }
    };
    summary.reads = {};
    await probeAll(summary.reads);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    summary.readsSettled = {};
    await probeAll(summary.readsSettled);
  } finally {
    process.off('SIGINT', onInterrupt);
    await cluster.stopAll();
    if (!opts.keep) cluster.remove();
    else notes.push(`kept ${cluster.dir}`);
  }
  writeOutputs(opts.out, rows, summary);
  return summary;
}

const med = (xs) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const maxOf = (xs) => (xs.length ? Math.max(...xs) : undefined);

/**
 * Per validator: RSS after warm-up (the first sample at --warmup % of the votes acknowledged, and
 * the median of the samples of the tenth of the votes from there), the second and the last tenth
 * (median and max), the end, the max; growth = median of the last tenth - median after warm-up.
 */
function summarize({ opts, rows, nodes, load, seconds, ours, otherCpu, notes }) {
  const total = Math.max(1, load.accepted);
  const w = opts.warmupPercent / 100;
  const validators = nodes.map((n) => {
    const rs = rows.filter((r) => r.validator === n.id && Number.isFinite(r.rss_mb));
    const between = (a, b) => rs.filter((r) => r.votes_acked >= a * total && r.votes_acked < b * total);
    const warm = rs.find((r) => r.votes_acked >= w * total) ?? rs[0];
    const afterWarm = between(w, w + 0.1);
    const second = between(0.1, 0.2);
    // The last tenth: samples from 90 % of the votes on, including those after the last one was sent.
    const last = rs.filter((r) => r.votes_acked >= 0.9 * total);
    const end = rs.at(-1);
    const rssAfterWarmupMedianMb = med(afterWarm.map((r) => r.rss_mb));
    const rssLastTenthMedianMb = med(last.map((r) => r.rss_mb));
    return {
      id: n.id,
      rssWarmMb: warm?.rss_mb,
      rssWarmAtVotes: warm?.votes_acked,
      rssAfterWarmupMedianMb,
      rssSecondTenthMedianMb: med(second.map((r) => r.rss_mb)),
      rssSecondTenthMaxMb: maxOf(second.map((r) => r.rss_mb)),
      rssLastTenthMedianMb,
      rssLastTenthMaxMb: maxOf(last.map((r) => r.rss_mb)),
      rssEndMb: end?.rss_mb,
      rssMaxMb: maxOf(rs.map((r) => r.rss_mb)),
      heapUsedWarmMb: warm?.heap_used_mb,
      heapUsedEndMb: end?.heap_used_mb,
      heapUsedMaxMb: maxOf(rs.map((r) => r.heap_used_mb).filter(Number.isFinite)),
      eventLoopLagP99MedianMs: med(rs.map((r) => r.eventloop_lag_p99_ms).filter(Number.isFinite)),
      eventLoopLagP99MaxMs: maxOf(rs.map((r) => r.eventloop_lag_p99_ms).filter(Number.isFinite)),
      growthMb: round((rssLastTenthMedianMb ?? Number.NaN) - (rssAfterWarmupMedianMb ?? Number.NaN), 1),
      // The same for the V8 heap used: a leak in JavaScript state shows here without GC or native noise.
      heapUsedAfterWarmupMedianMb: med(afterWarm.map((r) => r.heap_used_mb).filter(Number.isFinite)),
      heapUsedLastTenthMedianMb: med(last.map((r) => r.heap_used_mb).filter(Number.isFinite)),
      heapGrowthMb: round(
        (med(last.map((r) => r.heap_used_mb).filter(Number.isFinite)) ?? Number.NaN) -
          (med(afterWarm.map((r) => r.heap_used_mb).filter(Number.isFinite)) ?? Number.NaN),
        1,
      ),
    };
  });
  const first = rows.filter((r) => r.validator === nodes[0].id);
  const windows = (k) => first.map((r) => r[k]).filter(Number.isFinite);
  const busy = first.filter((r) => r.votes_acked < total && r.finalized_votes_per_s > 0);
  if (otherCpu > 0.1 * ours)
    notes.push(
      `other processes used ${otherCpu.toFixed(0)} CPU s during the run (the soak's own: ${ours.toFixed(0)} s): figures are pessimistic`,
    );
  return {
    soak: 'poa-vote',
    version: 1,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    mode: opts.mode,
    voterIds: opts.ids,
    batchSize: opts.mode === 'batch' ? opts.batchSize : 1,
    concurrency: opts.concurrency,
    offeredRate: opts.rate ?? null,
    nodeArgs: opts.nodeArgs,
    sampleMs: opts.sampleMs,
    warmupPercent: opts.warmupPercent,
    votesRequested: opts.votes,
    votes: load.accepted,
    errors: load.errors,
    resubmitted: load.resubmitted,
    firstError: load.firstError,
    seconds: round(seconds, 1),
    finalizedPerSec: round(load.accepted / seconds),
    // Per sample window while the load ran (validator-1's view): median and lowest.
    windowFinalizedPerSec: {
      median: round(med(busy.map((r) => r.finalized_votes_per_s))),
      min: round(Math.min(...busy.map((r) => r.finalized_votes_per_s))),
    },
    ackMs: {
      medianOfP50: med(windows('ack_p50_ms')),
      medianOfP99: med(windows('ack_p99_ms')),
      maxOfP99: maxOf(windows('ack_p99_ms')),
    },
    finalMs: {
      medianOfP50: med(windows('final_p50_ms')),
      medianOfP99: med(windows('final_p99_ms')),
      maxOfP99: maxOf(windows('final_p99_ms')),
    },
    validators,
    ownCpuSeconds: round(ours),
    otherProcessesCpuSeconds: round(otherCpu),
    notes,
  };
}

/** Draw the SVGs again from a run's samples.csv and summary.json (`npm run soak -- --replot DIR`). */
export function replot(dir) {
  const [head, ...lines] = readFileSync(join(dir, 'samples.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const rows = lines.map((line) =>
    Object.fromEntries(
      line.split(',').map((v, i) => [cols[i], cols[i] === 'validator' ? v : v === '' ? undefined : Number(v)]),
    ),
  );
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  summary.warmupPercent ??= 10;
  writeOutputs(dir, rows, summary, false);
}

const csvLine = (r) =>
  COLUMNS.map((c) => (typeof r[c] === 'number' && !Number.isFinite(r[c]) ? '' : (r[c] ?? ''))).join(',');

function writeOutputs(out, rows, summary, data = true) {
  if (summary && data) writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const ids = [...new Set(rows.map((r) => r.validator))];
  const total = summary?.votes ?? 0;
  const at = (frac) => rows.find((r) => r.votes_acked >= frac * total)?.t_s;
  const marks = total
    ? [
        { x: at(0.1), label: '10 %' },
        ...(summary.warmupPercent !== 10
          ? [{ x: at(summary.warmupPercent / 100), label: `warm-up ${summary.warmupPercent} %` }]
          : []),
        { x: at(0.9), label: '90 %' },
        { x: at(1), label: 'all sent' },
      ]
    : [];
  const series = (key, dash, suffix = '') =>
    ids.map((id, k) => ({
      name: `${id}${suffix}`,
      dash,
      color: ['#1f77b4', '#d62728', '#2ca02c'][k % 3],
      points: rows.filter((r) => r.validator === id).map((r) => [r.t_s, r[key]]),
    }));
  const sub = summary ? ` (${summary.votes.toLocaleString('en-US')} votes, ${summary.mode})` : '';
  const charts = {
    'rss.svg': { title: `Validator RSS${sub}`, yLabel: 'RSS (MB)', series: series('rss_mb') },
    'rss-split.svg': {
      title: `RSS: anonymous (solid) and file pages mapped in (dashed)${sub}`,
      yLabel: 'MB',
      series: [...series('rss_anon_mb'), ...series('rss_file_mb', '4,3', ' file')],
    },
    'heap.svg': {
      title: `V8 heap used (solid) and heap total (dashed)${sub}`,
      yLabel: 'MB',
      series: [...series('heap_used_mb'), ...series('heap_total_mb', '4,3', ' total')],
    },
    'eventloop-lag.svg': {
      title: `Event loop lag p99 per window${sub}`,
      yLabel: 'ms',
      series: series('eventloop_lag_p99_ms'),
    },
    'throughput.svg': {
      title: `Finalized votes/s per window${sub}`,
      yLabel: 'votes/s',
      series: series('finalized_votes_per_s'),
    },
    'finalized-height.svg': { title: `Finalized height${sub}`, yLabel: 'height', series: series('finalized_height') },
    'ack-latency.svg': {
      title: `Submit-to-acknowledge latency per window: p99 (solid), p50 (dashed)${sub}`,
      yLabel: 'ms',
      series: [...series('ack_p99_ms'), ...series('ack_p50_ms', '4,3', ' p50')],
    },
    'final-latency.svg': {
      title: `Submit-to-final (on all three) latency per window${sub}`,
      yLabel: 'ms',
      series: [
        { name: 'p99', points: rows.filter((r) => r.validator === ids[0]).map((r) => [r.t_s, r.final_p99_ms]) },
        {
          name: 'p50',
          dash: '4,3',
          points: rows.filter((r) => r.validator === ids[0]).map((r) => [r.t_s, r.final_p50_ms]),
        },
      ],
    },
    'cpu.svg': {
      title: `CPU per window: validators, load generator, other processes${sub}`,
      yLabel: '% of one core',
      series: [
        ...series('cpu_pct'),
        {
          name: 'load generator',
          dash: '4,3',
          color: '#ff7f0e',
          points: rows.filter((r) => r.validator === ids[0]).map((r) => [r.t_s, r.loadgen_cpu_pct]),
        },
        {
          name: 'other processes',
          dash: '1,2',
          color: '#555',
          points: rows.filter((r) => r.validator === ids[0]).map((r) => [r.t_s, r.other_cpu_pct]),
        },
      ],
    },
  };
  for (const [file, c] of Object.entries(charts)) writeFileSync(join(out, file), lineChart({ ...c, marks }));
}

/** The summary as text lines. */
export function formatSummary(s) {
  const lines = [
    `soak: ${s.votes.toLocaleString('en-US')} votes${s.resubmitted ? ` (${s.resubmitted} resubmitted after TX_NOT_REPLICATED)` : ''} (${s.mode}${s.mode === 'batch' ? ` of ${s.batchSize}` : ''}, concurrency ${s.concurrency}${s.offeredRate ? `, offered ${s.offeredRate}/s` : ''}) in ${s.seconds} s, ${s.errors} errors`,
    `throughput: ${s.finalizedPerSec} finalized votes/s overall; per ${s.sampleMs / 1000} s window median ${s.windowFinalizedPerSec.median}/s, lowest ${s.windowFinalizedPerSec.min}/s`,
    `submit-to-acknowledge: p50 ${s.ackMs.medianOfP50} ms, p99 ${s.ackMs.medianOfP99} ms (medians over windows; worst window p99 ${s.ackMs.maxOfP99} ms)`,
    `submit-to-final on all three: p50 ${s.finalMs.medianOfP50} ms, p99 ${s.finalMs.medianOfP99} ms (worst window p99 ${s.finalMs.maxOfP99} ms)`,
  ];
  for (const v of s.validators) {
    lines.push(
      `${v.id}: RSS ${v.rssWarmMb} MB at ${s.warmupPercent} % of the votes (after warm-up), median ${v.rssAfterWarmupMedianMb} MB over the tenth from there; 2nd tenth ${v.rssSecondTenthMedianMb}/${v.rssSecondTenthMaxMb} MB (median/max), last tenth ${v.rssLastTenthMedianMb}/${v.rssLastTenthMaxMb} MB, end ${v.rssEndMb} MB, max ${v.rssMaxMb} MB; growth ${v.growthMb} MB`,
      `  V8 heap used ${v.heapUsedWarmMb} MB after warm-up, ${v.heapUsedEndMb} MB at the end, max ${v.heapUsedMaxMb} MB, growth of the medians ${v.heapGrowthMb} MB; event loop lag p99 per window median ${v.eventLoopLagP99MedianMs} ms, max ${v.eventLoopLagP99MaxMs} ms`,
    );
  }
  lines.push('(growth: median RSS of the last tenth minus median RSS of the tenth after warm-up)');
  for (const [when, reads] of [
    ['at the end', s.reads],
    [`${SETTLE_MS / 1000} s later`, s.readsSettled],
  ])
    for (const [id, r] of Object.entries(reads ?? {}))
      lines.push(
        `reads on ${id === 'echo' ? 'the bare node:http echo (the machine floor)' : id} ${when} (ms, p50/p99 of 500 each): /results ${r.resultsMs.p50}/${r.resultsMs.p99}, /health ${r.healthMs.p50}/${r.healthMs.p99}, receipts ${r.receiptMs.p50}/${r.receiptMs.p99}`,
      );
  lines.push(`cpu: the soak's own ${s.ownCpuSeconds} s, other processes ${s.otherProcessesCpuSeconds} s`);
  for (const n of s.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
