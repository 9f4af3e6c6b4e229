/**
 * The one way tests, the benchmark and the devnet start a validator: `node [nodeArgs]
 * packages/validator/dist/cli/main.js start ...` for one node of a layout, its output by line,
 * its exit as a promise, and a stop that sends SIGTERM then SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is in packages/test-utils/src or its build in packages/test-utils/dist). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** The built `poa-validator` entry point (run `npm run build` first). */
export const VALIDATOR_CLI = resolve(REPO_ROOT, 'packages/validator/dist/cli/main.js');

/** Grace period between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 5000;

/** The write-access flags of a validator that takes unauthenticated writes at any rate from one address. */
export const OPEN_WRITE_ARGS: readonly string[] = ['--insecure-open-writes', '--write-rate-per-address', '0'];

/** Throw a clear error when a built file is missing. */
export function requireBuilt(path: string): string {
  const file = path.startsWith('file:') ? fileURLToPath(path) : path;
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run build\` first`);
  return path;
}

/** Where one validator keeps its key and data and which ports it listens on. */
export interface LaunchNode {
  id: string;
  keyFile: string;
  dataDir: string;
  /** RPC and p2p host (default 127.0.0.1). */
  host?: string;
  rpcPort: number;
  p2pPort: number;
  rpcUrl?: string;
  wsUrl?: string;
  p2pAddr?: string;
}

export interface LaunchOptions {
  genesisFile: string;
  /** The --peers multiaddrs. */
  peers?: readonly string[];
  logLevel?: string;
  /**
   * Write access: 'open' adds --insecure-open-writes, 'open-unlimited' also lifts the per-address
   * write rate (load from one loopback address), 'flags' adds nothing (give the flags in extraArgs).
   */
  writes?: 'open' | 'open-unlimited' | 'flags';
  /** CLI arguments after the standard ones. */
  extraArgs?: readonly string[];
  /** Node flags before the script (--cpu-prof, --enable-source-maps). */
  nodeArgs?: readonly string[];
  /** Environment on top of this process's. */
  env?: Readonly<Record<string, string>>;
  /** Each output line; without it the output is discarded. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Own process group: a terminal Ctrl-C reaches only the parent, which stops children in order. */
  detached?: boolean;
}

/** How a validator process ended (`error`: it could not be spawned). */
export interface ValidatorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ValidatorProcess {
  id: string;
  child: ChildProcess;
  /** The full node command line (node flags, script, CLI arguments). */
  args: readonly string[];
  rpcUrl: string | undefined;
  wsUrl: string | undefined;
  p2pAddr: string | undefined;
  exited: Promise<ValidatorExit>;
  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit. */
  stop(graceMs?: number): Promise<ValidatorExit>;
}

/** The `poa-validator start` arguments for one node. */
export function startArgs(node: LaunchNode, opts: LaunchOptions): string[] {
  const host = node.host ?? '127.0.0.1';
  const writes = opts.writes ?? 'open';
  return [
    'start',
    '--genesis',
    opts.genesisFile,
    '--key',
    node.keyFile,
    '--data-dir',
    node.dataDir,
    '--rpc-host',
    host,
    '--rpc-port',
    String(node.rpcPort),
    '--p2p-host',
    host,
    '--p2p-port',
    String(node.p2pPort),
    '--peers',
    (opts.peers ?? []).join(','),
    '--log-level',
    opts.logLevel ?? 'info',
    ...(writes === 'open-unlimited' ? OPEN_WRITE_ARGS : writes === 'open' ? ['--insecure-open-writes'] : []),
    ...(opts.extraArgs ?? []),
  ];
}

/** Spawn the built validator CLI for one node. */
export function spawnValidator(node: LaunchNode, opts: LaunchOptions): ValidatorProcess {
  const args = [...(opts.nodeArgs ?? []), requireBuilt(VALIDATOR_CLI), ...startArgs(node, opts)];
  const { onLine } = opts;
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', onLine ? 'pipe' : 'ignore', onLine ? 'pipe' : 'ignore'],
    env: { ...process.env, ...(opts.env ?? {}) },
    detached: opts.detached ?? false,
  });
  if (onLine && child.stdout && child.stderr) {
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      onLine(line, 'stdout'),
    );
    createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      onLine(line, 'stderr'),
    );
  }
  const exited = new Promise<ValidatorExit>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (error) => resolveExit({ code: null, signal: null, error }));
  });
  let stopping: Promise<ValidatorExit> | undefined;
  return {
    id: node.id,
    child,
    args,
    rpcUrl: node.rpcUrl,
    wsUrl: node.wsUrl,
    p2pAddr: node.p2pAddr,
    exited,
    stop(graceMs = STOP_GRACE_MS) {
      stopping ??= stopChild(child, exited, graceMs);
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<ValidatorExit>, graceMs: number): Promise<ValidatorExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/** Stop several validator processes in parallel. */
export function stopValidators(procs: readonly ValidatorProcess[], graceMs = STOP_GRACE_MS): Promise<ValidatorExit[]> {
  return Promise.all(procs.map((p) => p.stop(graceMs)));
}

/** Reject naming the first of `ports` on `host` that something already listens on. */
export async function assertPortsFree(ports: readonly number[], host = '127.0.0.1'): Promise<void> {
  for (const port of ports) {
    await new Promise<void>((resolveFree, reject) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`${host}:${port} is not free (${err.code ?? err.message}); is another devnet running?`)),
      );
      server.listen(port, host, () => server.close(() => resolveFree()));
    });
  }
}
