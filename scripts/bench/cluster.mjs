// Three validators on loopback: temp dir, fresh keys and genesis, free ports, start/stop/wipe.
import { createWriteStream, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { requireBuilt, VALIDATOR_BIN, VALIDATOR_CLI_LIB, waitForHealth } from '../lib/index.mjs';

/** A port the OS just handed out on 127.0.0.1 (released again for the child to bind). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Keys, genesis and ports for n validators in a new temp dir (nothing started). */
export async function createCluster({
  n = 3,
  slotMs,
  genesisDelayMs = 2500,
  cpuProfDir,
  logLevel = 'warn',
  nodeArgs = [],
} = {}) {
  const { createKeyFile, buildGenesis, writeGenesisFile } = await import(requireBuilt(VALIDATOR_CLI_LIB));
  const dir = mkdtempSync(join(tmpdir(), 'poa-bench-'));
  const nodes = [];
  for (let i = 0; i < n; i++) {
    const id = `validator-${i + 1}`;
    const rpcPort = await freePort();
    const p2pPort = await freePort();
    const keyFile = join(dir, id, 'key.json');
    mkdirSync(join(dir, id), { recursive: true });
    nodes.push({
      id,
      keyFile,
      dataDir: join(dir, id, 'data'),
      host: '127.0.0.1',
      rpcPort,
      p2pPort,
      rpcUrl: `http://127.0.0.1:${rpcPort}`,
      wsUrl: `ws://127.0.0.1:${rpcPort}`,
      p2pAddr: `/ip4/127.0.0.1/tcp/${p2pPort}`,
      publicKey: createKeyFile(keyFile).keyPair.publicKey,
    });
  }
  const genesis = buildGenesis({
    authority: nodes.map((x) => `${x.id}:${x.publicKey}`),
    chainId: 4242,
    slotMs,
    genesisTime: `now+${genesisDelayMs}`,
  });
  const genesisFile = join(dir, 'genesis.json');
  writeGenesisFile(genesisFile, genesis);
  return new Cluster(dir, genesisFile, genesis, nodes, { cpuProfDir, logLevel, nodeArgs });
}

export class Cluster {
  /** index -> ValidatorProcess */
  procs = [];
  /** index -> last output lines (diagnostics when something fails) */
  logs = [];

  constructor(dir, genesisFile, genesis, nodes, { cpuProfDir, logLevel, nodeArgs = [] }) {
    this.dir = dir;
    this.genesisFile = genesisFile;
    this.genesis = genesis;
    this.nodes = nodes;
    this.cpuProfDir = cpuProfDir;
    this.logLevel = logLevel;
    this.nodeArgs = nodeArgs;
  }

  /** Start validator i. */
  start(i) {
    const node = this.nodes[i];
    const log = [];
    this.logs[i] = log;
    // --cpu-prof is refused in NODE_OPTIONS: it goes on the command line, before the script.
    const nodeArgs = [
      ...this.nodeArgs,
      ...(this.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(this.cpuProfDir, node.id)}`] : []),
    ];
    const args = [
      ...nodeArgs,
      requireBuilt(VALIDATOR_BIN),
      'start',
      '--genesis',
      this.genesisFile,
      '--key',
      node.keyFile,
      '--data-dir',
      node.dataDir,
      '--rpc-host',
      node.host,
      '--rpc-port',
      String(node.rpcPort),
      '--p2p-host',
      node.host,
      '--p2p-port',
      String(node.p2pPort),
      '--peers',
      this.nodes
        .filter((_, k) => k !== i)
        .map((o) => o.p2pAddr)
        .join(','),
      '--log-level',
      this.logLevel,
      // The benchmark measures the chain, not the write limits: open writes, no per-address limit.
      '--insecure-open-writes',
      '--write-rate-per-address',
      '0',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(join(this.dir, node.id, 'validator.log'), { flags: 'a' });
    child.once('exit', () => file.end());
    const keep = (line) => {
      file.write(`${line}\n`);
      log.push(line);
      if (log.length > 50) log.shift();
    };
    createInterface({ input: child.stdout }).on('line', keep);
    createInterface({ input: child.stderr }).on('line', keep);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => resolve({ code: null, signal: null, error: err.message }));
    });
    let stopping;
    this.procs[i] = {
      child,
      exited,
      /** SIGTERM (a profiled node writes its profile on the way out), SIGKILL after graceMs. */
      stop: (graceMs) =>
        (stopping ??= (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return exited;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const r = await exited;
          clearTimeout(timer);
          return r;
        })()),
    };
    return this.procs[i];
  }

  /** Start every validator and wait until all report healthy. */
  async startAll(timeoutMs = 60_000) {
    for (const i of this.nodes.keys()) this.start(i);
    await Promise.all(this.nodes.map((_, i) => this.waitHealthy(i, timeoutMs)));
  }

  async waitHealthy(i, timeoutMs = 60_000) {
    const exited = this.procs[i].exited.then((s) => {
      throw new Error(`${this.nodes[i].id} exited (${JSON.stringify(s)}):\n${this.logs[i].join('\n')}`);
    });
    await Promise.race([waitForHealth(this.nodes[i].rpcUrl, { healthy: true, timeoutMs, intervalMs: 100 }), exited]);
  }

  pid(i) {
    return this.procs[i]?.child.pid;
  }

  /** Stop validator i (SIGTERM: a profiled node writes its profile). */
  async stop(i) {
    await this.procs[i]?.stop(15_000);
  }

  /** Remove validator i's database. */
  wipe(i) {
    rmSync(this.nodes[i].dataDir, { recursive: true, force: true });
  }

  async stopAll() {
    await Promise.all(this.nodes.map((_, i) => this.stop(i)));
  }

  /** Delete the temp dir. */
  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
