#!/usr/bin/env node
// Local devnet: three validators as child processes on 127.0.0.1 (RPC 8001-8003, p2p 30303-30305).
// First run creates keys and a genesis in .devnet/; later runs reuse them (and the chain data).
// Usage: npm run devnet [-- --fresh] [--dir .devnet] [--slot-ms 1000] [--log-level info] [--json]
import { parseArgs } from 'node:util';
import { assertPortsFree, formatLogLine, prepareDevnet, processPrefix, spawnValidator, stopValidators, STOP_GRACE_MS, waitForHealth } from './lib/index.mjs';

const USAGE = `usage: node scripts/devnet.mjs [options]
  --dir <dir>          devnet directory (default .devnet)
  --fresh              wipe the directory first: new keys, new genesis, empty chain
  --slot-ms <ms>       slot length of a new genesis (default 1000)
  --validators <n>     number of validators of a new devnet (default 3)
  --log-level <level>  validators' log level (default info)
  --json               print the validators' raw JSON log lines
  -h, --help           this help`;

function fail(message) {
  process.stderr.write(`devnet: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      dir: { type: 'string', default: '.devnet' },
      fresh: { type: 'boolean', default: false },
      'slot-ms': { type: 'string', default: '1000' },
      validators: { type: 'string', default: '3' },
      'log-level': { type: 'string', default: 'info' },
      json: { type: 'boolean', default: false },
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
const slotMs = Number(args['slot-ms']);
if (!Number.isSafeInteger(slotMs) || slotMs < 50) fail(`--slot-ms must be an integer of at least 50, got ${JSON.stringify(args['slot-ms'])}`);
const count = Number(args.validators);
if (!Number.isSafeInteger(count) || count < 1 || count > 20) fail(`--validators must be an integer from 1 to 20, got ${JSON.stringify(args.validators)}`);

const color = process.stdout.isTTY === true;
const say = (text) => process.stdout.write(`${color ? '\x1b[1m' : ''}devnet${color ? '\x1b[0m' : ''} | ${text}\n`);

let devnet;
try {
  devnet = await prepareDevnet({ dir: args.dir, validators: count, chainId: 1337, slotMs, genesisDelayMs: 2000, fresh: args.fresh });
  await assertPortsFree(devnet.nodes.flatMap((n) => [n.rpcPort, n.p2pPort]));
} catch (err) {
  fail(err.message);
}

const { genesis } = devnet;
say(`${devnet.created ? 'created' : 'reusing'} ${devnet.dir} (chain ${genesis.chainId}, ${genesis.authorities.length} validators, quorum ${genesis.quorum}, slot ${genesis.slotDurationMs} ms, genesis ${new Date(genesis.genesisTime).toISOString()})`);
for (const note of devnet.notes) say(note);

const width = Math.max(...devnet.nodes.map((n) => n.id.length));
let stopping = false;
const procs = devnet.nodes.map((node, i) => {
  const prefix = processPrefix(node.id, i, { width, color });
  const proc = spawnValidator(node, {
    genesisFile: devnet.genesisFile,
    peers: devnet.nodes.filter((n) => n !== node).map((n) => n.p2pAddr),
    logLevel: args['log-level'],
    detached: true,
    onLine: (line) => process.stdout.write(`${prefix} ${args.json ? line : formatLogLine(line, { color })}\n`),
  });
  proc.exited.then(({ code, signal, error }) => {
    if (stopping) return;
    say(`${node.id} exited unexpectedly (${error ? error.message : signal ? `signal ${signal}` : `code ${code}`}); stopping the devnet`);
    void shutdown(1);
  });
  return proc;
});

// Last resort if the script dies without a clean shutdown: children are in their own process group.
process.on('exit', () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say(`stopping ${procs.length} validators (SIGTERM, SIGKILL after ${STOP_GRACE_MS / 1000} s)`);
  const results = await stopValidators(procs, STOP_GRACE_MS);
  results.forEach((r, i) => {
    if (r.signal === 'SIGKILL') say(`${procs[i].id} did not stop in time: killed`);
  });
  say('stopped');
  process.exit(code);
}

let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    // A second Ctrl-C while stopping kills at once.
    if (++signals > 1) {
      for (const p of procs) p.child.kill('SIGKILL');
      process.exit(130);
    }
    void shutdown(0);
  });
}

try {
  await Promise.all(devnet.nodes.map((n) => waitForHealth(n.rpcUrl, { timeoutMs: 60_000 })));
} catch (err) {
  if (!stopping) {
    say(err.message);
    await shutdown(1);
  }
}
if (!stopping) {
  const wait = genesis.genesisTime - Date.now();
  say(`all ${procs.length} validators answer /health${wait > 0 ? `; block production starts in ${(wait / 1000).toFixed(1)} s` : ''}`);
  for (const n of devnet.nodes) {
    say(`  ${n.id.padEnd(width)}  RPC ${n.rpcUrl}  (health ${n.rpcUrl}/health, WebSocket ${n.wsUrl})  p2p ${n.p2pAddr}  data ${n.dataDir}`);
  }
  say(`genesis ${devnet.genesisFile}; try \`npm run demo\` in another terminal; Ctrl-C stops the devnet`);
}
