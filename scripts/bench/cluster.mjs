// Three validators on loopback: temp dir, fresh keys and genesis, free ports, start/stop/wipe.
// The processes are started by the launcher the tests and the devnet use (packages/test-utils).
import { createWriteStream, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnValidator } from '@poa-vote/test-utils';
import { requireBuilt, VALIDATOR_CLI_LIB, VALIDATOR_NODE_ARGS, waitForHealth } from '../lib/index.mjs';

export { freePort };

/** Keys, genesis and ports for n validators in a new temp dir (nothing started). */
export async function createCluster({
  n = 3,
  slotMs,
  genesisDelayMs = 2500,
  cpuProfDir,
  logLevel = 'warn',
  nodeArgs = [...VALIDATOR_NODE_ARGS],
  electionOperator,
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
    ...(electionOperator ? { electionOperator } : {}),
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
    const file = createWriteStream(join(this.dir, node.id, 'validator.log'), { flags: 'a' });
    const keep = (line) => {
      file.write(`${line}\n`);
      log.push(line);
      if (log.length > 50) log.shift();
    };
    const proc = spawnValidator(node, {
      genesisFile: this.genesisFile,
      peers: this.nodes.filter((_, k) => k !== i).map((o) => o.p2pAddr),
      logLevel: this.logLevel,
      // The benchmark measures the chain, not the write limits: open writes, no per-address limit.
      writes: 'open-unlimited',
      // --cpu-prof is refused in NODE_OPTIONS: it goes on the command line, before the script.
      nodeArgs: [
        ...this.nodeArgs,
        ...(this.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(this.cpuProfDir, node.id)}`] : []),
      ],
      onLine: keep,
    });
    proc.child.once('exit', () => file.end());
    // A profiled node writes its profile on SIGTERM; stop(graceMs) sends SIGKILL only after graceMs.
    this.procs[i] = proc;
    return proc;
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
