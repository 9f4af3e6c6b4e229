/**
 * Configuration of `poa-validator start`: flags and environment variables (a flag wins over its
 * variable, a variable over the default), validated once into NodeOptions. Every problem is
 * reported together, each naming the setting and where its value came from.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { isHex, keyPairFromSeed, type Authority, type Hex } from '@poa-vote/shared';
import { z } from 'zod';
import { defaultNodeOptions, type NodeOptions } from '../node/options.js';
import { DEFAULT_VOTER_CACHE_BYTES } from '../state/voterCache.js';
import { DEFAULT_MAX_OPEN_FILES, MIN_MAX_OPEN_FILES } from '../db/chainDb.js';
import { defaultApiLimits } from '../api/options.js';
import { LOG_LEVELS } from '../util/logger.js';
import { CliError, ConfigError, type ConfigProblem } from './errors.js';
import { DEFAULT_HEAP_GROWING_PERCENT, MAX_HEAP_GROWING_PERCENT } from './heapTuning.js';
import { readGenesisFile } from './genesisBuilder.js';
import { readKeyFile } from './keyFile.js';
import { ApiTokensFileError } from '../api/auth/apiTokens.js';
import { readApiTokensFile } from '../api/auth/apiTokenFile.js';

/** Flags of `start` as commander hands them over: strings, undefined when not given. */
export interface StartFlags {
  genesis?: string;
  key?: string;
  dataDir?: string;
  rpcHost?: string;
  rpcPort?: string;
  p2pHost?: string;
  p2pPort?: string;
  peers?: string;
  logLevel?: string;
  maxBodyBytes?: string;
  maxPoolSize?: string;
  maxPoolBytes?: string;
  voterCacheBytes?: string;
  dbMaxOpenFiles?: string;
  ballotWorkers?: string;
  trusteeDir?: string;
  ackMode?: string;
  ackTimeoutMs?: string;
  emptyBlockIntervalSlots?: string;
  heapGrowingPercent?: string;
  syncMode?: string;
  snapshotMinHeight?: string;
  clockSkewMs?: string;
  // API limits (api/options.ts)
  rpcVhosts?: string;
  rpcCorsOrigins?: string;
  rpcMaxBatchItems?: string;
  rpcMaxResponseBytes?: string;
  rpcMaxIdBytes?: string;
  rpcMaxJsonDepth?: string;
  rpcMaxPendingBytes?: string;
  rpcHeapLimitPercent?: string;
  rpcYieldEveryMs?: string;
  httpMaxConnections?: string;
  httpMaxPipelined?: string;
  httpHeadersTimeoutMs?: string;
  httpRequestTimeoutMs?: string;
  httpKeepAliveTimeoutMs?: string;
  wsMaxConnections?: string;
  wsMaxConnectionsPerIp?: string;
  wsMaxBufferedBytes?: string;
  wsMaxInFlight?: string;
  wsStallMs?: string;
  apiTokensFile?: string;
  /** A switch: commander hands over true when it is given. */
  insecureOpenWrites?: boolean | string;
  writeRatePerCredential?: string;
  writeBurstPerCredential?: string;
  writeRatePerAddress?: string;
  writeBurstPerAddress?: string;
}

/** Environment variables as in process.env; empty values count as unset. */
export type Env = Record<string, string | undefined>;

interface SettingSpec {
  flag?: string;
  env: string;
  default?: string;
}

