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
import { LOG_LEVELS } from '../util/logger.js';
import { CliError, ConfigError, type ConfigProblem } from './errors.js';
import { readGenesisFile } from './genesisBuilder.js';
import { readKeyFile } from './keyFile.js';

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
  clockSkewMs?: string;
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
  maxBodyBytes: { flag: '--max-body-bytes', env: 'POA_MAX_BODY_BYTES', default: String(defaultNodeOptions.maxBodyBytes) },
  maxPoolSize: { flag: '--max-pool-size', env: 'POA_MAX_POOL_SIZE', default: String(defaultNodeOptions.maxPoolSize) },
  clockSkewMs: { flag: '--clock-skew-ms', env: 'POA_CLOCK_SKEW_MS', default: String(defaultNodeOptions.clockSkewMs) },
} as const satisfies Record<string, SettingSpec>;

type SettingName = keyof typeof START_SETTINGS;

/** A validated configuration: the node's options and the genesis authority its key belongs to. */
export interface StartConfig {
  options: NodeOptions;
  authority: Authority;
}

interface Picked {
  value: string | undefined;
  source: string;
}

function pick(name: SettingName, flags: StartFlags, env: Env): Picked {
  const spec: SettingSpec = START_SETTINGS[name];
  const flagValue = name === 'privateKey' ? undefined : flags[name];
  if (spec.flag && flagValue !== undefined) return { value: flagValue, source: `${spec.flag} (flag)` };
  const envValue = env[spec.env];
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: `${spec.env} (env)` };
  if (spec.default === undefined) return { value: undefined, source: spec.flag ? `${spec.flag} / ${spec.env}` : spec.env };
  return { value: spec.default, source: `${spec.flag ?? spec.env} (default)` };
}

type Ctx = z.RefinementCtx;

function problem(ctx: Ctx, message: string, path?: string[]): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message, ...(path ? { path } : {}) });
  return z.NEVER;
}

const required = (what: string) => ({ error: (iss: { input?: unknown }) => (iss.input === undefined ? `is required: ${what}` : 'must be a string') });

function intSetting(min: number, max: number) {
  return z.string().transform((s, ctx) => {
    const text = s.trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) return problem(ctx, `must be an integer from ${min} to ${max}, got ${JSON.stringify(s)}`);
    return n;
  });
}

const hostSetting = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:%-]{1,253}$/, { error: (iss) => `must be a host name or IP address (e.g. 127.0.0.1 or 0.0.0.0), got ${JSON.stringify(iss.input)}` });

// libp2p listens on an address, not a name.
const ipSetting = z
  .string()
  .trim()
  .refine((s) => isIP(s) !== 0, { error: (iss) => `must be an IPv4 or IPv6 address (e.g. 127.0.0.1 or 0.0.0.0), got ${JSON.stringify(iss.input)}` });

const peersSetting = z.string().transform((s, ctx) => {
  const peers = s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  peers.forEach((p, i) => {
    try {
      if (!multiaddr(p).getComponents().some((c) => c.name === 'tcp')) throw new Error('it has no /tcp/<port>');
    } catch (err) {
      problem(ctx, `peer ${i + 1} ${JSON.stringify(p)} is not a TCP multiaddr such as /ip4/127.0.0.1/tcp/30304 (${(err as Error).message})`);
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
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return problem(ctx, `cannot use ${path}: ${(err as Error).message}`);
    }
    return path;
  });

const genesisSetting = z.string(required('the path of the chain\'s genesis.json')).transform((path, ctx) => {
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

const missingKey = z.unknown().transform((_, ctx): Hex => problem(ctx, 'is required: a key file from `poa-validator keygen`, or the 0x-hex private key in POA_PRIVATE_KEY'));

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
      logLevel: z.enum(LOG_LEVELS, { error: (iss) => `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(iss.input)}` }),
      maxBodyBytes: intSetting(1024, 1 << 30),
      maxPoolSize: intSetting(1, 10_000_000),
      clockSkewMs: intSetting(-3_600_000, 3_600_000),
    })
    .transform((c, ctx): StartConfig => {
      const { publicKey } = keyPairFromSeed(c.key);
      const authority = c.genesis.authorities.find((a) => a.publicKey === publicKey);
      if (!authority) {
        const ids = c.genesis.authorities.map((a) => a.id).join(', ');
        return problem(ctx, `the key's public key ${publicKey} is not a genesis authority (authorities: ${ids}); use the key of one of them or a genesis that lists this key`, ['key']);
      }
      if (c.rpcPort !== 0 && c.rpcPort === c.p2pPort && c.rpcHost === c.p2pHost) {
        return problem(ctx, `is the same as the RPC port ${c.rpcPort}; the two listeners need different ports`, ['p2pPort']);
      }
      if (c.maxBodyBytes < c.genesis.limits.maxTxBytes) {
        return problem(ctx, `must be at least the genesis limit limits.maxTxBytes (${c.genesis.limits.maxTxBytes}), or no transaction could be submitted`, ['maxBodyBytes']);
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
        maxBodyBytes: c.maxBodyBytes,
        maxPoolSize: c.maxPoolSize,
        logLevel: c.logLevel,
      };
      return { options, authority };
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
    problems.push({ setting: 'key', source: 'POA_KEY_FILE and POA_PRIVATE_KEY (env)', message: 'both are set; set only one of them (or pass --key)' });
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
  return result.data;
}
