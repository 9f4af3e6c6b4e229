import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPair, type Genesis, type KeyPair } from '@poa-vote/shared';
import { loadStartConfig, type StartFlags } from '../../../src/cli/config.js';
import { ConfigError } from '../../../src/cli/errors.js';
import { buildGenesis, writeGenesisFile } from '../../../src/cli/genesisBuilder.js';
import { createKeyFile } from '../../../src/cli/keyFile.js';

let dir: string;
let genesisPath: string;
let keyPath: string;
let outsiderKeyPath: string;
let keys: KeyPair[];
let genesis: Genesis;

/** loadStartConfig with open writes (the write-access choice has tests of its own below). */
function loadOpen(flags: StartFlags, env: Record<string, string> = {}) {
  return loadStartConfig({ insecureOpenWrites: true, ...flags }, env);
}

/** The ConfigError thrown by loadStartConfig (fails the test if it does not throw one). */
function configError(flags: StartFlags, env: Record<string, string> = {}): ConfigError {
  try {
    loadStartConfig(flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poa-cli-config-'));
  keys = [];
  for (let i = 1; i <= 3; i++) keys.push(createKeyFile(join(dir, 'keys', `validator-${i}.json`)).keyPair);
  genesis = buildGenesis({ keysDir: join(dir, 'keys'), chainId: '1337', genesisTime: '1700000000000' });
  genesisPath = join(dir, 'genesis.json');
  writeGenesisFile(genesisPath, genesis);
  keyPath = join(dir, 'keys', 'validator-2.json');
  outsiderKeyPath = join(dir, 'outsider.json');
  createKeyFile(outsiderKeyPath);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadStartConfig', () => {
  it('builds NodeOptions from a good configuration, with defaults for what is not set', () => {
    const { options, authority } = loadOpen({ genesis: genesisPath, key: keyPath }, {});
    expect(authority.id).toBe('validator-2');
    expect(options.privateKey).toBe(keys[1]!.privateKey);
    expect(options.genesis).toEqual(genesis);
    expect(options).toMatchObject({
      dataDir: resolve('./data'),
      rpcHost: '127.0.0.1',
      rpcPort: 8001,
      p2pHost: '127.0.0.1',
      p2pPort: 30303,
      peers: [],
      clockSkewMs: 0,
      maxBodyBytes: 8 * 1024 * 1024,
      maxPoolSize: 200_000,
      logLevel: 'info',
    });
  });

  it('parses every flag', () => {
    const { options } = loadOpen(
      {
        genesis: genesisPath,
        key: keyPath,
        dataDir: join(dir, 'data-2'),
        rpcHost: '0.0.0.0',
        rpcPort: '8002',
        p2pHost: '0.0.0.0',
        p2pPort: '30304',
        peers: '/ip4/127.0.0.1/tcp/30303, /dns4/validator-3/tcp/30305,',
        logLevel: 'debug',
        maxBodyBytes: '65536',
        maxPoolSize: '1000',
        clockSkewMs: '-250',
      },
      {},
    );
    expect(options).toMatchObject({
      dataDir: join(dir, 'data-2'),
      rpcHost: '0.0.0.0',
      rpcPort: 8002,
      p2pHost: '0.0.0.0',
      p2pPort: 30304,
      peers: ['/ip4/127.0.0.1/tcp/30303', '/dns4/validator-3/tcp/30305'],
      logLevel: 'debug',
      maxBodyBytes: 65536,
      maxPoolSize: 1000,
      clockSkewMs: -250,
    });
  });

  it('reads every setting from the environment', () => {
    const { options, authority } = loadOpen(
      {},
      {
        POA_GENESIS: genesisPath,
        POA_KEY_FILE: keyPath,
        POA_DATA_DIR: join(dir, 'env-data'),
        POA_RPC_HOST: '0.0.0.0',
        POA_RPC_PORT: '9001',
        POA_P2P_HOST: '0.0.0.0',
        POA_P2P_PORT: '9002',
        POA_PEERS: '/ip4/10.0.0.1/tcp/30303',
        POA_LOG_LEVEL: 'warn',
        POA_MAX_BODY_BYTES: '20000',
        POA_MAX_POOL_SIZE: '5',
        POA_CLOCK_SKEW_MS: '100',
      },
    );
    expect(authority.id).toBe('validator-2');
    expect(options).toMatchObject({
      dataDir: join(dir, 'env-data'),
      rpcPort: 9001,
      p2pPort: 9002,
      peers: ['/ip4/10.0.0.1/tcp/30303'],
      logLevel: 'warn',
      maxBodyBytes: 20000,
      maxPoolSize: 5,
      clockSkewMs: 100,
    });
  });

  it('lets a flag win over its environment variable, and the variable over the default', () => {
    const env = {
      POA_GENESIS: genesisPath,
      POA_KEY_FILE: join(dir, 'keys', 'validator-3.json'),
      POA_RPC_PORT: '9001',
      POA_P2P_PORT: '9002',
    };
    const { options, authority } = loadOpen({ key: keyPath, rpcPort: '8002' }, env);
    expect(options.rpcPort).toBe(8002);
    expect(options.p2pPort).toBe(9002);
    expect(authority.id).toBe('validator-2');
  });

  it('treats empty environment variables as unset', () => {
    const { options } = loadOpen({ genesis: genesisPath, key: keyPath }, { POA_RPC_PORT: '', POA_PEERS: '' });
    expect(options.rpcPort).toBe(8001);
    expect(options.peers).toEqual([]);
  });

  it('takes the private key from POA_PRIVATE_KEY', () => {
    const { authority, options } = loadOpen({ genesis: genesisPath }, { POA_PRIVATE_KEY: keys[2]!.privateKey });
    expect(authority.id).toBe('validator-3');
    expect(options.privateKey).toBe(keys[2]!.privateKey);
  });

  it('prefers --key over POA_PRIVATE_KEY', () => {
    const { authority } = loadOpen({ genesis: genesisPath, key: keyPath }, { POA_PRIVATE_KEY: keys[0]!.privateKey });
    expect(authority.id).toBe('validator-2');
  });

  it('refuses POA_KEY_FILE and POA_PRIVATE_KEY together', () => {
    const err = configError({ genesis: genesisPath }, { POA_KEY_FILE: keyPath, POA_PRIVATE_KEY: keys[0]!.privateKey });
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(/POA_KEY_FILE and POA_PRIVATE_KEY/);
  });

  it('names a key that is not a genesis authority', () => {
    const err = configError({ genesis: genesisPath, key: outsiderKeyPath });
    const outsider = JSON.parse(readFileSync(outsiderKeyPath, 'utf8')) as KeyPair;
    expect(err.problems).toEqual([
      expect.objectContaining({
        setting: 'key',
        source: '--key (flag)',
        message: expect.stringContaining(outsider.publicKey),
      }),
    ]);
    expect(err.message).toMatch(/not a genesis authority \(authorities: validator-1, validator-2, validator-3\)/);
  });

  it('requires a genesis and a key, naming where they can be set', () => {
    const err = configError({});
    expect(err.problems.map((p) => p.setting).sort()).toEqual(['genesis', 'key']);
    expect(err.message).toMatch(/--genesis \/ POA_GENESIS: is required/);
    expect(err.message).toMatch(/--key \/ POA_KEY_FILE \/ POA_PRIVATE_KEY: is required/);
  });

  const bad: [keyof StartFlags, string, string, RegExp][] = [
    ['rpcPort', '--rpc-port', 'abc', /--rpc-port \(flag\): must be an integer from 0 to 65535, got "abc"/],
    ['rpcPort', '--rpc-port', '70000', /--rpc-port \(flag\): must be an integer from 0 to 65535/],
    ['p2pPort', '--p2p-port', '-1', /--p2p-port \(flag\): must be an integer/],
    ['rpcHost', '--rpc-host', 'bad host!', /--rpc-host \(flag\): must be a host name or IP address/],
    ['p2pHost', '--p2p-host', '', /--p2p-host \(flag\): must be an IPv4 or IPv6 address/],
    ['p2pHost', '--p2p-host', 'localhost', /--p2p-host \(flag\): must be an IPv4 or IPv6 address .*got "localhost"/],
    [
      'peers',
      '--peers',
      '/ip4/127.0.0.1/tcp/1,127.0.0.1:30303',
      /--peers \(flag\): peer 2 "127.0.0.1:30303" is not a TCP multiaddr/,
    ],
    ['peers', '--peers', '/ip4/127.0.0.1', /--peers \(flag\): peer 1 "\/ip4\/127.0.0.1" is not a TCP multiaddr/],
    [
      'logLevel',
      '--log-level',
      'loud',
      /--log-level \(flag\): must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/,
    ],
    ['maxBodyBytes', '--max-body-bytes', '10', /--max-body-bytes \(flag\): must be an integer from 1024/],
    ['maxPoolSize', '--max-pool-size', '0', /--max-pool-size \(flag\): must be an integer from 1/],
    ['clockSkewMs', '--clock-skew-ms', '1.5', /--clock-skew-ms \(flag\): must be an integer/],
    ['dataDir', '--data-dir', '', /--data-dir \(flag\): must not be empty/],
  ];
  it.each(bad)('names a bad %s (%s %j)', (name, _flag, value, pattern) => {
    const err = configError({ genesis: genesisPath, key: keyPath, [name]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.setting).toBe(name);
    expect(err.message).toMatch(pattern);
    expect(err.exitCode).toBe(2);
  });

  it('names the environment variable when the bad value came from it', () => {
    const err = configError(
      { genesis: genesisPath, key: keyPath },
      { POA_RPC_PORT: 'eighty', POA_LOG_LEVEL: 'chatty' },
    );
    expect(err.problems.map((p) => p.source).sort()).toEqual(['POA_LOG_LEVEL (env)', 'POA_RPC_PORT (env)']);
  });

  it('reports every bad setting at once', () => {
    const err = configError({ genesis: genesisPath, key: keyPath, rpcPort: 'x', p2pPort: 'y', logLevel: 'z' });
    expect(err.problems.map((p) => p.setting).sort()).toEqual(['logLevel', 'p2pPort', 'rpcPort']);
  });

  it('names a missing, non-JSON or invalid genesis file', () => {
    expect(configError({ genesis: join(dir, 'nope.json'), key: keyPath }).message).toMatch(
      /--genesis \(flag\): cannot read genesis file .*nope\.json: ENOENT/,
    );
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{chainId:');
    expect(configError({ key: keyPath }, { POA_GENESIS: notJson }).message).toMatch(
      /POA_GENESIS \(env\): genesis file .*not-json\.json is not valid JSON/,
    );
    const invalid = join(dir, 'invalid-genesis.json');
    writeFileSync(invalid, JSON.stringify({ ...genesis, chainId: -4 }));
    expect(configError({ genesis: invalid, key: keyPath }).message).toMatch(
      /--genesis \(flag\): genesis file .*: invalid genesis: chainId must be a positive integer/,
    );
  });

  it('names a bad key file without echoing a private key', () => {
    const badKey = join(dir, 'bad-key.json');
    writeFileSync(badKey, JSON.stringify({ privateKey: '0x1234' }));
    const err = configError({ genesis: genesisPath, key: badKey });
    expect(err.message).toMatch(/--key \(flag\): key file .*bad-key\.json: privateKey must be 32 bytes/);
    expect(err.message).not.toContain('0x1234');

    const mismatched = join(dir, 'mismatched.json');
    writeFileSync(mismatched, JSON.stringify({ privateKey: keys[0]!.privateKey, publicKey: keys[1]!.publicKey }));
    expect(configError({ genesis: genesisPath, key: mismatched }).message).toMatch(
      /publicKey .* does not belong to its privateKey/,
    );
  });

  it('names a malformed POA_PRIVATE_KEY without echoing it', () => {
    const secret = `${keys[0]!.privateKey}ff`;
    const err = configError({ genesis: genesisPath }, { POA_PRIVATE_KEY: secret });
    expect(err.message).toMatch(/POA_PRIVATE_KEY \(env\): must be a 32-byte Ed25519 private key/);
    expect(err.message).not.toContain(secret.slice(2, 20));
  });

  it('refuses a data dir that is a file', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(configError({ genesis: genesisPath, key: keyPath, dataDir: file }).message).toMatch(
      /--data-dir \(flag\): .*a-file exists and is not a directory/,
    );
  });

  it('refuses the same port for RPC and p2p', () => {
    const err = configError({ genesis: genesisPath, key: keyPath, rpcPort: '9000', p2pPort: '9000' });
    expect(err.problems).toEqual([expect.objectContaining({ setting: 'p2pPort', source: '--p2p-port (flag)' })]);
  });

  it('refuses a body limit below the genesis transaction size limit', () => {
    const err = configError({ genesis: genesisPath, key: keyPath, maxBodyBytes: '2048' });
    expect(err.problems).toEqual([
      expect.objectContaining({ setting: 'maxBodyBytes', message: expect.stringContaining('limits.maxTxBytes') }),
    ]);
  });

  it('accepts a key file generated elsewhere (keys are independent of the test fixture)', () => {
    const kp = generateKeyPair();
    const g = buildGenesis({ authority: [`solo:${kp.publicKey}`], chainId: 7 });
    const gp = join(dir, 'solo-genesis.json');
    writeGenesisFile(gp, g);
    expect(
      loadOpen({ genesis: gp }, { POA_PRIVATE_KEY: kp.privateKey.toUpperCase().replace('0X', '0x') }).authority.id,
    ).toBe('solo');
  });
});

describe("LevelDB's open files", () => {
  it('default to 128 and are read from the flag or the environment; fewer than 74 are refused', () => {
    expect(loadOpen({ genesis: genesisPath, key: keyPath }).options.dbMaxOpenFiles).toBe(128);
    expect(loadOpen({ genesis: genesisPath, key: keyPath, dbMaxOpenFiles: '500' }).options.dbMaxOpenFiles).toBe(500);
    expect(
      loadOpen({ genesis: genesisPath, key: keyPath }, { POA_DB_MAX_OPEN_FILES: '74' }).options.dbMaxOpenFiles,
    ).toBe(74);
    const err = configError({ genesis: genesisPath, key: keyPath, insecureOpenWrites: true, dbMaxOpenFiles: '73' });
    expect(err.message).toMatch(/--db-max-open-files \(flag\)/);
  });
});

describe('the heap growing percent (a process setting)', () => {
  it("defaults to 0 (V8's own factor) and is read from the flag or the environment", () => {
    expect(loadOpen({ genesis: genesisPath, key: keyPath }).heapGrowingPercent).toBe(0);
    expect(loadOpen({ genesis: genesisPath, key: keyPath, heapGrowingPercent: '100' }).heapGrowingPercent).toBe(100);
    expect(
      loadOpen({ genesis: genesisPath, key: keyPath }, { POA_HEAP_GROWING_PERCENT: '50' }).heapGrowingPercent,
    ).toBe(50);
  });

  it('refuses a value out of range, naming the setting and where it came from', () => {
    const fromFlag = configError({
      genesis: genesisPath,
      key: keyPath,
      insecureOpenWrites: true,
      heapGrowingPercent: '401',
    });
    expect(fromFlag.message).toMatch(/--heap-growing-percent \(flag\)/);
    const fromEnv = configError(
      { genesis: genesisPath, key: keyPath, insecureOpenWrites: true },
      { POA_HEAP_GROWING_PERCENT: '-1' },
    );
    expect(fromEnv.message).toMatch(/POA_HEAP_GROWING_PERCENT \(env\)/);
  });
});

describe('write access settings', () => {
  const token = 'k'.repeat(40);

  it('refuses to start without tokens or --insecure-open-writes, naming both settings', () => {
    const err = configError({ genesis: genesisPath, key: keyPath });
    expect(err.exitCode).toBe(2);
    expect(err.problems).toEqual([
      expect.objectContaining({ setting: 'apiTokensFile', source: '--api-tokens-file / POA_API_TOKENS_FILE' }),
    ]);
    expect(err.message).toMatch(/--api-tokens-file \/ POA_API_TOKENS_FILE/);
    expect(err.message).toMatch(/--insecure-open-writes \/ POA_INSECURE_OPEN_WRITES=1/);
    expect(
      configError({ genesis: genesisPath, key: keyPath }, { POA_INSECURE_OPEN_WRITES: '0' }).problems[0]!.setting,
    ).toBe('apiTokensFile');
  });

  it('takes open writes from the flag or the environment, with the default limits', () => {
    expect(loadStartConfig({ genesis: genesisPath, key: keyPath, insecureOpenWrites: true }, {}).options).toMatchObject(
      {
        insecureOpenWrites: true,
        writeRatePerCredential: 5000,
        writeBurstPerCredential: 10_000,
        writeRatePerAddress: 200,
        writeBurstPerAddress: 400,
      },
    );
    expect(
      loadStartConfig({ genesis: genesisPath, key: keyPath }, { POA_INSECURE_OPEN_WRITES: '1' }).options
        .insecureOpenWrites,
    ).toBe(true);
    expect(configError({ genesis: genesisPath, key: keyPath }, { POA_INSECURE_OPEN_WRITES: 'maybe' }).problems).toEqual(
      [
        expect.objectContaining({
          setting: 'insecureOpenWrites',
          source: 'POA_INSECURE_OPEN_WRITES (env)',
          message: expect.stringContaining('must be 1/true'),
        }),
      ],
    );
  });

  it('reads and checks the tokens file at start, never echoing a token', () => {
    const good = join(dir, 'api.tokens');
    writeFileSync(good, `backend-1:${token}\n`, { mode: 0o600 });
    const { options } = loadStartConfig(
      {
        genesis: genesisPath,
        key: keyPath,
        apiTokensFile: good,
        writeRatePerCredential: '0',
        writeBurstPerAddress: '7',
      },
      {},
    );
    expect(options).toMatchObject({
      apiTokensFile: good,
      insecureOpenWrites: false,
      writeRatePerCredential: 0,
      writeBurstPerAddress: 7,
    });
    expect(
      loadStartConfig({ genesis: genesisPath, key: keyPath }, { POA_API_TOKENS_FILE: good }).options.apiTokensFile,
    ).toBe(good);

    const bad = join(dir, 'bad.tokens');
    writeFileSync(bad, `backend-1 ${token}\n`);
    const err = configError({ genesis: genesisPath, key: keyPath, apiTokensFile: bad });
    expect(err.problems).toEqual([
      expect.objectContaining({
        setting: 'apiTokensFile',
        source: '--api-tokens-file (flag)',
        message: expect.stringMatching(/line 1: must be name:token/),
      }),
    ]);
    expect(err.message).not.toContain(token);
    expect(
      configError({ genesis: genesisPath, key: keyPath, apiTokensFile: join(dir, 'missing.tokens') }).message,
    ).toMatch(/cannot read .*missing\.tokens/);
    expect(
      configError({ genesis: genesisPath, key: keyPath, insecureOpenWrites: true, writeBurstPerAddress: '0' })
        .problems[0]!.setting,
    ).toBe('writeBurstPerAddress');
  });
});
