/** Options of a validator node; validated once at start-up by the CLI (cli/config.ts). */
import type { Genesis, Hex } from '@poa-vote/shared';

export interface NodeOptions {
  /** The chain's genesis (already validated with parseGenesis). */
  genesis: Genesis;
  /** This validator's Ed25519 private key (32-byte seed, 0x-hex); must match a genesis authority. */
  privateKey: Hex;
  /** Directory of the LevelDB database and node files. */
  dataDir: string;
  /** HTTP/JSON-RPC/WebSocket listen address. */
  rpcHost: string;
  /** 0 picks an ephemeral port (tests); the bound port is reported by `ValidatorNode.rpcPort`. */
  rpcPort: number;
  /** libp2p TCP listen address. */
  p2pHost: string;
  p2pPort: number;
  /** Bootstrap peers as multiaddrs, e.g. /ip4/127.0.0.1/tcp/30304 (peer ids are derived from genesis). */
  peers: string[];
  /** Test-only clock offset in ms added to the wall clock (clock-skew fault tests). */
  clockSkewMs: number;
  /** Largest HTTP request body, bytes. */
  maxBodyBytes: number;
  /** Most transactions held in the pool. */
  maxPoolSize: number;
  /** Log level for pino: fatal, error, warn, info, debug, trace, silent. */
  logLevel: string;
}

export const defaultNodeOptions = {
  dataDir: './data',
  rpcHost: '127.0.0.1',
  rpcPort: 8001,
  p2pHost: '127.0.0.1',
  p2pPort: 30303,
  peers: [] as string[],
  clockSkewMs: 0,
  maxBodyBytes: 8 * 1024 * 1024,
  maxPoolSize: 200_000,
  logLevel: 'info',
} satisfies Partial<NodeOptions>;
