/**
 * `npm run devnet` as a supervisor (scripts/devnet.mjs run as a real process on free loopback
 * ports): a validator killed with SIGKILL is reported, the others keep running, and it is
 * restarted and healthy again; with --no-restart it stays down. Ctrl-C (SIGINT) or SIGTERM stops
 * the devnet and leaves no validator process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort, sleep, waitFor } from '@poa-vote/test-utils';

const HERE = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname);
const REPO = resolve(HERE, '../../../..');
const DEVNET = join(REPO, 'scripts/devnet.mjs');
const SLOT_MS = 400;

/** True when nothing listens on 127.0.0.1:port right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** A base port with `n` free consecutive ports (never 8001: the OS hands out ephemeral ones). */
async function freeRange(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = await freePort();
    if (base + n - 1 > 65535) continue;
    let ok = true;
    for (let i = 1; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/** `p`, or undefined after `ms` (the timer is cleared either way, so jest can exit). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthStatus(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${rpcUrl}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** A devnet process with its output collected and the validator pids it announced. */
class Devnet {
  readonly lines: string[] = [];
  /** Every pid announced per validator, oldest first. */
  readonly pids = new Map<string, number[]>();
  readonly rpcUrls: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;
  readonly dir: string;

  constructor(rpcBase: number, p2pBase: number, extra: string[] = []) {
    this.dir = mkdtempSync(join(tmpdir(), 'poa-devnet-test-'));
    this.rpcUrls = [0, 1, 2].map((i) => `http://127.0.0.1:${rpcBase + i}`);
    const args = [
      DEVNET,
      '--dir',
      this.dir,
      '--fresh',
      '--slot-ms',
      String(SLOT_MS),
      '--log-level',
      'warn',
      '--base-rpc-port',
      String(rpcBase),
      '--base-p2p-port',
      String(p2pBase),
      ...extra,
    ];
    this.child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        const m = /(validator-\d+) started \(pid (\d+)/.exec(line);
        if (m) this.pids.set(m[1]!, [...(this.pids.get(m[1]!) ?? []), Number(m[2])]);
      }
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
  }

  /** The newest pid of a validator. */
  pid(id: string): number {
    const list = this.pids.get(id);
    if (!list?.length) throw new Error(`${id} announced no pid`);
    return list[list.length - 1]!;
  }

  allPids(): number[] {
    return [...this.pids.values()].flat();
  }

  has(re: RegExp): boolean {
    return this.lines.some((l) => re.test(l));
  }

  tail(): string {
    return this.lines.slice(-30).join('\n');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitLine(re: RegExp, timeoutMs: number): Promise<void> {
    await waitFor(
      () => this.has(re) || !this.running,
      timeoutMs,
      `a devnet line matching ${re}`,
      () => this.tail(),
    );
    if (!this.has(re))
      throw new Error(
        `the devnet exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) before printing ${re}\n${this.tail()}`,
      );
  }

  async waitHealthy(i: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await healthStatus(this.rpcUrls[i]!)) === 200,
      timeoutMs,
      `validator-${i + 1} healthy`,
      () => this.tail(),
    );
  }

  /** Stop the devnet with a signal; resolves with its exit once every validator it ran is gone. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const exit = await within(this.exited, 20_000);
    if (!exit) throw new Error(`the devnet did not exit within 20 s of ${signal}\n${this.tail()}`);
    return exit;
  }

  /** Leave nothing behind, whatever happened. */
  async destroy(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      if (!(await within(this.exited, 10_000))) this.child.kill('SIGKILL');
    }
    for (const pid of this.allPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let devnet: Devnet | undefined;

afterEach(async () => {
  await devnet?.destroy();
  devnet = undefined;
});

async function startDevnet(extra: string[] = []): Promise<Devnet> {
  const rpcBase = await freeRange(3);
  const p2pBase = await freeRange(3);
  devnet = new Devnet(rpcBase, p2pBase, extra);
  await devnet.waitLine(/all 3 validators answer \/health/, 90_000);
  for (let i = 0; i < 3; i++) await devnet.waitHealthy(i, 60_000);
  return devnet;
}

describe('npm run devnet supervises its validators', () => {
  it('restarts a validator killed with SIGKILL while the others keep running, and stops everything on SIGINT', async () => {
    const d = await startDevnet();
    const victim = d.pid('validator-2');
    const others = [d.pid('validator-1'), d.pid('validator-3')];
    process.kill(victim, 'SIGKILL');

    await d.waitLine(/validator-2 exited \(signal SIGKILL\).*restarting it in 1\.0 s/, 10_000);
    // The devnet did not stop: the other two still run and still finalize.
    expect(d.has(/stopping \d+ validators/)).toBe(false);
    expect(others.every(alive)).toBe(true);
    await d.waitHealthy(0, 10_000);
    await d.waitHealthy(2, 10_000);

    await d.waitLine(/validator-2 started \(pid \d+, restart 1\)/, 15_000);
    const restarted = d.pid('validator-2');
    expect(restarted).not.toBe(victim);
    expect(alive(victim)).toBe(false);
    await d.waitHealthy(1, 60_000);
    await d.waitLine(/validator-2 is back/, 10_000);
    expect(others.every(alive)).toBe(true);

    const exit = await d.stop('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.has(/stopping 3 validators/)).toBe(true);
    expect(d.allPids()).toHaveLength(4);
    await waitFor(
      () => d.allPids().every((pid) => !alive(pid)),
      5000,
      'every validator process gone',
      () => d.tail(),
    );
  }, 180_000);

  it('backs off exponentially while a restarted validator keeps dying, and brings it back once it can start', async () => {
    const d = await startDevnet();
    const port = Number(new URL(d.rpcUrls[1]!).port);
    process.kill(d.pid('validator-2'), 'SIGKILL');
    await d.waitLine(/validator-2 exited \(signal SIGKILL\).*restarting it in 1\.0 s/, 10_000);
    // Its RPC port taken: each restart dies at once, and the next waits twice as long.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((res, rej) => {
      squatter.once('error', rej);
      squatter.listen(port, '127.0.0.1', () => res());
    });
    try {
      await d.waitLine(/validator-2 exited \(exit code \d+\).*restarting it in 2\.0 s/, 20_000);
      await d.waitLine(/validator-2 exited \(exit code \d+\).*restarting it in 4\.0 s/, 20_000);
    } finally {
      await new Promise((res) => squatter.close(res));
    }
    await d.waitLine(/validator-2 started \(pid \d+, restart 3\)/, 20_000);
    await d.waitHealthy(1, 60_000);
    await d.waitLine(/validator-2 is back/, 10_000);
    expect(d.has(/restarting it in 8\.0 s/)).toBe(false);
    expect([0, 2].every((i) => d.pids.get(`validator-${i + 1}`)!.length === 1)).toBe(true);
    expect(await d.stop('SIGINT')).toEqual({ code: 0, signal: null });
    await waitFor(
      () => d.allPids().every((pid) => !alive(pid)),
      5000,
      'every validator process gone',
      () => d.tail(),
    );
  }, 180_000);

  it('with --no-restart leaves a dead validator down, keeps the others, and stops on SIGTERM', async () => {
    const d = await startDevnet(['--no-restart']);
    const victim = d.pid('validator-3');
    process.kill(victim, 'SIGKILL');
    await d.waitLine(
      /validator-3 exited \(signal SIGKILL\).*left down \(--no-restart\), 2 of 3 validators running/,
      10_000,
    );
    // Longer than the first back-off: a restart would have happened by now.
    await sleep(2500);
    expect(d.pids.get('validator-3')).toHaveLength(1);
    expect(await healthStatus(d.rpcUrls[2]!)).toBeUndefined();
    await d.waitHealthy(0, 10_000);
    await d.waitHealthy(1, 10_000);

    const exit = await d.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.has(/stopping 2 validators/)).toBe(true);
    await waitFor(
      () => d.allPids().every((pid) => !alive(pid)),
      5000,
      'every validator process gone',
      () => d.tail(),
    );
  }, 180_000);
});
