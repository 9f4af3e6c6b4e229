/**
 * Multi-process test network: real validator processes (the built CLI) on loopback, with keys
 * and genesis in a temp dir, free ports picked by the OS, health polling, kill/restart by PID,
 * data wipes, and each process's log kept (a tail in memory, all of it in a file).
 */
import type { ChildProcess } from 'node:child_process';
import { type WriteStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Genesis, type KeyPair, generateKeyPair, parseGenesis } from '@poa-vote/shared';
import { freePort } from './freePort.js';
import { fetchHealth, finalizedHeight } from './http.js';
import { OPEN_WRITE_ARGS, VALIDATOR_CLI, spawnValidator } from './launcher.js';
import { waitFor } from './waitFor.js';

/** The built validator CLI (run `npm run build` first). */
export const CLI = VALIDATOR_CLI;
export { OPEN_WRITE_ARGS };

/** Log levels (pino labels, or its numbers) that count as errors. */
const ERROR_LEVELS = new Set<unknown>(['error', 'fatal', 50, 60]);
/** Lines kept in memory per validator. */
const TAIL_LINES = 400;

/** How one run of a validator process ended. */
export interface ProcExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The test asked for it (kill/stop), as opposed to the process ending by itself. */
  expected: boolean;
  at: number;
}

export interface ValidatorProc {
  index: number;
  id: string;
  rpcPort: number;
  p2pPort: number;
  dataDir: string;
  url: string;
  proc?: ChildProcess | undefined;
  /** The last log lines of this validator, over all its runs. */
  output: string[];
  /** Every log line at level error or above, over all runs. */
  errors: string[];
  /** Every run that ended. */
  exits: ProcExit[];
  /** Times (ms) at which it was started. */
  starts: number[];
  /** For each run that came up: when, and the finalized height it loaded from its database. */
  ready: { at: number; height: number }[];
  logFile: string;
}

export interface NetworkOptions {
  n?: number;
  slotMs?: number;
  /** Extra CLI args per validator index (read at every start, so a restart may change them). */
  extraArgs?: (i: number) => string[];
  /** Extra env per validator index. */
  env?: (i: number) => Record<string, string>;
  /** Extra node flags per validator index (e.g. --cpu-prof), placed before the CLI script. */
  nodeArgs?: (i: number) => string[];
  /** The --peers multiaddrs of validator i (default: the others' real listen addresses). */
  peers?: (i: number) => string[];
  /**
   * Start with --insecure-open-writes and no write-rate limit per address (default true): the
   * tests drive load from one loopback address. false: pass the write-access flags yourself
   * (extraArgs / env), e.g. --api-tokens-file.
   */
  openWrites?: boolean;
  /** Extra genesis members (e.g. electionOperator), validated by parseGenesis. */
  genesisExtra?: Record<string, unknown>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** If the test runner exits without stopping a network, its children must not outlive it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        p.kill('SIGCONT');
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

export class TestNetwork {
  readonly dir: string;
  readonly genesis: Genesis;
  readonly keys: KeyPair[];
  readonly validators: ValidatorProc[] = [];
  readonly #opts: NetworkOptions;
  readonly #logs = new Map<number, WriteStream>();

  private constructor(dir: string, genesis: Genesis, keys: KeyPair[], opts: NetworkOptions) {
    this.dir = dir;
    this.genesis = genesis;
    this.keys = keys;
    this.#opts = opts;
  }

