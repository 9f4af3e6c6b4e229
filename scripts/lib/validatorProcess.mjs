// Validator processes: spawn `poa-validator start`, stop with SIGTERM then SIGKILL.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { requireBuilt, VALIDATOR_BIN } from './paths.mjs';

/** Grace period between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 5000;

/**
 * Spawn `node packages/validator/dist/cli/main.js start` for one node of a devnet layout.
 * Writes are open (--insecure-open-writes) unless `openWrites` is false: a devnet takes votes
 * without credentials; pass --api-tokens-file in `extraArgs` (with openWrites: false) to try tokens.
 * `onLine(line, stream)` receives each output line ('stdout' | 'stderr'); without it the output
 * is discarded. Returns {id, child, rpcUrl, wsUrl, p2pAddr, exited, stop(graceMs)}.
 */
export function spawnValidator(
  node,
  {
    genesisFile,
    peers = [],
    logLevel = 'info',
    extraArgs = [],
    env = {},
    onLine,
    detached = false,
    openWrites = true,
  } = {},
) {
  const args = [
    requireBuilt(VALIDATOR_BIN),
    'start',
    '--genesis',
    genesisFile,
    '--key',
    node.keyFile,
    '--data-dir',
    node.dataDir,
    '--rpc-host',
    node.host ?? '127.0.0.1',
    '--rpc-port',
    String(node.rpcPort),
    '--p2p-host',
    node.host ?? '127.0.0.1',
    '--p2p-port',
    String(node.p2pPort),
    '--peers',
    peers.join(','),
    '--log-level',
    logLevel,
    ...(openWrites ? ['--insecure-open-writes'] : []),
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', onLine ? 'pipe' : 'ignore', onLine ? 'pipe' : 'ignore'],
    env: { ...process.env, ...env },
    // Own process group: a terminal Ctrl-C reaches only the parent, which stops children in order.
    detached,
  });
  if (onLine) {
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => onLine(line, 'stdout'));
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => onLine(line, 'stderr'));
  }
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
  });
  let stopping;
  return {
    id: node.id,
    child,
    rpcUrl: node.rpcUrl,
    wsUrl: node.wsUrl,
    p2pAddr: node.p2pAddr,
    exited,
    /** SIGTERM, then SIGKILL after graceMs; resolves with the exit {code, signal}. */
    stop(graceMs = STOP_GRACE_MS) {
      stopping ??= stopChild(child, exited, graceMs);
      return stopping;
    },
  };
}

async function stopChild(child, exited, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/** Stop several validator processes in parallel. */
export function stopValidators(procs, graceMs = STOP_GRACE_MS) {
  return Promise.all(procs.map((p) => p.stop(graceMs)));
}

/** Reject naming the first of `ports` on `host` that something already listens on. */
export async function assertPortsFree(ports, host = '127.0.0.1') {
  for (const port of ports) {
    await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (err) =>
        reject(new Error(`${host}:${port} is not free (${err.code ?? err.message}); is another devnet running?`)),
      );
      server.listen(port, host, () => server.close(resolve));
    });
  }
}
