// Command-line options of the benchmark, validated with errors that name the bad option.
import { parseArgs } from 'node:util';
import { VALIDATOR_NODE_ARGS } from '../lib/nodeFlags.mjs';

export const USAGE = `usage: npm run bench -- [options]    (or: node scripts/bench.mjs [options])
  --mode single|batch|both   one vote per HTTP request, JSON-RPC batches, or both (default both)
  --votes <n>                votes per mode (default 60000)
  --concurrency <n>          requests in flight (default: 64 single, 4 batch)
  --batch-size <n>           votes per JSON-RPC batch (default 250)
  --rate <votes/s>           offer votes at this rate (paced) instead of as fast as answered
  --slot-ms <ms>             slot length of the bench chain (default 1000)
  --driver http|client       load generator: raw node:http keep-alive (default), or @poa-vote/client
  --target all|one           spread requests over the three validators (default) or send all to validator-1
  --ballot-bytes <n>         length of each vote's data field (default 120)
  --sample <n>               votes whose latency is measured: every n-th (default 1 = all)
  --no-resync                skip the resync measurement
  --no-echo                  skip the node:http echo ceiling
  --cpu-prof <dir>           run the validators with --cpu-prof, profiles written to <dir>
  --keep                     keep the temp directory (data dirs, validator logs)
  --log-level <level>        validators' log level (default warn)
  --node-args=<flags>        node flags for the validators, instead of those they are deployed with
                             (${VALIDATOR_NODE_ARGS.join(' ')}); --node-args= for none
  --json-only                print only the JSON line
  -h, --help                 this help`;

function int(values, name, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function oneOf(values, name, allowed, dflt) {
  const v = values[name] ?? dflt;
  if (!allowed.includes(v)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

/** Parse argv into bench options; throws an Error naming the bad option. */
export function parseBenchArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      votes: { type: 'string' },
      concurrency: { type: 'string' },
      'batch-size': { type: 'string' },
      'slot-ms': { type: 'string' },
      rate: { type: 'string' },
      driver: { type: 'string' },
      target: { type: 'string' },
      'ballot-bytes': { type: 'string' },
      sample: { type: 'string' },
      'no-resync': { type: 'boolean', default: false },
      'no-echo': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      'node-args': { type: 'string' },
      'json-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const mode = oneOf(values, 'mode', ['single', 'batch', 'both'], 'both');
  return {
    help: values.help,
    modes: mode === 'both' ? ['single', 'batch'] : [mode],
    votes: int(values, 'votes', { max: 10_000_000 }) ?? 60_000,
    concurrency: int(values, 'concurrency', { max: 4096 }),
    batchSize: int(values, 'batch-size', { max: 10_000 }) ?? 250,
    slotMs: int(values, 'slot-ms', { min: 50, max: 60_000 }) ?? 1000,
    rate: int(values, 'rate', { max: 10_000_000 }),
    driver: oneOf(values, 'driver', ['http', 'client'], 'http'),
    target: oneOf(values, 'target', ['all', 'one'], 'all'),
    ballotBytes: int(values, 'ballot-bytes', { min: 8, max: 16_000 }) ?? 120,
    sample: int(values, 'sample', { max: 1_000_000 }) ?? 1,
    resync: !values['no-resync'],
    echo: !values['no-echo'],
    cpuProfDir: values['cpu-prof'],
    keep: values.keep,
    nodeArgs: nodeArgsOption(values['node-args']),
    logLevel: oneOf(values, 'log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'warn'),
    jsonOnly: values['json-only'],
  };
}

/** Concurrency of a mode: the option, else the mode's default. */
export function concurrencyOf(opts, mode) {
  return opts.concurrency ?? (mode === 'single' ? 64 : 4);
}

/** The validators' node flags: those they are deployed with unless --node-args says otherwise (empty: none). */
export function nodeArgsOption(value) {
  return value === undefined ? [...VALIDATOR_NODE_ARGS] : value.split(/\s+/).filter(Boolean);
}
