/**
 * Multi-process test harness: real validator processes (the built CLI) on loopback, with keys
 * and genesis in a temp dir, free ports picked by the OS, health polling, and kill/restart by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Genesis, type KeyPair, generateKeyPair, parseGenesis } from '@poa-vote/shared';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../..');
export const CLI = join(ROOT, 'packages/validator/dist/cli/main.js');

/** A port the OS just handed out on 127.0.0.1 (released again for the child to bind). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export interface ValidatorProc {
  index: number;
  id: string;
  rpcPort: number;
  p2pPort: number;
  dataDir: string;
  url: string;
  proc?: ChildProcess;
  output: string[];
}

export interface NetworkOptions {
  n?: number;
  slotMs?: number;
  /** Extra CLI args per validator index. */
  extraArgs?: (i: number) => string[];
  /** Extra env per validator index. */
  env?: (i: number) => Record<string, string>;
}

export class TestNetwork {
  readonly dir: string;
  readonly genesis: Genesis;
  readonly keys: KeyPair[];
  readonly validators: ValidatorProc[] = [];
  readonly #opts: Required<Omit<NetworkOptions, 'extraArgs' | 'env'>> & NetworkOptions;

  private constructor(dir: string, genesis: Genesis, keys: KeyPair[], opts: NetworkOptions) {
    this.dir = dir;
    this.genesis = genesis;
    this.keys = keys;
    this.#opts = { n: 3, slotMs: 500, ...opts };
  }

  /** Create keys, genesis and free ports for n validators (nothing started yet). */
  static async create(opts: NetworkOptions = {}): Promise<TestNetwork> {
    const n = opts.n ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'poa-e2e-'));
    const keys = Array.from({ length: n }, () => generateKeyPair());
    const genesis = parseGenesis({
      chainId: 1337,
      genesisTime: Date.now() + 1500,
      slotDurationMs: opts.slotMs ?? 500,
      authorities: keys.map((k, i) => ({ id: `validator-${i + 1}`, publicKey: k.publicKey, name: `Validator ${i + 1}` })),
    });
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis, null, 2));
    const net = new TestNetwork(dir, genesis, keys, opts);
    for (let i = 0; i < n; i++) {
      writeFileSync(join(dir, `key-${i + 1}.json`), JSON.stringify(keys[i]), { mode: 0o600 });
      const dataDir = join(dir, `validator-${i + 1}`);
      mkdirSync(dataDir, { recursive: true });
      const rpcPort = await freePort();
      net.validators.push({ index: i, id: `validator-${i + 1}`, rpcPort, p2pPort: await freePort(), dataDir, url: `http://127.0.0.1:${rpcPort}`, output: [] });
    }
    return net;
  }

  /** Start validator i (or all). */
  async start(i?: number): Promise<void> {
    if (i === undefined) {
      for (let k = 0; k < this.validators.length; k++) await this.start(k);
      return;
    }
    const v = this.validators[i]!;
    const peers = this.validators.filter((o) => o.index !== i).map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}`);
    const args = [
      '--enable-source-maps',
      CLI,
      'start',
      '--genesis', join(this.dir, 'genesis.json'),
      '--key', join(this.dir, `key-${i + 1}.json`),
      '--data-dir', v.dataDir,
      '--rpc-host', '127.0.0.1',
      '--rpc-port', String(v.rpcPort),
      '--p2p-host', '127.0.0.1',
      '--p2p-port', String(v.p2pPort),
      '--peers', peers.join(','),
      '--log-level', process.env.POA_TEST_LOG_LEVEL ?? 'info',
      ...(this.#opts.extraArgs?.(i) ?? []),
    ];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(this.#opts.env?.(i) ?? {}) } });
    v.proc = proc;
    const keep = (d: Buffer) => {
      v.output.push(d.toString());
      if (v.output.length > 500) v.output.splice(0, v.output.length - 500);
      if (process.env.POA_TEST_VERBOSE) process.stderr.write(`[${v.id}] ${d.toString()}`);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
  }

  /** SIGKILL validator i and wait for it to exit. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.validators[i]!.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
    this.validators[i]!.proc = undefined;
  }

  signal(i: number, signal: NodeJS.Signals): void {
    this.validators[i]!.proc?.kill(signal);
  }

  /** Stop everything and remove the temp dir. */
  async stop(): Promise<void> {
    await Promise.all(this.validators.map(async (v) => {
      const p = v.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGCONT');
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }));
    if (!process.env.POA_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Wait until every listed validator answers /health with 200. */
  async waitHealthy(indexes = this.validators.map((v) => v.index), timeoutMs = 30_000): Promise<void> {
    for (const i of indexes) await waitFor(async () => (await fetchHealth(this.validators[i]!.url))?.ok === true, timeoutMs, `validator-${i + 1} healthy`, () => this.validators[i]!.output.slice(-20).join(''));
  }

  /** Wait until a validator's finalized height reaches h. */
  async waitHeight(i: number, h: number, timeoutMs = 30_000): Promise<void> {
    const v = this.validators[i]!;
    await waitFor(async () => (await finalizedHeight(v.url)) >= h, timeoutMs, `${v.id} at height ${h}`, () => v.output.slice(-20).join(''));
  }
}

/** A validator's finalized height (eth_blockNumber). */
export async function finalizedHeight(url: string): Promise<number> {
  const r = await rpc(url, 'eth_blockNumber', []);
  return Number(r.result);
}

export async function fetchHealth(url: string): Promise<{ ok: boolean; status: number; body: Record<string, unknown> } | undefined> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return { ok: r.ok, status: r.status, body: (await r.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

let rpcId = 1;
/** One JSON-RPC call; returns the whole response object. */
export async function rpc(url: string, method: string, params: unknown, id: string | number = rpcId++): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method, params, id }), signal: AbortSignal.timeout(10_000) });
  return (await r.json()) as Record<string, unknown>;
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.json() };
}

/** Poll until the predicate holds; throws with a description and diagnostics on timeout. */
export async function waitFor(pred: () => Promise<boolean> | boolean, timeoutMs: number, what: string, diag?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${diag ? `\n${diag()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