/** Every setting of `start`: its flag, its environment variable and its default. */
export const START_SETTINGS = {
  genesis: { flag: '--genesis', env: 'POA_GENESIS' },
  key: { flag: '--key', env: 'POA_KEY_FILE' },
  // Environment only: a key on the command line would show in `ps` and shell history.
  privateKey: { env: 'POA_PRIVATE_KEY' },
  dataDir: { flag: '--data-dir', env: 'POA_DATA_DIR', default: defaultNodeOptions.dataDir },
  rpcHost: { flag: '--rpc-host', env: 'POA_RPC_HOST', default: defaultNodeOptions.rpcHost },
  rpcPort: { flag: '--rpc-port', env: 'POA_RPC_PORT', default: String(defaultNodeOptions.rpcPort) },
  p2pHost: { flag: '--p2p-host', env: 'POA_P2P_HOST', default: defaultNodeOptions.p2pHost },
  p2pPort: { flag: '--p2p-port', env: 'POA_P2P_PORT', default: String(defaultNodeOptions.p2pPort) },
  peers: { flag: '--peers', env: 'POA_PEERS', default: defaultNodeOptions.peers.join(',') },
  logLevel: { flag: '--log-level', env: 'POA_LOG_LEVEL', default: defaultNodeOptions.logLevel },
  maxBodyBytes: {
    flag: '--max-body-bytes',
    env: 'POA_MAX_BODY_BYTES',
    default: String(defaultNodeOptions.maxBodyBytes),
  },
  maxPoolSize: { flag: '--max-pool-size', env: 'POA_MAX_POOL_SIZE', default: String(defaultNodeOptions.maxPoolSize) },
  maxPoolBytes: {
    flag: '--max-pool-bytes',
    env: 'POA_MAX_POOL_BYTES',
    default: String(defaultNodeOptions.maxPoolBytes),
  },
  voterCacheBytes: {
    flag: '--voter-cache-bytes',
    env: 'POA_VOTER_CACHE_BYTES',
    default: String(DEFAULT_VOTER_CACHE_BYTES),
  },
  dbMaxOpenFiles: {
    flag: '--db-max-open-files',
    env: 'POA_DB_MAX_OPEN_FILES',
    default: String(DEFAULT_MAX_OPEN_FILES),
  },
  ackMode: { flag: '--ack-mode', env: 'POA_ACK_MODE', default: defaultNodeOptions.ackMode },
  syncMode: { flag: '--sync-mode', env: 'POA_SYNC_MODE', default: defaultNodeOptions.syncMode },
  snapshotMinHeight: {
    flag: '--snapshot-min-height',
    env: 'POA_SNAPSHOT_MIN_HEIGHT',
    default: String(defaultNodeOptions.snapshotMinHeight),
  },
  ackTimeoutMs: {
    flag: '--ack-timeout-ms',
    env: 'POA_ACK_TIMEOUT_MS',
    default: String(defaultNodeOptions.ackTimeoutMs),
  },
  emptyBlockIntervalSlots: {
    flag: '--empty-block-interval-slots',
    env: 'POA_EMPTY_BLOCK_INTERVAL_SLOTS',
    default: String(defaultNodeOptions.emptyBlockIntervalSlots),
  },
  heapGrowingPercent: {
    flag: '--heap-growing-percent',
    env: 'POA_HEAP_GROWING_PERCENT',
    default: String(DEFAULT_HEAP_GROWING_PERCENT),
  },
  clockSkewMs: { flag: '--clock-skew-ms', env: 'POA_CLOCK_SKEW_MS', default: String(defaultNodeOptions.clockSkewMs) },
  // API limits (api/options.ts, docs/SECURITY.md)
  rpcVhosts: { flag: '--rpc-vhosts', env: 'POA_RPC_VHOSTS', default: defaultApiLimits.vhosts.join(',') },
  rpcCorsOrigins: {
    flag: '--rpc-cors-origins',
    env: 'POA_RPC_CORS_ORIGINS',
    default: defaultApiLimits.corsOrigins.join(','),
  },
  rpcMaxBatchItems: {
    flag: '--rpc-max-batch-items',
    env: 'POA_RPC_MAX_BATCH_ITEMS',
    default: String(defaultApiLimits.maxBatchItems),
  },
  rpcMaxResponseBytes: {
    flag: '--rpc-max-response-bytes',
    env: 'POA_RPC_MAX_RESPONSE_BYTES',
    default: String(defaultApiLimits.maxResponseBytes),
  },
  rpcMaxIdBytes: {
    flag: '--rpc-max-id-bytes',
    env: 'POA_RPC_MAX_ID_BYTES',
    default: String(defaultApiLimits.maxIdBytes),
  },
  rpcMaxJsonDepth: {
    flag: '--rpc-max-json-depth',
    env: 'POA_RPC_MAX_JSON_DEPTH',
    default: String(defaultApiLimits.maxJsonDepth),
  },
  rpcMaxPendingBytes: {
    flag: '--rpc-max-pending-bytes',
    env: 'POA_RPC_MAX_PENDING_BYTES',
    default: String(defaultApiLimits.maxPendingResponseBytes),
  },
  rpcHeapLimitPercent: {
    flag: '--rpc-heap-limit-percent',
    env: 'POA_RPC_HEAP_LIMIT_PERCENT',
    default: String(defaultApiLimits.heapLimitPercent),
  },
  rpcYieldEveryMs: {
    flag: '--rpc-yield-every-ms',
    env: 'POA_RPC_YIELD_EVERY_MS',
    default: String(defaultApiLimits.yieldEveryMs),
  },
  httpMaxConnections: {
    flag: '--http-max-connections',
    env: 'POA_HTTP_MAX_CONNECTIONS',
    default: String(defaultApiLimits.httpMaxConnections),
  },
  httpMaxPipelined: {
    flag: '--http-max-pipelined',
    env: 'POA_HTTP_MAX_PIPELINED',
    default: String(defaultApiLimits.httpMaxPipelined),
  },
  httpHeadersTimeoutMs: {
    flag: '--http-headers-timeout-ms',
    env: 'POA_HTTP_HEADERS_TIMEOUT_MS',
    default: String(defaultApiLimits.httpHeadersTimeoutMs),
  },
  httpRequestTimeoutMs: {
    flag: '--http-request-timeout-ms',
    env: 'POA_HTTP_REQUEST_TIMEOUT_MS',
    default: String(defaultApiLimits.httpRequestTimeoutMs),
  },
  httpKeepAliveTimeoutMs: {
    flag: '--http-keep-alive-timeout-ms',
    env: 'POA_HTTP_KEEP_ALIVE_TIMEOUT_MS',
    default: String(defaultApiLimits.httpKeepAliveTimeoutMs),
  },
  wsMaxConnections: {
    flag: '--ws-max-connections',
    env: 'POA_WS_MAX_CONNECTIONS',
    default: String(defaultApiLimits.wsMaxConnections),
  },
  wsMaxConnectionsPerIp: {
    flag: '--ws-max-connections-per-ip',
    env: 'POA_WS_MAX_CONNECTIONS_PER_IP',
    default: String(defaultApiLimits.wsMaxConnectionsPerIp),
  },
  wsMaxBufferedBytes: {
    flag: '--ws-max-buffered-bytes',
    env: 'POA_WS_MAX_BUFFERED_BYTES',
    default: String(defaultApiLimits.wsMaxBufferedBytes),
  },
  wsMaxInFlight: {
    flag: '--ws-max-in-flight',
    env: 'POA_WS_MAX_IN_FLIGHT',
    default: String(defaultApiLimits.wsMaxInFlight),
  },
  wsStallMs: {
    flag: '--ws-stall-ms',
    env: 'POA_WS_STALL_MS',
    default: String(defaultApiLimits.wsStallMs),
  },
  apiTokensFile: { flag: '--api-tokens-file', env: 'POA_API_TOKENS_FILE' },
  ballotWorkers: { flag: '--ballot-workers', env: 'POA_BALLOT_WORKERS' },
  trusteeDir: { flag: '--trustee-dir', env: 'POA_TRUSTEE_DIR' },
  insecureOpenWrites: {
    flag: '--insecure-open-writes',
    env: 'POA_INSECURE_OPEN_WRITES',
    default: String(defaultNodeOptions.insecureOpenWrites),
  },
  writeRatePerCredential: {
    flag: '--write-rate-per-credential',
    env: 'POA_WRITE_RATE_PER_CREDENTIAL',
    default: String(defaultNodeOptions.writeRatePerCredential),
  },
  writeBurstPerCredential: {
    flag: '--write-burst-per-credential',
    env: 'POA_WRITE_BURST_PER_CREDENTIAL',
    default: String(defaultNodeOptions.writeBurstPerCredential),
  },
  writeRatePerAddress: {
    flag: '--write-rate-per-address',
    env: 'POA_WRITE_RATE_PER_ADDRESS',
    default: String(defaultNodeOptions.writeRatePerAddress),
  },
  writeBurstPerAddress: {
    flag: '--write-burst-per-address',
    env: 'POA_WRITE_BURST_PER_ADDRESS',
    default: String(defaultNodeOptions.writeBurstPerAddress),
  },
} as const satisfies Record<string, SettingSpec>;

