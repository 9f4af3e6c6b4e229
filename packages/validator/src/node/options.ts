/** Options of a validator node; validated once at start-up by the CLI (cli/config.ts). */
import type { Genesis, Hex } from '@poa-vote/shared';
import type { ApiLimits } from '../api/options.js';

export interface NodeOptions {
  /** The chain's genesis (already validated with parseGenesis). */
  genesis: Genesis;
  /** This validator's Ed25519 private key (32-byte seed, 0x-hex); must match a genesis authority. */
  privateKey: Hex;
  /** Directory of the LevelDB database and node files. */
  dataDir: string;
  /**
   * Directory of this validator's trustee secrets of encrypted elections (never on chain); the CLI
   * puts it beside the key file. Unset: `<dataDir>/trustee`.
   */
  trusteeDir?: string;
  /**
   * Worker threads that check encrypted ballots' proofs before the core steps needing them; 0
   * leaves it to the core (on the event loop). Unset: every core but one, at least one.
   */
  ballotWorkers?: number;
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
  /** Most bytes of transactions held in the pool (canonical sizes). */
  maxPoolBytes: number;
  /**
   * Bytes (estimated) of the one-vote index kept in memory beyond what the pool and the blocks
   * being decided need; the index itself is on disk. Unset: 8 MiB (state/voterCache.ts).
   */
  voterCacheBytes?: number;
  /** Most files LevelDB keeps open (its open tables' indexes and filters stay in memory). Unset: 128 (db/chainDb.ts). */
  dbMaxOpenFiles?: number;
  /**
   * When `eth_sendTransaction` answers: `quorum` (default) once a quorum of validators hold the
   * vote on disk; `local` once this validator does (the old behaviour: a vote acknowledged this
   * way is lost if this validator's disk is lost before gossip lands; kept for comparison).
   */
  ackMode: 'quorum' | 'local';
  /** Longest wait for a quorum before answering -32012 (the vote stays pooled and safe to resubmit), ms. */
  ackTimeoutMs: number;
  /**
   * A leader with nothing to propose makes an empty block only once the last block is this many
   * slots old (1: a block every slot). See ConsensusOptions.emptyBlockIntervalSlots.
   */
  emptyBlockIntervalSlots: number;
  /**
   * How a node with an empty data directory catches up: `snapshot` takes a peer's state at its
   * finalized head, verified against a finalized header's stateRoot, then backfills the blocks
   * (node/snapshotSync.ts); `full` replays every block. Ignored for a genesis with an
   * electionOperator (the election registry is rebuilt from the chain: always full).
   */
  syncMode: 'snapshot' | 'full';
  /** Snapshot sync only when a peer's head is at least this high (else replay). */
  snapshotMinHeight: number;
  /** Log level for pino: fatal, error, warn, info, debug, trace, silent. */
  logLevel: string;
  /** Limits of the API server (batch, reply, connection and buffer sizes, browser checks); unset: defaultApiLimits. */
  apiLimits?: Partial<ApiLimits>;
  /** File of API tokens (one `name:token` per line) a write must present as `Authorization: Bearer`. */
  apiTokensFile?: string;
  /** Accept writes without a credential (devnet, tests, seed-compatible mode): insecure. */
  insecureOpenWrites?: boolean;
  /** Votes per second per API token (0: unlimited). */
  writeRatePerCredential?: number;
  /** Most votes an API token may send at once. */
  writeBurstPerCredential?: number;
  /** Votes per second per client address, for writes without a credential (0: unlimited). */
  writeRatePerAddress?: number;
  /** Most votes an address may send at once without a credential. */
  writeBurstPerAddress?: number;
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
  maxPoolBytes: 64 * 1024 * 1024,
  ackMode: 'quorum' as 'quorum' | 'local',
  ackTimeoutMs: 3_000,
  emptyBlockIntervalSlots: 1,
  syncMode: 'full' as 'snapshot' | 'full',
  snapshotMinHeight: 64,
  logLevel: 'info',
  insecureOpenWrites: false,
  writeRatePerCredential: 5000,
  writeBurstPerCredential: 10_000,
  writeRatePerAddress: 200,
  writeBurstPerAddress: 400,
} satisfies Partial<NodeOptions>;
