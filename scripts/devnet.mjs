#!/usr/bin/env node
// Local devnet: three validators as child processes on 127.0.0.1 (RPC 8001-8003, p2p 30303-30305).
// First run creates keys and a genesis in .devnet/; later runs reuse them (and the chain data).
// A validator that dies is reported and restarted after a back-off (like compose's
// `restart: unless-stopped`) while the others keep running; only Ctrl-C stops the devnet.
// Usage: npm run devnet [-- --fresh] [--dir .devnet] [--slot-ms 1000] [--log-level info] [--json] [--no-restart]
import { parseArgs } from 'node:util';
import {
  assertPortsFree,
  formatLogLine,
  prepareDevnet,
  processPrefix,
  spawnValidator,
  stopValidators,
  STOP_GRACE_MS,
  VALIDATOR_NODE_ARGS,
  waitForHealth,
} from './lib/index.mjs';

const USAGE = `usage: node scripts/devnet.mjs [options]
  --dir <dir>          devnet directory (default .devnet)
  --fresh              wipe the directory first: new keys, new genesis, empty chain
  --slot-ms <ms>       slot length of a new genesis (default 1000)
  --validators <n>     number of validators of a new devnet (default 3)
  --log-level <level>  validators' log level (default info)
  --json               print the validators' raw JSON log lines
  --no-restart         leave a validator that dies down (default: restart it after 1 s, doubling to 30 s)
  --base-rpc-port <n>  RPC port of validator-1; validator-N uses n+N-1 (default 8001)
  --base-p2p-port <n>  p2p port of validator-1; validator-N uses n+N-1 (default 30303)
  -h, --help           this help`;

/** Restart back-off: 1 s, doubling to 30 s; back to 1 s once a validator stayed up this long. */
const RESTART_BASE_MS = 1000;
const RESTART_MAX_MS = 30_000;
const STABLE_AFTER_MS = 30_000;
/** The validator CLI's exit code for an invalid configuration: restarting cannot fix it. */
const EXIT_CONFIG = 2;

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
      'no-restart': { type: 'boolean', default: false },
      'base-rpc-port': { type: 'string', default: '8001' },
      'base-p2p-port': { type: 'string', default: '30303' },
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
if (!Number.isSafeInteger(slotMs) || slotMs < 50)
  fail(`--slot-ms must be an integer of at least 50, got ${JSON.stringify(args['slot-ms'])}`);
const count = Number(args.validators);
if (!Number.isSafeInteger(count) || count < 1 || count > 20)
  fail(`--validators must be an integer from 1 to 20, got ${JSON.stringify(args.validators)}`);
const port = (flag) => {
  const n = Number(args[flag]);
  if (!Number.isSafeInteger(n) || n < 1 || n + count - 1 > 65535)
    fail(`--${flag} must be an integer from 1 to ${65536 - count}, got ${JSON.stringify(args[flag])}`);
  return n;
};
const rpcBasePort = port('base-rpc-port');
const p2pBasePort = port('base-p2p-port');
const restart = !args['no-restart'];
// A devnet takes unauthenticated writes (the demo, curl) unless the caller set up credentials.
// Through the environment, so a validator that predates the setting ignores it.
const validatorEnv = {
  // Two malloc arenas, as in the image (docs/DEPLOYMENT.md).
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  ...(process.env.POA_API_TOKENS_FILE || process.env.POA_INSECURE_OPEN_WRITES !== undefined
    ? {}
    : { POA_INSECURE_OPEN_WRITES: '1' }),
};

const color = process.stdout.isTTY === true;
const say = (text) => process.stdout.write(`${color ? '\x1b[1m' : ''}devnet${color ? '\x1b[0m' : ''} | ${text}\n`);

let devnet;
try {
  devnet = await prepareDevnet({
    dir: args.dir,
    validators: count,
    chainId: 1337,
    slotMs,
    genesisDelayMs: 2000,
    fresh: args.fresh,
    rpcBasePort,
    p2pBasePort,
  });
  await assertPortsFree(devnet.nodes.flatMap((n) => [n.rpcPort, n.p2pPort]));
} catch (err) {
  fail(err.message);
}

const { genesis } = devnet;
say(
  `${devnet.created ? 'created' : 'reusing'} ${devnet.dir} (chain ${genesis.chainId}, ${genesis.authorities.length} validators, quorum ${genesis.quorum}, slot ${genesis.slotDurationMs} ms, genesis ${new Date(genesis.genesisTime).toISOString()})`,
);
for (const note of devnet.notes) say(note);

const width = Math.max(...devnet.nodes.map((n) => n.id.length));
let stopping = false;

/**
 * One validator under supervision: its current process (undefined while it is down), restarts
 * so far, the next back-off and the pending restart timer.
 */
const slots = devnet.nodes.map((node, i) => ({
  node,
  index: i,
  proc: undefined,
  restarts: 0,
  nextDelayMs: RESTART_BASE_MS,
  timer: undefined,
}));

function exitReason({ code, signal, error }) {
  return error ? error.message : signal ? `signal ${signal}` : `exit code ${code}`;
}