type SettingName = keyof typeof START_SETTINGS;

/** A validated configuration: the node's options and the genesis authority its key belongs to. */
export interface StartConfig {
  options: NodeOptions;
  authority: Authority;
  /** V8's heap growing factor as a percentage over 1 (0: V8's own; see cli/heapTuning.ts). */
  heapGrowingPercent: number;
}

interface Picked {
  value: string | undefined;
  source: string;
}

function pick(name: SettingName, flags: StartFlags, env: Env): Picked {
  const spec: SettingSpec = START_SETTINGS[name];
  const given = name === 'privateKey' ? undefined : flags[name];
  // A switch (--insecure-open-writes) arrives as a boolean.
  const flagValue = given === true ? 'true' : given === false ? undefined : given;
  if (spec.flag && flagValue !== undefined) return { value: flagValue, source: `${spec.flag} (flag)` };
  const envValue = env[spec.env];
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: `${spec.env} (env)` };
  if (spec.default === undefined)
    return { value: undefined, source: spec.flag ? `${spec.flag} / ${spec.env}` : spec.env };
  return { value: spec.default, source: `${spec.flag ?? spec.env} (default)` };
}

type Ctx = z.RefinementCtx;

function problem(ctx: Ctx, message: string, path?: string[]): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message, ...(path ? { path } : {}) });
  return z.NEVER;
}

