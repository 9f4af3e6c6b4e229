/** The `poa-validator` command line: keygen, genesis, api-token, election and start. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { generateKeyPair, genesisHash } from '@poa-vote/shared';
import { createLogger } from '../util/logger.js';
import { setProcessApiLimits } from '../api/options.js';
import { loadStartConfig, START_SETTINGS, type Env, type StartFlags } from './config.js';
import { CliError, CliErrorCode, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
import { buildGenesis, formatGenesis, writeGenesisFile, type GenesisArgs } from './genesisBuilder.js';
import { createKeyFile, formatKeyFile } from './keyFile.js';
import { type ElectionArgs, buildElectionTx, submitElectionTx } from './electionTx.js';
import { reloadOnHangup, startValidator, stopOnSignals } from './start.js';
import { TOKEN_NAME_RE, generateApiToken } from '../api/auth/apiTokens.js';

/** Where the CLI writes and what environment it reads (injectable for tests). */
export interface CliIo {
  /** Write to standard output (text includes its newline). */
  out(text: string): void;
  /** Write to standard error (text includes its newline). */
  err(text: string): void;
  env: Env;
}

const defaultIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
};

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function settingHelp(name: keyof typeof START_SETTINGS, text: string): string {
  const spec: { env: string; default?: string } = START_SETTINGS[name];
  return `${text} [env ${spec.env}${spec.default !== undefined && spec.default !== '' ? `, default ${spec.default}` : ''}]`;
}

