// One benchmark run: echo ceiling, three validators, each load mode, read probes, disk, resync.
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ackSummary, scrapeAck } from './ackHistogram.mjs';
import { concurrencyOf } from './args.mjs';
import { createCluster } from './cluster.mjs';
import { startEcho } from './echo.mjs';
import { compactedUsage, diskUsage } from './disk.mjs';
import { FinalityTracker, waitForTallies } from './finality.mjs';
import { closeTargets, makeTargets, runLoad } from './loadgen.mjs';
import { makeClient, runClientLoad } from './clientDriver.mjs';
import { cpuSeconds, io, machineBusySeconds, memory, RssSampler } from './procStats.mjs';
import { probeReads } from './probes.mjs';
import { round, summary } from './stats.mjs';
import { VoteFactory } from './votes.mjs';

const ECHO_SECONDS = 4;
const WARMUP_VOTES = 500;
const IDLE_SECONDS = 5;

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Votes/s the bare node:http echo answers with the same generator, mode, concurrency and batch size. */
async function echoCeiling(opts, mode, log) {
  const echo = await startEcho();
  try {
    const concurrency = concurrencyOf(opts, mode);
    const targets = makeTargets([echo.url], concurrency);
    const factory = new VoteFactory({ runTag: 'echo', mode, electionId: 'echo', ballotBytes: opts.ballotBytes });
    // Warm the JIT of both sides, then measure.
    await runLoad({ targets, factory, mode, durationMs: 500, batchSize: opts.batchSize, concurrency });
    const cpu0 = cpuSeconds(echo.pid);
    const r = await runLoad({
      targets,
      factory,
      mode,
      durationMs: ECHO_SECONDS * 1000,
      batchSize: opts.batchSize,
      concurrency,
    });
    const cpu = cpuSeconds(echo.pid) - cpu0;
    closeTargets(targets);
    const perSec = r.accepted / ((r.endedAt - r.startedAt) / 1000);
    log(`echo ceiling (${mode}): ${Math.round(perSec)} votes/s, echo cpu ${cpu.toFixed(1)} s in ${ECHO_SECONDS} s`);
    return perSec;
  } finally {
    await echo.stop();
  }
}

async function rpc(url, method, params = []) {
  const res = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()).result;
}