const required = (what: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? `is required: ${what}` : 'must be a string'),
});

function intSetting(min: number, max: number) {
  return z.string().transform((s, ctx) => {
    const text = s.trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      return problem(ctx, `must be an integer from ${min} to ${max}, got ${JSON.stringify(s)}`);
    return n;
  });
}

const hostSetting = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:%-]{1,253}$/, {
    error: (iss) => `must be a host name or IP address (e.g. 127.0.0.1 or 0.0.0.0), got ${JSON.stringify(iss.input)}`,
  });

// libp2p listens on an address, not a name.
const ipSetting = z
  .string()
  .trim()
  .refine((s) => isIP(s) !== 0, {
    error: (iss) => `must be an IPv4 or IPv6 address (e.g. 127.0.0.1 or 0.0.0.0), got ${JSON.stringify(iss.input)}`,
  });

const peersSetting = z.string().transform((s, ctx) => {
  const peers = s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  peers.forEach((p, i) => {
    try {
      if (
        !multiaddr(p)
          .getComponents()
          .some((c) => c.name === 'tcp')
      )
        throw new Error('it has no /tcp/<port>');
    } catch (err) {
      problem(
        ctx,
        `peer ${i + 1} ${JSON.stringify(p)} is not a TCP multiaddr such as /ip4/127.0.0.1/tcp/30304 (${(err as Error).message})`,
      );
    }
  });
  return peers;
});

const dataDirSetting = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .transform((s, ctx) => {
    const path = resolve(s);
    try {
      if (!statSync(path).isDirectory()) return problem(ctx, `${path} exists and is not a directory`);
    } catch (err) {
      // A missing directory is fine: the node creates it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        return problem(ctx, `cannot use ${path}: ${(err as Error).message}`);
    }
    return path;
  });

