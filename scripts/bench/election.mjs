// The on-chain encrypted election benchmark (`npm run bench -- --mode election`): three validators on
// loopback, an encrypted election configured by a genesis operator, the key ceremony on chain, N
// ballots encrypted in this process then submitted through the client in batches, and the rates:
// ballots encrypted per second here, acknowledged and finalized per second by the chain, and CPU
// seconds each validator spent per ballot (every validator verifies every ballot's proofs: that CPU
// time bounds the ballots a validator verifies per second per core). --tally also waits for the
// closing and the threshold decryption. See docs/ELECTIONS.md.
import { performance } from 'node:perf_hooks';
import { CLIENT_LIB, requireBuilt } from '../lib/index.mjs';
import { createCluster } from './cluster.mjs';
import { makeClient } from './clientDriver.mjs';
import { cpuSeconds } from './procStats.mjs';

export const ELECTION_USAGE = `usage: npm run bench -- --mode election [options]
  --ballots N        ballots (default 300)
  --batch B          ballots per JSON-RPC batch (default 25)
  --concurrency C    batches in flight (default 2)
  --slot-ms MS       slot length (default 1000)
  --tally            also wait for the closing and the decryption
  --json             print only the JSON line`;

function parseArgs(argv) {
  const o = { ballots: 300, batch: 25, concurrency: 2, slotMs: 1000, tally: false, jsonOnly: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--mode') i++;
    else if (a.startsWith('--mode=')) continue;
    else if (a === '--ballots') o.ballots = num();
    else if (a === '--batch') o.batch = num();
    else if (a === '--concurrency') o.concurrency = num();
    else if (a === '--slot-ms') o.slotMs = num();
    else if (a === '--tally') o.tally = true;
    else if (a === '--json') o.jsonOnly = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function until(f, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function getJson(url) {
  const r = await fetch(url);
  return r.json();
}

/** Run the benchmark; returns the report. */
export async function runElectionBench(o, log) {
  const shared = await import('@poa-vote/shared');
  const { encryptBallot } = await import(requireBuilt(CLIENT_LIB));
  const op = shared.generateKeyPair();
  const cluster = await createCluster({ slotMs: o.slotMs, electionOperator: op.publicKey });
  const client = await makeClient(cluster.nodes, cluster.genesis);
  const id = 'bench';
  try {
    await cluster.startAll();
    const url = cluster.nodes[0].rpcUrl;
    const head = (await getJson(`${url}/health`)).finalized_height;
    const openHeight = head + 12;
    // Open long enough for the ballots at a conservative 3 per second.
    const closeHeight = openHeight + Math.ceil((o.ballots / 3) * (1000 / o.slotMs)) + 30;
    const config = {
      type: shared.CONFIG_TYPE,
      v: 1,
      electionId: id,
      candidates: ['alice', 'bob', 'carol', 'dave'],
      ballotFormat: 'encrypted',
      minSelections: 1,
      maxSelections: 1,
      openHeight,
      closeHeight,
    };
    const tx = shared.signElectionTx(cluster.genesis, new shared.Signer(op.privateKey), 'election', id, config);
    const t0 = performance.now();
    await client.submitVote({ voterId: tx.from, electionId: id, encryptedVote: tx.data });
    const params = await until(() => client.getElectionParams(id), 120_000, 'the key ceremony');
    const keyMs = performance.now() - t0;
    log(`key ceremony on chain: ${Math.round(keyMs)} ms; encrypting ${o.ballots} ballots`);
    const e0 = performance.now();
    const votes = Array.from({ length: o.ballots }, (_, k) => {
      const voterId = `bench-voter-${k}`;
      return { voterId, electionId: id, encryptedVote: encryptBallot(params, k % 4, { voterId }) };
    });
    const encryptMs = performance.now() - e0;
    await until(
      async () => ((await getJson(`${url}/health`)).finalized_height + 1 >= openHeight ? true : undefined),
      120_000,
      'the opening',
    );
    const cpu0 = cluster.nodes.map((_, i) => cpuSeconds(cluster.pid(i)) ?? 0);
    const s0 = performance.now();
    let next = 0;
    let failed = 0;
    const worker = async () => {
      for (;;) {
        const k = next;
        next += o.batch;
        if (k >= votes.length) return;
        const rs = await client.submitVotes(votes.slice(k, k + o.batch), { batchSize: o.batch });
        failed += rs.filter((r) => !r.ok).length;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const ackMs = performance.now() - s0;
    await until(
      async () => {
        const totals = await Promise.all(
          cluster.nodes.map(async (n) => (await getJson(`${n.rpcUrl}/results?election_id=${id}`)).total),
        );
        return totals.every((t) => t === o.ballots - failed) ? true : undefined;
      },
      600_000,
      'every ballot final on every validator',
    );
    const finalMs = performance.now() - s0;
    const cpu = cluster.nodes.map((_, i) => (cpuSeconds(cluster.pid(i)) ?? 0) - (cpu0[i] ?? 0));
    let tallyMs;
    if (o.tally) {
      const t1 = performance.now();
      await until(
        async () => ((await getJson(`${url}/results?election_id=${id}`)).phase === 'decrypted' ? true : undefined),
        60_000 + closeHeight * o.slotMs * 2,
        'the decryption',
      );
      tallyMs = performance.now() - t1;
    }
    const n = o.ballots - failed;
    return {
      mode: 'election',
      ballots: o.ballots,
      refused: failed,
      slotMs: o.slotMs,
      keyCeremonyMs: Math.round(keyMs),
      encryptPerSecond: Math.round((o.ballots / encryptMs) * 1000 * 10) / 10,
      acknowledgedPerSecond: Math.round((n / ackMs) * 1000 * 10) / 10,
      finalizedPerSecond: Math.round((n / finalMs) * 1000 * 10) / 10,
      validatorCpuMsPerBallot: cpu.map((c) => Math.round((c / n) * 1000 * 10) / 10),
      verifiedPerCpuSecondPerValidator: cpu.map((c) => Math.round((n / c) * 10) / 10),
      ...(tallyMs !== undefined ? { closeToDecryptedMs: Math.round(tallyMs) } : {}),
    };
  } finally {
    client.close();
    await cluster.stopAll();
    cluster.remove();
  }
}

/** Command-line entry (scripts/bench.mjs --mode election). */
export async function electionBenchMain(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${e.message}\n${ELECTION_USAGE}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${ELECTION_USAGE}\n`);
    return 0;
  }
  const log = o.jsonOnly ? () => undefined : (line) => process.stderr.write(`${line}\n`);
  const r = await runElectionBench(o, log);
  if (!o.jsonOnly)
    process.stdout.write(
      `\n${[
        `encrypted election, ${r.ballots} ballots (${r.refused} refused), ${r.slotMs} ms slots`,
        `  key ceremony on chain          ${r.keyCeremonyMs} ms (configuration submitted -> key recomputed by the client)`,
        `  encrypted in this process      ${r.encryptPerSecond} ballots/s`,
        `  acknowledged by a quorum       ${r.acknowledgedPerSecond} ballots/s`,
        `  finalized on every validator   ${r.finalizedPerSecond} ballots/s`,
        `  validator CPU per ballot       ${r.validatorCpuMsPerBallot.join(' / ')} ms (verification, gossip, storage)`,
        `  ballots per validator CPU-s    ${r.verifiedPerCpuSecondPerValidator.join(' / ')}`,
        ...(r.closeToDecryptedMs !== undefined ? [`  wait for closing + decryption  ${r.closeToDecryptedMs} ms`] : []),
      ].join('\n')}\n\n`,
    );
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return 0;
}