  /** Create keys, genesis and free ports for n validators (nothing started yet). */
  static async create(opts: NetworkOptions = {}): Promise<TestNetwork> {
    installExitHook();
    const n = opts.n ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'poa-e2e-'));
    const keys = Array.from({ length: n }, () => generateKeyPair());
    const genesis = parseGenesis({
      chainId: 1337,
      genesisTime: Date.now() + 1500,
      slotDurationMs: opts.slotMs ?? 500,
      authorities: keys.map((k, i) => ({
        id: `validator-${i + 1}`,
        publicKey: k.publicKey,
        name: `Validator ${i + 1}`,
      })),
      ...(opts.genesisExtra ?? {}),
    });
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis, null, 2));
    const net = new TestNetwork(dir, genesis, keys, opts);
    for (let i = 0; i < n; i++) {
      writeFileSync(join(dir, `key-${i + 1}.json`), JSON.stringify(keys[i]), { mode: 0o600 });
      const dataDir = join(dir, `validator-${i + 1}`);
      mkdirSync(dataDir, { recursive: true });
      const rpcPort = await freePort();
      net.validators.push({
        index: i,
        id: `validator-${i + 1}`,
        rpcPort,
        p2pPort: await freePort(),
        dataDir,
        url: `http://127.0.0.1:${rpcPort}`,
        output: [],
        errors: [],
        exits: [],
        starts: [],
        ready: [],
        logFile: join(dir, `validator-${i + 1}.log`),
      });
    }
    return net;
  }

  /** Start validator i (or all that are not running). */
  async start(i?: number): Promise<void> {
    if (i === undefined) {
      for (let k = 0; k < this.validators.length; k++) if (!this.isRunning(k)) await this.start(k);
      return;
    }
    const v = this.validators[i]!;
    if (this.isRunning(i)) throw new Error(`${v.id} is already running (pid ${v.proc?.pid})`);
    const peers =
      this.#opts.peers?.(i) ??
      this.validators.filter((o) => o.index !== i).map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}`);
    let log = this.#logs.get(i);
    if (!log) {
      log = createWriteStream(v.logFile, { flags: 'a' });
      this.#logs.set(i, log);
    }
    const sink = log;
    const launched = spawnValidator(
      {
        id: v.id,
        keyFile: join(this.dir, `key-${i + 1}.json`),
        dataDir: v.dataDir,
        rpcPort: v.rpcPort,
        p2pPort: v.p2pPort,
      },
      {
        genesisFile: join(this.dir, 'genesis.json'),
        peers,
        logLevel: process.env.POA_TEST_LOG_LEVEL ?? 'info',
        writes: this.#opts.openWrites === false ? 'flags' : 'open-unlimited',
        extraArgs: this.#opts.extraArgs?.(i) ?? [],
        nodeArgs: ['--enable-source-maps', ...(this.#opts.nodeArgs?.(i) ?? [])],
        env: this.#opts.env?.(i) ?? {},
        onLine: (line) => this.#keepLine(v, sink, line),
      },
    );
    const proc = launched.child;
    live.add(proc);
    v.proc = proc;
    v.starts.push(Date.now());
    log.write(`---- start ${v.starts.length} at ${new Date().toISOString()}: ${launched.args.slice(1).join(' ')}\n`);
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      const expected = (proc as ChildProcess & { poaExpectedExit?: boolean }).poaExpectedExit === true;
      v.exits.push({ code, signal, expected, at: Date.now() });
      sink.write(`---- exit code=${code} signal=${signal} expected=${expected}\n`);
      if (v.proc === proc) v.proc = undefined;
    });
  }

  #keepLine(v: ValidatorProc, sink: WriteStream, line: string): void {
    sink.write(`${line}\n`);
    v.output.push(line);
    if (v.output.length > TAIL_LINES) v.output.splice(0, v.output.length - TAIL_LINES);
    if (process.env.POA_TEST_VERBOSE) process.stderr.write(`[${v.id}] ${line}\n`);
    if (line.includes('"level":')) {
      try {
        const rec = JSON.parse(line) as { level?: unknown; msg?: string; height?: unknown };
        if (ERROR_LEVELS.has(rec.level)) v.errors.push(line);
        if (rec.msg === 'validator started' && typeof rec.height === 'number')
          v.ready.push({ at: Date.now(), height: rec.height });
      } catch {
        /* not a JSON log line */
      }
    } else if (/error|exception/i.test(line)) {
      v.errors.push(line);
    }
  }

  /** Whether validator i has a process that has not exited (it may be stopped with SIGSTOP). */
  isRunning(i: number): boolean {
    const p = this.validators[i]!.proc;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  /** Signal validator i (SIGKILL by default) and wait for it to exit. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.validators[i]!.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    (p as ChildProcess & { poaExpectedExit?: boolean }).poaExpectedExit = true;
    const exited = new Promise((r) => p.once('exit', r));
    // A SIGSTOPped process handles SIGTERM only once continued.
    if (signal !== 'SIGKILL') p.kill('SIGCONT');
    p.kill(signal);
    const t = signal === 'SIGKILL' ? undefined : setTimeout(() => p.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(t);
    this.validators[i]!.proc = undefined;
  }

  /**
   * SIGKILL validator i synchronously (within the caller's tick, e.g. right as an answer arrives)
   * and resolve once it has exited.
   */
  killNow(i: number): Promise<void> {
    const p = this.validators[i]!.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    (p as ChildProcess & { poaExpectedExit?: boolean }).poaExpectedExit = true;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    return exited.then(() => {
      this.validators[i]!.proc = undefined;
    });
  }

  /** Send a signal without waiting (SIGSTOP / SIGCONT). */
  signal(i: number, signal: NodeJS.Signals): void {
    this.validators[i]!.proc?.kill(signal);
  }

  /** Delete validator i's data directory (it must not be running) and recreate it empty. */
  wipe(i: number): void {
    const v = this.validators[i]!;
    if (this.isRunning(i)) throw new Error(`${v.id} is running: stop it before wiping its data`);
    rmSync(v.dataDir, { recursive: true, force: true });
    mkdirSync(v.dataDir, { recursive: true });
  }

  /** Exits the test did not ask for (crashes, fatal errors), over all validators. */
  unexpectedExits(): { id: string; exit: ProcExit }[] {
    return this.validators.flatMap((v) => v.exits.filter((e) => !e.expected).map((exit) => ({ id: v.id, exit })));
  }

  /** The last n log lines of validator i. */
  logTail(i: number, n = 20): string {
    return this.validators[i]!.output.slice(-n).join('\n');
  }

  /** Stop everything, close the log files, and remove the temp dir (kept with keepDir or POA_TEST_KEEP). */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    await Promise.all(this.validators.map((v) => this.kill(v.index, 'SIGTERM')));
    await Promise.all([...this.#logs.values()].map((s) => new Promise((r) => s.end(r))));
    this.#logs.clear();
    if (!opts.keepDir && !process.env.POA_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Each validator as a client configures it: its id and RPC URL, or `urlOf(i)` (a proxy) when that gives one. */
  clientConfig(urlOf: (i: number) => string | undefined = () => undefined): { nodeId: string; rpcUrl: string }[] {
    return this.validators.map((v) => ({ nodeId: v.id, rpcUrl: urlOf(v.index) ?? v.url }));
  }

  /** Wait until every listed validator answers /health with 200. */
  async waitHealthy(indexes = this.validators.map((v) => v.index), timeoutMs = 30_000): Promise<void> {
    for (const i of indexes) {
      let last = 'no answer';
      await waitFor(
        async () => {
          const h = await fetchHealth(this.validators[i]!.url);
          last = h === undefined ? 'no answer' : JSON.stringify(h.body.reasons ?? h.body);
          return h?.ok === true;
        },
        timeoutMs,
        `validator-${i + 1} healthy`,
        // Why it is not, and what every validator said last: the cause is often another one (not started, not connected).
        () =>
          [
            `its last /health reasons: ${last}`,
            ...this.validators.map((v) => `--- ${v.id} (last lines)\n${this.logTail(v.index, v.index === i ? 20 : 8)}`),
          ].join('\n'),
      );
    }
  }

  /** Wait until a validator's finalized height reaches h. */
  async waitHeight(i: number, h: number, timeoutMs = 30_000): Promise<void> {
    const v = this.validators[i]!;
    await waitFor(
      async () => (await finalizedHeight(v.url)) >= h,
      timeoutMs,
      `${v.id} at height ${h}`,
      () => this.logTail(i),
    );
  }
}