const genesisSetting = z.string(required("the path of the chain's genesis.json")).transform((path, ctx) => {
  try {
    return readGenesisFile(path);
  } catch (err) {
    if (err instanceof CliError) return problem(ctx, err.message);
    throw err;
  }
});

const keyFileSetting = z.string().transform((path, ctx): Hex => {
  try {
    return readKeyFile(path).privateKey;
  } catch (err) {
    if (err instanceof CliError) return problem(ctx, err.message);
    throw err;
  }
});

// Never echo the value: it is a secret.
const privateKeySetting = z.string().transform((s, ctx): Hex => {
  const hex = s.trim().toLowerCase();
  if (!isHex(hex, 32)) return problem(ctx, 'must be a 32-byte Ed25519 private key in 0x-hex (0x + 64 hex digits)');
  return hex;
});

// Read once here so that a bad file stops the start with exit code 2; the node reads it again.
const apiTokensFileSetting = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .transform((s, ctx) => {
    const path = resolve(s);
    try {
      readApiTokensFile(path);
    } catch (err) {
      if (err instanceof ApiTokensFileError) return problem(ctx, `${path}: ${err.message}`);
      throw err;
    }
    return path;
  });

const switchSetting = z.string().transform((s, ctx) => {
  const v = s.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return problem(ctx, `must be 1/true/yes/on or 0/false/no/off, got ${JSON.stringify(s)}`);
});

// A comma-separated list (host names, origins); empty items are dropped.
const listSetting = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

const missingKey = z
  .unknown()
  .transform(
    (_, ctx): Hex =>
      problem(ctx, 'is required: a key file from `poa-validator keygen`, or the 0x-hex private key in POA_PRIVATE_KEY'),
  );