/** Build the commander program; `exitCode.value` receives the exit code of a finished action. */
export function buildProgram(io: CliIo = defaultIo, exitCode: { value: number } = { value: 0 }): Command {
  const program = new Command('poa-validator')
    .description('Validator node of the Proof-of-Authority e-voting chain')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('keygen')
    .description('generate an Ed25519 validator key; prints the public key (the key pair itself without --out)')
    .option('--out <file>', 'write the key pair as JSON {privateKey, publicKey} to this file, mode 0600')
    .option('--force', 'overwrite an existing --out file')
    .option('--reuse', 'if the --out file exists, keep it and print its public key')
    .action((opts: { out?: string; force?: boolean; reuse?: boolean }) => {
      if (opts.out === undefined) {
        if (opts.force || opts.reuse) throw new CliError(CliErrorCode.USAGE, '--force and --reuse need --out <file>');
        io.out(formatKeyFile(generateKeyPair()));
        return;
      }
      const { keyPair } = createKeyFile(opts.out, { force: opts.force, reuse: opts.reuse });
      io.out(`${keyPair.publicKey}\n`);
    });

  program
    .command('genesis')
    .description('write a genesis document listing the authorities (prints it without --out)')
    .option('--authority <id:publicKey[:name]>', 'an authority, repeatable, in leader order', collect)
    .option(
      '--keys-dir <dir>',
      'take the authorities from the <id>.json key files of a directory (natural order of id)',
    )
    .option('--chain-id <n>', 'numeric chain id (required)')
    .option('--slot-ms <ms>', 'slot length in milliseconds', '1000')
    .option('--genesis-time <time>', 'unix ms, "now" or "now+N" (N in ms, or now+10s / now+2m)', 'now')
    .addOption(
      new Option('--quorum <rule>', 'majority: floor(n/2)+1; bft: floor(2n/3)+1')
        .choices(['majority', 'bft'])
        .default('majority'),
    )
    .option(
      '--election-operator <publicKey>',
      'Ed25519 public key (0x-hex, from keygen) that may configure elections on chain (docs/ELECTIONS.md)',
    )
    .option('--out <file>', 'write the genesis to this file')
    .option('--force', 'overwrite an existing --out file')
    .action((opts: GenesisArgs & { out?: string; force?: boolean }) => {
      const genesis = buildGenesis(opts);
      if (opts.out === undefined) {
        io.out(formatGenesis(genesis));
        return;
      }
      writeGenesisFile(opts.out, genesis, { force: opts.force });
      io.out(
        `wrote ${opts.out}: chainId ${genesis.chainId}, ${genesis.authorities.length} authorities (${genesis.authorities.map((a) => a.id).join(', ')}), ` +
          `quorum ${genesis.quorum}, slot ${genesis.slotDurationMs} ms, genesis time ${new Date(genesis.genesisTime).toISOString()}, hash ${genesisHash(genesis)}\n`,
      );
    });

  program
    .command('api-token')
    .description('generate an API token for a backend; prints the name:token line for --api-tokens-file')
    .requiredOption('--name <name>', 'the name logs show for this backend, e.g. backend-1')
    .action((opts: { name: string }) => {
      if (!TOKEN_NAME_RE.test(opts.name))
        throw new CliError(
          CliErrorCode.USAGE,
          `--name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(opts.name)}`,
        );
      io.out(`${opts.name}:${generateApiToken()}\n`);
    });

  program
    .command('election')
    .description(
      "sign an election configuration with the genesis electionOperator's key; prints the transaction (or sends it with --submit)",
    )
    .option('--genesis <file>', 'genesis.json of the chain (it names the electionOperator)')
    .option('--key <file>', 'the election operator key file (from keygen)')
    .option('--id <id>', 'the election id: votes go to election-<id>')
    .option('--candidates <names>', 'comma-separated candidate names, in ballot order')
    .addOption(new Option('--format <format>', 'ballot format').choices(['encrypted', 'plain']).default('encrypted'))
    .option('--open <height>', 'first block height that takes ballots')
    .option('--close <height>', 'first block height that no longer takes ballots (the tally starts)')
    .option('--min-selections <n>', 'selections a ballot must make (default 1)')
    .option('--max-selections <n>', 'selections a ballot may make (default 1)')
    .option('--dkg-phase-blocks <n>', 'blocks each key-ceremony phase waits for late trustees (default 20)')
    .option('--submit <rpcUrl>', 'send it to this validator (eth_sendTransaction) and print its hash')
    .option('--token <token>', 'API token for --submit (or POA_API_TOKEN)')
    .action(async (opts: ElectionArgs & { submit?: string; token?: string }) => {
      const { tx } = buildElectionTx(opts);
      if (opts.submit === undefined) {
        io.out(`${JSON.stringify(tx)}\n`);
        return;
      }
      io.out(`${await submitElectionTx(opts.submit, tx, opts.token ?? io.env.POA_API_TOKEN)}\n`);
    });

  program
    .command('start')
    .description('run a validator node (flags win over environment variables)')
    .option('--genesis <file>', settingHelp('genesis', 'genesis.json of the chain (required)'))
    .option(
      '--key <file>',
      settingHelp('key', 'key file from keygen (or set POA_PRIVATE_KEY to the 0x-hex private key)'),
    )
    .option('--data-dir <dir>', settingHelp('dataDir', 'database directory'))
    .option('--rpc-host <host>', settingHelp('rpcHost', 'HTTP/JSON-RPC/WebSocket listen address'))
    .option('--rpc-port <port>', settingHelp('rpcPort', 'HTTP/JSON-RPC/WebSocket port (0: ephemeral)'))
    .option('--p2p-host <host>', settingHelp('p2pHost', 'libp2p TCP listen address'))
    .option('--p2p-port <port>', settingHelp('p2pPort', 'libp2p TCP port (0: ephemeral)'))
    .option(
      '--peers <multiaddrs>',
      settingHelp('peers', 'comma-separated bootstrap peers, e.g. /ip4/127.0.0.1/tcp/30304'),
    )
    .option('--log-level <level>', settingHelp('logLevel', 'fatal, error, warn, info, debug, trace or silent'))
    .option('--max-body-bytes <n>', settingHelp('maxBodyBytes', 'largest HTTP request body in bytes'))
    .option('--max-pool-size <n>', settingHelp('maxPoolSize', 'most transactions held in the pool'))
    .option(
      '--trustee-dir <dir>',
      settingHelp(
        'trusteeDir',
        'where this validator keeps its trustee secrets of encrypted elections (default: <key file>.trustee, writable)',
      ),
    )
    .option(
      '--ballot-workers <n>',
      settingHelp('ballotWorkers', 'threads checking encrypted ballots (default: cores - 1; 0: on the event loop)'),
    )
    .option('--max-pool-bytes <n>', settingHelp('maxPoolBytes', 'most bytes of transactions held in the pool'))
    .option(
      '--voter-cache-bytes <n>',
      settingHelp('voterCacheBytes', 'bytes of the one-vote index cached beyond the pool (the index is on disk)'),
    )
    .option(
      '--db-max-open-files <n>',
      settingHelp('dbMaxOpenFiles', "most files LevelDB keeps open (bounds its tables' memory; at least 74)"),
    )
    .option(
      '--ack-mode <mode>',
      settingHelp('ackMode', 'quorum: answer once a quorum holds the vote; local: once this node does (old behaviour)'),
    )
    .option(
      '--sync-mode <mode>',
      settingHelp(
        'syncMode',
        'empty data directory: snapshot (take the verified state of a peer, backfill blocks) or full (replay)',
      ),
    )
    .option(
      '--snapshot-min-height <n>',
      settingHelp('snapshotMinHeight', 'snapshot sync only when a peer is at least this high (else replay)'),
    )
    .option('--ack-timeout-ms <ms>', settingHelp('ackTimeoutMs', 'longest wait for a quorum before answering -32012'))
    .option(
      '--empty-block-interval-slots <n>',
      settingHelp(
        'emptyBlockIntervalSlots',
        'with nothing to propose, an empty block only every n slots (1: every slot)',
      ),
    )
    .option(
      '--heap-growing-percent <n>',
      settingHelp('heapGrowingPercent', "V8 heap growth between full GCs, in % (0: V8's own; 100: CPU for memory)"),
    )
    .option('--clock-skew-ms <ms>', settingHelp('clockSkewMs', 'TEST ONLY: offset added to the wall clock'))
    .option('--rpc-vhosts <list>', settingHelp('rpcVhosts', 'host names served (Host header; IPs always; * any)'))
    .option('--rpc-cors-origins <list>', settingHelp('rpcCorsOrigins', 'origins allowed cross-origin (CORS; * any)'))
    .option('--rpc-max-batch-items <n>', settingHelp('rpcMaxBatchItems', 'most calls in a JSON-RPC batch'))
    .option(
      '--rpc-max-response-bytes <n>',
      settingHelp('rpcMaxResponseBytes', 'largest JSON-RPC reply in bytes (a batch counts whole)'),
    )
    .option('--rpc-max-id-bytes <n>', settingHelp('rpcMaxIdBytes', 'longest JSON-RPC id in bytes'))
    .option('--rpc-max-json-depth <n>', settingHelp('rpcMaxJsonDepth', 'deepest nesting of a request'))
    .option(
      '--rpc-max-pending-bytes <n>',
      settingHelp('rpcMaxPendingBytes', 'unsent reply bytes, all clients, before new requests get 503'),
    )
    .option(
      '--rpc-heap-limit-percent <n>',
      settingHelp('rpcHeapLimitPercent', 'heap use (% of the V8 limit) from which requests get 503'),
    )
    .option(
      '--rpc-yield-every-ms <n>',
      settingHelp('rpcYieldEveryMs', 'longest run of one request before it yields to other work (ms)'),
    )
    .option('--http-max-connections <n>', settingHelp('httpMaxConnections', 'most open HTTP connections'))
    .option(
      '--http-max-pipelined <n>',
      settingHelp('httpMaxPipelined', 'most unanswered requests on one HTTP connection'),
    )
    .option('--http-headers-timeout-ms <n>', settingHelp('httpHeadersTimeoutMs', 'time to send request headers (ms)'))
    .option('--http-request-timeout-ms <n>', settingHelp('httpRequestTimeoutMs', 'time to send a whole request (ms)'))
    .option('--http-keep-alive-timeout-ms <n>', settingHelp('httpKeepAliveTimeoutMs', 'idle keep-alive timeout (ms)'))
    .option('--ws-max-connections <n>', settingHelp('wsMaxConnections', 'most WebSocket connections'))
    .option(
      '--ws-max-connections-per-ip <n>',
      settingHelp('wsMaxConnectionsPerIp', 'most WebSocket connections per address'),
    )
    .option(
      '--ws-max-buffered-bytes <n>',
      settingHelp('wsMaxBufferedBytes', 'unsent bytes after which a WebSocket client is dropped'),
    )
    .option('--ws-max-in-flight <n>', settingHelp('wsMaxInFlight', 'most requests of one WebSocket run at once'))
    .option(
      '--ws-stall-ms <ms>',
      settingHelp('wsStallMs', 'a WebSocket client that reads none of its unsent data this long is dropped'),
    )
    .option(
      '--api-tokens-file <file>',
      settingHelp(
        'apiTokensFile',
        'file of name:token lines; eth_sendTransaction needs "Authorization: Bearer <token>" (re-read on SIGHUP and on change)',
      ),
    )
    .option(
      '--insecure-open-writes',
      settingHelp('insecureOpenWrites', 'INSECURE: accept eth_sendTransaction without a credential (devnets, tests)'),
    )
    .option(
      '--write-rate-per-credential <n>',
      settingHelp('writeRatePerCredential', 'votes/s per API token (0: unlimited)'),
    )
    .option(
      '--write-burst-per-credential <n>',
      settingHelp('writeBurstPerCredential', 'most votes an API token sends at once'),
    )
    .option(
      '--write-rate-per-address <n>',
      settingHelp('writeRatePerAddress', 'votes/s per client address without a credential (0: unlimited)'),
    )
    .option(
      '--write-burst-per-address <n>',
      settingHelp('writeBurstPerAddress', 'most votes an address sends at once without a credential'),
    )
    .action(async (flags: StartFlags) => {
      const config = loadStartConfig(flags, io.env);
      // The API server reads its limits from here (the node does not pass them on).
      setProcessApiLimits(config.options.apiLimits);
      const logger = createLogger(config.options.logLevel, { nodeId: config.authority.id });
      try {
        const node = await startValidator(config, logger);
        stopOnSignals(node, logger);
        reloadOnHangup(node, logger);
      } catch (err) {
        logger.fatal({ err }, 'validator failed to start');
        exitCode.value = EXIT_FAILURE;
      }
    });

  return program;
}

/**
 * Run the CLI on `argv` (as process.argv: node, script, args...). Resolves to the exit code once
 * the command has run; for `start` that is once the node is up (it keeps the process alive).
 */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const exitCode = { value: 0 };
  try {
    await buildProgram(io, exitCode).parseAsync(argv);
    return exitCode.value;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    if (err instanceof CliError) {
      io.err(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`error: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
