/** The `poa-validator` command line: keygen, genesis and start. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { generateKeyPair, genesisHash } from '@poa-vote/shared';
import { createLogger } from '../util/logger.js';
import { loadStartConfig, START_SETTINGS, type Env, type StartFlags } from './config.js';
import { CliError, CliErrorCode, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
import { buildGenesis, formatGenesis, writeGenesisFile, type GenesisArgs } from './genesisBuilder.js';
import { createKeyFile, formatKeyFile } from './keyFile.js';
import { startValidator, stopOnSignals } from './start.js';

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
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
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
    .option('--keys-dir <dir>', 'take the authorities from the <id>.json key files of a directory (natural order of id)')
    .option('--chain-id <n>', 'numeric chain id (required)')
    .option('--slot-ms <ms>', 'slot length in milliseconds', '1000')
    .option('--genesis-time <time>', 'unix ms, "now" or "now+N" (N in ms, or now+10s / now+2m)', 'now')
    .addOption(new Option('--quorum <rule>', 'majority: floor(n/2)+1; bft: floor(2n/3)+1').choices(['majority', 'bft']).default('majority'))
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
    .command('start')
    .description('run a validator node (flags win over environment variables)')
    .option('--genesis <file>', settingHelp('genesis', 'genesis.json of the chain (required)'))
    .option('--key <file>', settingHelp('key', 'key file from keygen (or set POA_PRIVATE_KEY to the 0x-hex private key)'))
    .option('--data-dir <dir>', settingHelp('dataDir', 'database directory'))
    .option('--rpc-host <host>', settingHelp('rpcHost', 'HTTP/JSON-RPC/WebSocket listen address'))
    .option('--rpc-port <port>', settingHelp('rpcPort', 'HTTP/JSON-RPC/WebSocket port (0: ephemeral)'))
    .option('--p2p-host <host>', settingHelp('p2pHost', 'libp2p TCP listen address'))
    .option('--p2p-port <port>', settingHelp('p2pPort', 'libp2p TCP port (0: ephemeral)'))
    .option('--peers <multiaddrs>', settingHelp('peers', 'comma-separated bootstrap peers, e.g. /ip4/127.0.0.1/tcp/30304'))
    .option('--log-level <level>', settingHelp('logLevel', 'fatal, error, warn, info, debug, trace or silent'))
    .option('--max-body-bytes <n>', settingHelp('maxBodyBytes', 'largest HTTP request body in bytes'))
    .option('--max-pool-size <n>', settingHelp('maxPoolSize', 'most transactions held in the pool'))
    .option('--clock-skew-ms <ms>', settingHelp('clockSkewMs', 'TEST ONLY: offset added to the wall clock'))
    .action(async (flags: StartFlags) => {
      const config = loadStartConfig(flags, io.env);
      const logger = createLogger(config.options.logLevel, { nodeId: config.authority.id });
      try {
        const node = await startValidator(config, logger);
        stopOnSignals(node, logger);
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