function schema(keyKind: 'file' | 'hex' | 'none') {
  return z
    .object({
      genesis: genesisSetting,
      key: keyKind === 'file' ? keyFileSetting : keyKind === 'hex' ? privateKeySetting : missingKey,
      dataDir: dataDirSetting,
      rpcHost: hostSetting,
      rpcPort: intSetting(0, 65_535),
      p2pHost: ipSetting,
      p2pPort: intSetting(0, 65_535),
      peers: peersSetting,
      logLevel: z.enum(LOG_LEVELS, {
        error: (iss) => `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(iss.input)}`,
      }),
      maxBodyBytes: intSetting(1024, 1 << 30),
      maxPoolSize: intSetting(1, 10_000_000),
      maxPoolBytes: intSetting(64 * 1024, 16 * 1024 * 1024 * 1024),
      voterCacheBytes: intSetting(0, 16 * 1024 * 1024 * 1024),
      dbMaxOpenFiles: intSetting(MIN_MAX_OPEN_FILES, 50_000),
      ackMode: z.enum(['quorum', 'local'], {
        error: (iss) => `must be quorum or local, got ${JSON.stringify(iss.input)}`,
      }),
      ackTimeoutMs: intSetting(10, 600_000),
      emptyBlockIntervalSlots: intSetting(1, 86_400),
      heapGrowingPercent: intSetting(0, MAX_HEAP_GROWING_PERCENT),
      syncMode: z.enum(['snapshot', 'full'], {
        error: (iss) => `must be snapshot or full, got ${JSON.stringify(iss.input)}`,
      }),
      snapshotMinHeight: intSetting(1, Number.MAX_SAFE_INTEGER),
      clockSkewMs: intSetting(-3_600_000, 3_600_000),
      rpcVhosts: listSetting,
      rpcCorsOrigins: listSetting,
      rpcMaxBatchItems: intSetting(1, 1_000_000),
      rpcMaxResponseBytes: intSetting(1024, 1 << 30),
      rpcMaxIdBytes: intSetting(8, 1 << 20),
      rpcMaxJsonDepth: intSetting(4, 10_000),
      rpcMaxPendingBytes: intSetting(1024 * 1024, 64 * 1024 * 1024 * 1024),
      rpcHeapLimitPercent: intSetting(10, 100),
      rpcYieldEveryMs: intSetting(1, 10_000),
      httpMaxConnections: intSetting(1, 1_000_000),
      httpMaxPipelined: intSetting(1, 1_000_000),
      httpHeadersTimeoutMs: intSetting(100, 3_600_000),
      httpRequestTimeoutMs: intSetting(100, 3_600_000),
      httpKeepAliveTimeoutMs: intSetting(100, 3_600_000),
      wsMaxConnections: intSetting(1, 1_000_000),
      wsMaxConnectionsPerIp: intSetting(1, 1_000_000),
      wsMaxBufferedBytes: intSetting(64 * 1024, 1 << 30),
      wsMaxInFlight: intSetting(1, 10_000),
      wsStallMs: intSetting(1_000, 3_600_000),
      apiTokensFile: apiTokensFileSetting.optional(),
      ballotWorkers: intSetting(0, 256).optional(),
      trusteeDir: z.string().min(1, 'must be a directory path').optional(),
      insecureOpenWrites: switchSetting,
      writeRatePerCredential: intSetting(0, 100_000_000),
      writeBurstPerCredential: intSetting(1, 100_000_000),
      writeRatePerAddress: intSetting(0, 100_000_000),
      writeBurstPerAddress: intSetting(1, 100_000_000),
    })
    .transform((c, ctx): StartConfig => {
      const { publicKey } = keyPairFromSeed(c.key);
      const authority = c.genesis.authorities.find((a) => a.publicKey === publicKey);
      if (!authority) {
        const ids = c.genesis.authorities.map((a) => a.id).join(', ');
        return problem(
          ctx,
          `the key's public key ${publicKey} is not a genesis authority (authorities: ${ids}); use the key of one of them or a genesis that lists this key`,
          ['key'],
        );
      }
      if (c.rpcPort !== 0 && c.rpcPort === c.p2pPort && c.rpcHost === c.p2pHost) {
        return problem(ctx, `is the same as the RPC port ${c.rpcPort}; the two listeners need different ports`, [
          'p2pPort',
        ]);
      }
      if (c.maxBodyBytes < c.genesis.limits.maxTxBytes) {
        return problem(
          ctx,
          `must be at least the genesis limit limits.maxTxBytes (${c.genesis.limits.maxTxBytes}), or no transaction could be submitted`,
          ['maxBodyBytes'],
        );
      }
      if (c.apiTokensFile === undefined && !c.insecureOpenWrites) {
        return problem(
          ctx,
          'writes need credentials: set --api-tokens-file / POA_API_TOKENS_FILE to a file of name:token lines, ' +
            'or accept unauthenticated writes explicitly with --insecure-open-writes / POA_INSECURE_OPEN_WRITES=1 (devnets, tests)',
          ['apiTokensFile'],
        );
      }
      const options: NodeOptions = {
        genesis: c.genesis,
        privateKey: c.key,
        dataDir: c.dataDir,
        rpcHost: c.rpcHost,
        rpcPort: c.rpcPort,
        p2pHost: c.p2pHost,
        p2pPort: c.p2pPort,
        peers: c.peers,
        clockSkewMs: c.clockSkewMs,
        apiLimits: {
          vhosts: c.rpcVhosts,
          corsOrigins: c.rpcCorsOrigins,
          maxBatchItems: c.rpcMaxBatchItems,
          maxResponseBytes: c.rpcMaxResponseBytes,
          maxIdBytes: c.rpcMaxIdBytes,
          maxJsonDepth: c.rpcMaxJsonDepth,
          maxPendingResponseBytes: c.rpcMaxPendingBytes,
          heapLimitPercent: c.rpcHeapLimitPercent,
          yieldEveryMs: c.rpcYieldEveryMs,
          httpMaxConnections: c.httpMaxConnections,
          httpMaxPipelined: c.httpMaxPipelined,
          httpHeadersTimeoutMs: c.httpHeadersTimeoutMs,
          httpRequestTimeoutMs: c.httpRequestTimeoutMs,
          httpKeepAliveTimeoutMs: c.httpKeepAliveTimeoutMs,
          wsMaxConnections: c.wsMaxConnections,
          wsMaxConnectionsPerIp: c.wsMaxConnectionsPerIp,
          wsMaxBufferedBytes: c.wsMaxBufferedBytes,
          wsMaxInFlight: c.wsMaxInFlight,
          wsStallMs: c.wsStallMs,
        },
        ...(c.apiTokensFile !== undefined ? { apiTokensFile: c.apiTokensFile } : {}),
        ...(c.ballotWorkers !== undefined ? { ballotWorkers: c.ballotWorkers } : {}),
        ...(c.trusteeDir !== undefined ? { trusteeDir: c.trusteeDir } : {}),
        insecureOpenWrites: c.insecureOpenWrites,
        writeRatePerCredential: c.writeRatePerCredential,
        writeBurstPerCredential: c.writeBurstPerCredential,
        writeRatePerAddress: c.writeRatePerAddress,
        writeBurstPerAddress: c.writeBurstPerAddress,
        maxBodyBytes: c.maxBodyBytes,
        maxPoolSize: c.maxPoolSize,
        maxPoolBytes: c.maxPoolBytes,
        voterCacheBytes: c.voterCacheBytes,
        dbMaxOpenFiles: c.dbMaxOpenFiles,
        ackMode: c.ackMode,
        ackTimeoutMs: c.ackTimeoutMs,
        emptyBlockIntervalSlots: c.emptyBlockIntervalSlots,
        syncMode: c.syncMode,
        snapshotMinHeight: c.snapshotMinHeight,
        logLevel: c.logLevel,
      };
      return { options, authority, heapGrowingPercent: c.heapGrowingPercent };
    });
}