function start(slot) {
  const { node, index } = slot;
  const prefix = processPrefix(node.id, index, { width, color });
  const proc = spawnValidator(node, {
    genesisFile: devnet.genesisFile,
    peers: devnet.nodes.filter((n) => n !== node).map((n) => n.p2pAddr),
    logLevel: args['log-level'],
    env: validatorEnv,
    // The heap limit a validator runs with (VALIDATOR_HEAP_MB, docs/DEPLOYMENT.md).
    nodeArgs: [...VALIDATOR_NODE_ARGS],
    // The explorer page of each validator reads the others (docs/EXPLORER.md).
    extraArgs: ['--rpc-cors-origins', devnet.nodes.map((n) => n.rpcUrl).join(',')],
    detached: true,
    onLine: (line) => process.stdout.write(`${prefix} ${args.json ? line : formatLogLine(line, { color })}\n`),
  });
  const startedAt = Date.now();
  slot.proc = proc;
  say(`${node.id} started (pid ${proc.child.pid}${slot.restarts > 0 ? `, restart ${slot.restarts}` : ''})`);
  proc.exited.then((status) => {
    if (slot.proc === proc) slot.proc = undefined;
    if (stopping) return;
    const upMs = Date.now() - startedAt;
    const up = `after ${(upMs / 1000).toFixed(1)} s`;
    const left = () =>
      `${slots.filter((s) => s.proc !== undefined).length} of ${slots.length} validators running; Ctrl-C stops the devnet`;
    if (!restart) {
      say(`${node.id} exited (${exitReason(status)}) ${up}; left down (--no-restart), ${left()}`);
      return void onDown();
    }
    if (status.code === EXIT_CONFIG) {
      say(
        `${node.id} exited (${exitReason(status)}: invalid configuration, see its log above) ${up}; not restarting it, ${left()}`,
      );
      return void onDown();
    }
    // A validator that stayed up a while starts the back-off over; a crash loop backs off to the cap.
    if (upMs >= STABLE_AFTER_MS) slot.nextDelayMs = RESTART_BASE_MS;
    const delay = slot.nextDelayMs;
    slot.nextDelayMs = Math.min(delay * 2, RESTART_MAX_MS);
    say(
      `${node.id} exited (${exitReason(status)}) ${up}; the others keep running; restarting it in ${(delay / 1000).toFixed(1)} s`,
    );
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (stopping) return;
      slot.restarts++;
      start(slot);
      const current = slot.proc;
      waitForHealth(node.rpcUrl, { timeoutMs: 60_000 })
        .then(() => {
          if (!stopping && slot.proc === current)
            say(`${node.id} is back: answers ${node.rpcUrl}/health (restart ${slot.restarts})`);
        })
        .catch(() => {});
    }, delay);
  });
  return proc;
}

for (const slot of slots) start(slot);
const running = () => slots.map((s) => s.proc).filter((p) => p !== undefined);

// Before every validator answered once, a devnet with none left and none coming back gives up.
const startup = new AbortController();
function onDown() {
  if (slots.every((s) => s.proc === undefined && s.timer === undefined))
    startup.abort(new Error('every validator exited before the devnet was up'));
}

// Last resort if the script dies without a clean shutdown: children are in their own process group.
process.on('exit', () => {
  for (const p of running()) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const s of slots) clearTimeout(s.timer);
  const procs = running();
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
      for (const p of running()) p.child.kill('SIGKILL');
      process.exit(130);
    }
    void shutdown(0);
  });
}

try {
  await Promise.all(devnet.nodes.map((n) => waitForHealth(n.rpcUrl, { timeoutMs: 60_000, signal: startup.signal })));
} catch (caught) {
  const err = startup.signal.aborted ? startup.signal.reason : caught;
  if (!stopping) {
    say(err.message);
    await shutdown(1);
  }
}
if (!stopping) {
  const wait = genesis.genesisTime - Date.now();
  say(
    `all ${slots.length} validators answer /health${wait > 0 ? `; block production starts in ${(wait / 1000).toFixed(1)} s` : ''}`,
  );
  for (const n of devnet.nodes) {
    say(
      `  ${n.id.padEnd(width)}  RPC ${n.rpcUrl}  (health ${n.rpcUrl}/health, WebSocket ${n.wsUrl})  p2p ${n.p2pAddr}  data ${n.dataDir}`,
    );
  }
  const { genesisHash, parseGenesis } = await import('../packages/shared/dist/index.js');
  say(
    `explorer ${devnet.nodes[0].rpcUrl}/explorer/?genesis=${genesisHash(parseGenesis(genesis))}&validators=${devnet.nodes
      .slice(1)
      .map((n) => n.rpcUrl)
      .join(',')}`,
  );
  say(`genesis ${devnet.genesisFile}; try \`npm run demo\` in another terminal; Ctrl-C stops the devnet`);
  say(
    restart
      ? `a validator that dies is restarted after ${RESTART_BASE_MS / 1000} s, backing off to ${RESTART_MAX_MS / 1000} s (--no-restart leaves it down)`
      : 'a validator that dies stays down (--no-restart)',
  );
}