/** Run one load mode against the cluster and measure it. */
async function runMode(ctx, mode) {
  const { opts, cluster, log } = ctx;
  const concurrency = concurrencyOf(opts, mode);
  const electionId = `bench-${mode}`;
  const factory = new VoteFactory({ runTag: ctx.runTag, mode, electionId, ballotBytes: opts.ballotBytes });
  const tracker = new FinalityTracker(cluster.nodes, { filter: (voter) => factory.indexOf(voter) % opts.sample === 0 });
  await tracker.start();
  const pids = cluster.nodes.map((_, i) => cluster.pid(i));
  // Scraped outside the CPU window: rendering /metrics is not the mode's work.
  const allUrls = cluster.nodes.map((n) => n.rpcUrl);
  const ack0 = await scrapeAck(allUrls);
  const cpu0 = pids.map(cpuSeconds);
  const io0 = pids.map(io);
  const self0 = selfCpu();
  const machine0 = machineBusySeconds();
  const urls = opts.target === 'all' ? cluster.nodes.map((n) => n.rpcUrl) : [cluster.nodes[0].rpcUrl];
  log(
    `${mode}: ${opts.votes} votes, concurrency ${concurrency}${mode === 'batch' ? `, ${opts.batchSize} per batch` : ''}${opts.rate ? `, offered at ${opts.rate}/s` : ''}, to ${urls.length} validator(s) via ${opts.driver}`,
  );
  let load;
  const errorLog = (msg) => {
    if (ctx.errorLines++ < 5) log(`  error: ${msg}`);
  };
  if (opts.driver === 'client') {
    load = await runClientLoad({
      client: ctx.client,
      factory,
      mode,
      count: opts.votes,
      batchSize: opts.batchSize,
      concurrency,
      rate: opts.rate,
      onError: errorLog,
    });
  } else {
    const targets = makeTargets(urls, concurrency);
    load = await runLoad({
      targets,
      factory,
      mode,
      count: opts.votes,
      batchSize: opts.batchSize,
      concurrency,
      rate: opts.rate,
      onError: errorLog,
    });
    closeTargets(targets);
  }
  const submitSeconds = (load.endedAt - load.startedAt) / 1000;
  log(
    `  submitted ${load.accepted} in ${submitSeconds.toFixed(2)} s (${Math.round(load.accepted / submitSeconds)}/s), ${load.errors} errors; waiting for finality on all validators`,
  );
  const tallies = await waitForTallies(cluster.nodes, electionId, load.accepted, 120_000 + opts.votes);
  await tracker.settle();
  tracker.close();
  const cpu1 = pids.map(cpuSeconds);
  const io1 = pids.map(io);
  const loadgenCpu = selfCpu() - self0;
  const ours = cpu1.reduce((sum, c, i) => sum + (c - cpu0[i]), 0) + loadgenCpu;
  // CPU other processes took meanwhile: a busy machine makes every figure worse.
  const otherCpu = Math.max(0, machineBusySeconds() - machine0 - ours);
  // Scraped after every CPU figure is read, as the first scrape was before.
  const validatorAck = ackSummary(ack0, await scrapeAck(allUrls));

  const latencies = [];
  let lastFinal = -Infinity;
  let missing = 0;
  for (let i = 0; i < load.sent; i += opts.sample) {
    const h = tracker.voterHeight.get(factory.vote(i).tx.from);
    const at = h === undefined ? undefined : tracker.finalOnAll(h);
    if (at === undefined) {
      missing++;
      continue;
    }
    latencies.push(at - load.sentAt[i]);
    if (at > lastFinal) lastFinal = at;
  }
  if (!Number.isFinite(lastFinal)) lastFinal = tallies.at;
  if (missing > 0)
    ctx.notes.push(
      `${mode}: ${missing} sampled votes without a finalization time (${tracker.errors.slice(0, 2).join('; ') || 'not seen in a block'})`,
    );
  const lat = summary(latencies);
  const blocks = tracker.blockStats(cluster.genesis);
  const delay = summary(blocks.finalAfterSlotStartMs);
  const finalSeconds = (lastFinal - load.startedAt) / 1000;
  const result = {
    votes: load.accepted,
    errors: load.errors,
    firstError: load.firstError,
    concurrency,
    offeredRate: opts.rate ?? null,
    batchSize: mode === 'batch' ? opts.batchSize : 1,
    requests: load.requests,
    submitSeconds: round(submitSeconds, 3),
    submittedPerSec: round(load.accepted / submitSeconds),
    finalSeconds: round(finalSeconds, 3),
    finalizedPerSec: round(load.accepted / finalSeconds),
    latencyMs: {
      samples: lat.count,
      p50: round(lat.p50),
      p95: round(lat.p95),
      p99: round(lat.p99),
      max: round(lat.max),
    },
    latencySlots: { p99: round(lat.p99 / opts.slotMs, 2) },
    // Request to answer (the vote durable in the receiving validator's pool).
    ackMs: (({ p50, p99 }) => ({ p50: round(p50, 1), p99: round(p99, 1) }))(summary(load.ackMs)),
    // The same as the validators measure it (their poa_vote_ack_seconds histograms, summed: one
    // observation per submit call, quantiles interpolated inside the histogram's buckets).
    validatorAck,
    blocks: {
      count: blocks.blocks,
      withVotes: blocks.blocksWithVotes,
      meanVotes: round(blocks.meanVotesPerBlock),
      maxVotes: blocks.maxVotesPerBlock,
      slotsPerBlock: round(blocks.slotsPerBlock, 2),
      finalAfterSlotStartMs: { p50: round(delay.p50), p95: round(delay.p95), max: round(delay.max) },
    },
    validatorCpuSeconds: Object.fromEntries(cluster.nodes.map((n, i) => [n.id, round(cpu1[i] - cpu0[i], 2)])),
    loadgenCpuSeconds: round(loadgenCpu, 2),
    otherProcessesCpuSeconds: round(otherCpu, 1),
    // Storage writes (LevelDB log, tables and compactions) per vote, mean of the validators.
    writtenBytesPerVote: round(
      pids.reduce((sum, _, i) => sum + ((io1[i]?.writeBytes ?? 0) - (io0[i]?.writeBytes ?? 0)), 0) /
        pids.length /
        Math.max(1, load.accepted),
    ),
    cpuMsPerVote: round(
      (1000 * cpu1.reduce((sum, c, i) => sum + (c - cpu0[i]), 0)) / pids.length / Math.max(1, load.accepted),
      3,
    ),
  };
  log(
    `  finalized on all: ${Math.round(result.finalizedPerSec)}/s; latency p50 ${result.latencyMs.p50} ms p95 ${result.latencyMs.p95} ms p99 ${result.latencyMs.p99} ms; request answered in ${result.ackMs.p50} ms (p99 ${result.ackMs.p99} ms)`,
  );
  if (validatorAck.observations > 0)
    log(
      `  answered as the validators measure it (histogram, ${validatorAck.observations} submit calls): p50 ~${validatorAck.p50Ms} ms, p99 ~${validatorAck.p99Ms} ms${validatorAck.within100Ms === undefined ? '' : `, ${(100 * validatorAck.within100Ms).toFixed(1)} % within 100 ms`}`,
    );
  const b = result.blocks;
  if (otherCpu > 0.1 * ours) {
    ctx.notes.push(
      `${mode}: other processes used ${otherCpu.toFixed(1)} CPU s during the run (the benchmark's own: ${ours.toFixed(1)} s): figures are pessimistic`,
    );
    log(`  warning: other processes used ${otherCpu.toFixed(1)} CPU s meanwhile`);
  }
  log(
    `  blocks: ${b.count} (${b.withVotes} with votes, mean ${b.meanVotes}, max ${b.maxVotes} votes), ${b.slotsPerBlock ?? '-'} slots per block, final on all ${b.finalAfterSlotStartMs.p50} ms (p95 ${b.finalAfterSlotStartMs.p95} ms) after the slot's start`,
  );
  return result;
}

