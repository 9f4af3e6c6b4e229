#!/usr/bin/env node
// API micro-benchmark: the validator's HTTP/JSON-RPC server (ApiServer) in this process, with a
// backend that accepts every vote at once, against the bare node:http echo, both driven by the
// benchmark's load generator (one vote per request). Shows what the API layer costs per request.
// Usage: node scripts/bench/apiMicro.mjs [--seconds 4] [--concurrency 64] [--mode single|batch]
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { requireBuilt } from '../lib/index.mjs';
import { closeTargets, makeTargets, runLoad } from './loadgen.mjs';
import { VoteFactory } from './votes.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    mode: { type: 'string', default: 'single' },
    serve: { type: 'boolean', default: false },
  },
});

if (values.serve) {
  // The server side, in its own process like a validator.
  const { ApiServer } = await import(
    requireBuilt(new URL('../../packages/validator/dist/api/server.js', import.meta.url).href)
  );
  const shared = await import(requireBuilt(new URL('../../packages/shared/dist/index.js', import.meta.url).href));
  const backend = {
    nodeId: 'bench',
    chainId: 1,
    authorities: [],
    clientVersion: 'bench',
    submit: async (items) => items.map((i) => ({ ok: true, hash: shared.txHash(i.tx), known: false })),
    submissionOwner: async () => undefined,
    finalizedHeight: () => 0,
    headHeight: () => 0,
    peerCount: () => 2,
    candidateBlock: () => undefined,
    onFinalized: () => () => undefined,
    onNewHead: () => () => undefined,
  };
  const api = new ApiServer(backend, {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 8 << 20,
    writes: { openWrites: true, ratePerAddress: 0 },
  });
  await api.start();
  process.send(api.port);
} else {
  const concurrency = Number(values.concurrency);
  const seconds = Number(values.seconds);
  if (
    !Number.isSafeInteger(concurrency) ||
    concurrency < 1 ||
    !(seconds > 0) ||
    !['single', 'batch'].includes(values.mode)
  ) {
    process.stderr.write(
      'apiMicro: --concurrency must be a positive integer, --seconds positive, --mode single or batch\n',
    );
    process.exit(2);
  }
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const port = await new Promise((r) => child.once('message', r));
  const targets = makeTargets([`http://127.0.0.1:${port}`], concurrency);
  const factory = new VoteFactory({ runTag: 'api', mode: values.mode, electionId: 'api', ballotBytes: 120 });
  await runLoad({ targets, factory, mode: values.mode, durationMs: 1000, batchSize: 250, concurrency });
  const c0 = process.cpuUsage();
  const r = await runLoad({
    targets,
    factory,
    mode: values.mode,
    durationMs: seconds * 1000,
    batchSize: 250,
    concurrency,
  });
  const c = process.cpuUsage(c0);
  closeTargets(targets);
  child.kill();
  const secs = (r.endedAt - r.startedAt) / 1000;
  process.stdout.write(
    `ApiServer (${values.mode}): ${Math.round(r.accepted / secs)} votes/s, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}; load generator cpu ${((c.user + c.system) / 1e6).toFixed(1)} s\n`,
  );
}