/**
 * Resolve and validate the configuration of `start` from flags and environment.
 * Throws ConfigError listing every bad setting with its source (exit code 2).
 */
export function loadStartConfig(flags: StartFlags, env: Env = process.env): StartConfig {
  const sources: Record<string, string> = {};
  const raw: Record<string, string | undefined> = {};
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(START_SETTINGS) as SettingName[]) {
    if (name === 'key' || name === 'privateKey') continue;
    const p = pick(name, flags, env);
    raw[name] = p.value;
    sources[name] = p.source;
  }

  // The key comes from exactly one place: --key, else POA_KEY_FILE or POA_PRIVATE_KEY (not both).
  const keyFile = pick('key', flags, env);
  const privateKey = pick('privateKey', flags, env);
  let keyKind: 'file' | 'hex' | 'none' = 'none';
  sources.key = '--key / POA_KEY_FILE / POA_PRIVATE_KEY';
  if (keyFile.value !== undefined && keyFile.source.endsWith('(flag)')) {
    keyKind = 'file';
  } else if (keyFile.value !== undefined && privateKey.value !== undefined) {
    problems.push({
      setting: 'key',
      source: 'POA_KEY_FILE and POA_PRIVATE_KEY (env)',
      message: 'both are set; set only one of them (or pass --key)',
    });
  } else if (keyFile.value !== undefined) {
    keyKind = 'file';
  } else if (privateKey.value !== undefined) {
    keyKind = 'hex';
  }
  if (keyKind === 'file') {
    raw.key = keyFile.value;
    sources.key = keyFile.source;
  } else if (keyKind === 'hex') {
    raw.key = privateKey.value;
    sources.key = privateKey.source;
  }

  const result = schema(keyKind).safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const setting = String(issue.path[0] ?? 'config');
      // A missing key is already explained when both env variables were set.
      if (setting === 'key' && problems.some((p) => p.setting === 'key')) continue;
      problems.push({ setting, source: sources[setting] ?? setting, message: issue.message });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  // Trustee secrets of encrypted elections live beside the key file (a wiped data directory keeps them).
  if (keyKind === 'file' && typeof raw.key === 'string' && result.data.options.trusteeDir === undefined)
    result.data.options.trusteeDir = `${raw.key}.trustee`;
  return result.data;
}