/** Wipe one validator, restart it, time until it holds the chain the others hold. */
async function resync(ctx, chainVotes) {
  const { cluster, log } = ctx;
  const i = cluster.nodes.length - 1;
  const node = cluster.nodes[i];
  await cluster.stop(i);
  cluster.wipe(i);
  const target = Number(await rpc(cluster.nodes[0].rpcUrl, 'eth_blockNumber'));
  log(`resync: ${node.id} wiped; syncing ${target} blocks (${chainVotes} votes)`);
  const t0 = performance.now();
  cluster.start(i);
  // Up: the API answers (process started, storage open, libp2p listening); synced: at the head.
  let up;
  let height = 0;
  const deadline = t0 + 300_000;
  for (;;) {
    const answer = await rpc(node.rpcUrl, 'eth_blockNumber').catch(() => undefined);
    if (answer !== undefined) {
      up ??= performance.now();
      height = Number(answer);
    }
    if (height >= target) break;
    if (performance.now() > deadline)
      throw new Error(
        `${node.id} did not resync within 300 s (height ${height} of ${target}):\n${cluster.logs[i].join('\n')}`,
      );
    if (cluster.procs[i].child.exitCode !== null)
      throw new Error(`${node.id} exited during resync:\n${cluster.logs[i].join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const done = performance.now();
  const seconds = (done - t0) / 1000;
  const syncSeconds = Math.max(0.001, (done - (up ?? t0)) / 1000);
  const result = {
    validator: node.id,
    blocks: target,
    votes: chainVotes,
    seconds: round(seconds, 3),
    votesPerSec: round(chainVotes / seconds),
    blocksPerSec: round(target / seconds),
    startupSeconds: round(((up ?? done) - t0) / 1000, 3),
    syncSeconds: round(syncSeconds, 3),
    syncOnlyVotesPerSec: round(chainVotes / syncSeconds),
    cpuSeconds: round(cpuSeconds(cluster.pid(i)), 2),
    peakRssMb: round(memory(cluster.pid(i))?.hwmMb),
  };
  log(`  resynced in ${seconds.toFixed(2)} s: ${result.votesPerSec} votes/s`);
  return result;
}

/** Run the whole benchmark; returns the report object. */
export async function runBench(opts, log) {
  const notes = [];
  const ctx = { opts, log, notes, runTag: Date.now().toString(36), errorLines: 0 };
  const report = {
    bench: 'poa-vote',
    version: 1,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    slotMs: opts.slotMs,
    driver: opts.driver,
    target: opts.target,
    ballotBytes: opts.ballotBytes,
    nodeArgs: opts.nodeArgs,
    modes: {},
    validators: [],
    notes,
  };
  const echo = {};
  if (opts.echo) for (const mode of opts.modes) echo[mode] = await echoCeiling(opts, mode, log);

  const cluster = await createCluster({
    slotMs: opts.slotMs,
    cpuProfDir: opts.cpuProfDir,
    logLevel: opts.logLevel,
    nodeArgs: opts.nodeArgs,
  });
  ctx.cluster = cluster;
  log(`validators: ${cluster.dir}`);
  // Ctrl-C: stop the validators and remove their temp dir rather than leave them behind.
  const onInterrupt = () => {
    log('interrupted: stopping the validators');
    void cluster.stopAll().finally(() => {
      if (!opts.keep) cluster.remove();
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  try {
    await cluster.startAll();
    if (opts.driver === 'client') ctx.client = await makeClient(cluster.nodes, cluster.genesis);
    const pids = cluster.nodes.map((_, i) => cluster.pid(i));
    // What an idle chain costs: a block every slot, gossip, heartbeats.
    const idle0 = pids.map(cpuSeconds);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idleCpuPercent = pids.map((p, i) => round((100 * (cpuSeconds(p) - idle0[i])) / IDLE_SECONDS, 1));
    log(`idle: validators use ${idleCpuPercent.join(', ')} % of a core`);
    const cpuStart = pids.map(cpuSeconds);
    const sampler = new RssSampler(pids, 1000);

    // Warm-up: JIT, connections, and finalized votes whose receipts the read probes ask for.
    const warm = new VoteFactory({
      runTag: ctx.runTag,
      mode: 'warmup',
      electionId: 'bench-warmup',
      ballotBytes: opts.ballotBytes,
    });
    // Sent to validator-1 only: receipts by submission id are answered by the validator that took the vote.
    const wt = makeTargets([cluster.nodes[0].rpcUrl], 8);
    const w = await runLoad({
      targets: wt,
      factory: warm,
      mode: 'batch',
      count: WARMUP_VOTES,
      batchSize: 50,
      concurrency: 2,
    });
    closeTargets(wt);
    if (w.accepted !== WARMUP_VOTES)
      throw new Error(`warm-up: ${w.accepted} of ${WARMUP_VOTES} votes accepted (${w.firstError})`);
    await waitForTallies(cluster.nodes, 'bench-warmup', WARMUP_VOTES, 60_000);
    const receiptRefs = Array.from({ length: 100 }, (_, k) => warm.vote(k * 5).id);
    const rssAfterWarmup = pids.map((p) => memory(p)?.rssMb);
    const readsBefore = await probeReads(cluster.nodes[0].rpcUrl, 'bench-warmup', receiptRefs);

    let chainVotes = WARMUP_VOTES;
    for (const mode of opts.modes) {
      const m = await runMode(ctx, mode);
      chainVotes += m.votes;
      if (echo[mode] !== undefined) {
        m.echoVotesPerSec = round(echo[mode]);
        m.ratioToEcho = round(m.finalizedPerSec / echo[mode], 3);
        m.submitRatioToEcho = round(m.submittedPerSec / echo[mode], 3);
      }
      report.modes[mode] = m;
    }
    const readsAfter = await probeReads(cluster.nodes[0].rpcUrl, 'bench-warmup', receiptRefs);
    report.reads = { before: readsBefore, after: readsAfter };
    sampler.stop();

    report.chainHeight = Number(await rpc(cluster.nodes[0].rpcUrl, 'eth_blockNumber'));
    report.chainVotes = chainVotes;
    const cpuEnd = pids.map(cpuSeconds);
    let diskTotal = 0;
    report.validators = cluster.nodes.map((n, i) => {
      const disk = diskUsage(n.dataDir);
      diskTotal += disk.allocated;
      const rss = sampler.samples.get(pids[i]);
      return {
        id: n.id,
        idleCpuPercent: idleCpuPercent[i],
        cpuSeconds: round(cpuEnd[i] - cpuStart[i], 2),
        peakRssMb: round(memory(pids[i])?.hwmMb),
        rssAfterWarmupMb: round(rssAfterWarmup[i]),
        rssEndMb: round(rss.at(-1)?.rssMb),
        // RSS every ~5 s of the run: a flat tail means memory does not grow with the chain.
        rssTimelineMb: rss.filter((_, k) => k % 5 === 0).map((x) => round(x.rssMb)),
        diskBytes: disk.allocated,
        diskApparentBytes: disk.apparent,
      };
    });
    report.diskBytesPerVote = round(diskTotal / cluster.nodes.length / chainVotes);
    if (opts.resync) report.resync = await resync(ctx, chainVotes);
    await cluster.stopAll();
    // The same chain, compacted (no log, no dead entries): comparable across runs.
    let compacted = 0;
    for (const n of cluster.nodes) compacted += (await compactedUsage(n.dataDir)).allocated;
    report.compactedDiskBytesPerVote = round(compacted / cluster.nodes.length / chainVotes);
  } finally {
    process.off('SIGINT', onInterrupt);
    ctx.client?.close();
    await cluster.stopAll();
    if (!opts.keep) cluster.remove();
    else notes.push(`kept ${cluster.dir}`);
  }
  if (opts.cpuProfDir) notes.push(`CPU profiles in ${opts.cpuProfDir}`);
  return report;
}
