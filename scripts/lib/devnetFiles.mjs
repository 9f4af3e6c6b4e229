// Keys and genesis of a local devnet: created on first use, reused afterwards.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireBuilt, VALIDATOR_CLI_LIB } from './paths.mjs';

const cli = () => import(requireBuilt(VALIDATOR_CLI_LIB));

/**
 * File and port layout of an n-validator devnet in `dir`: validator-N has its key at
 * dir/validator-N/key.json, its database in dir/validator-N/data, RPC on rpcBasePort+N-1 and
 * p2p on p2pBasePort+N-1; the genesis is dir/genesis.json.
 */
export function devnetLayout(
  dir,
  { validators = 3, host = '127.0.0.1', rpcBasePort = 8001, p2pBasePort = 30303 } = {},
) {
  const root = resolve(dir);
  const nodes = Array.from({ length: validators }, (_, i) => {
    const id = `validator-${i + 1}`;
    const rpcPort = rpcBasePort + i;
    const p2pPort = p2pBasePort + i;
    return {
      id,
      keyFile: join(root, id, 'key.json'),
      dataDir: join(root, id, 'data'),
      host,
      rpcPort,
      p2pPort,
      rpcUrl: `http://${host}:${rpcPort}`,
      wsUrl: `ws://${host}:${rpcPort}`,
      p2pAddr: `/ip4/${host}/tcp/${p2pPort}`,
    };
  });
  return { dir: root, genesisFile: join(root, 'genesis.json'), nodes };
}

/**
 * Create (or reuse) the keys and genesis of a devnet. A new genesis starts `genesisDelayMs` from
 * now and wipes the data dirs (their chain belongs to the old genesis). `fresh` wipes `dir` first.
 * Returns the layout plus `genesis`, `created` and `notes` (things the user should know).
 */
export async function prepareDevnet({
  dir,
  validators = 3,
  chainId = 1337,
  slotMs = 1000,
  genesisDelayMs = 2000,
  quorum = 'majority',
  fresh = false,
  host,
  rpcBasePort,
  p2pBasePort,
} = {}) {
  if (!dir) throw new Error('prepareDevnet: dir is required');
  const { createKeyFile, buildGenesis, readGenesisFile, writeGenesisFile } = await cli();
  const layout = devnetLayout(dir, { validators, host, rpcBasePort, p2pBasePort });
  if (fresh) rmSync(layout.dir, { recursive: true, force: true });
  const notes = [];
  const keys = layout.nodes.map((n) => createKeyFile(n.keyFile, { reuse: true }).keyPair);

  if (existsSync(layout.genesisFile)) {
    const genesis = readGenesisFile(layout.genesisFile);
    const matches =
      genesis.authorities.length === layout.nodes.length &&
      genesis.authorities.every((a, i) => a.id === layout.nodes[i].id && a.publicKey === keys[i].publicKey);
    if (!matches) {
      throw new Error(
        `${layout.genesisFile} does not list the ${layout.nodes.length} keys of ${layout.dir} (was the devnet created with other keys or another size?); start over with --fresh`,
      );
    }
    if (genesis.slotDurationMs !== slotMs)
      notes.push(`reusing the genesis: slots are ${genesis.slotDurationMs} ms (a new --slot-ms needs --fresh)`);
    if (genesis.chainId !== chainId) notes.push(`reusing the genesis: chain id is ${genesis.chainId}`);
    return { ...layout, genesis, created: false, notes };
  }

  const genesis = buildGenesis({
    authority: layout.nodes.map((n, i) => `${n.id}:${keys[i].publicKey}`),
    chainId,
    slotMs,
    genesisTime: `now+${genesisDelayMs}`,
    quorum,
  });
  for (const n of layout.nodes) rmSync(n.dataDir, { recursive: true, force: true });
  writeGenesisFile(layout.genesisFile, genesis);
  return { ...layout, genesis, created: true, notes };
}
