/** The command line of the validator: key files, genesis building, start-up configuration. */
export { runCli, buildProgram, type CliIo } from './program.js';
export { loadStartConfig, START_SETTINGS, type StartConfig, type StartFlags, type Env } from './config.js';
export { createKeyFile, readKeyFile, formatKeyFile, keyPairFromJson } from './keyFile.js';
export {
  buildGenesis,
  parseAuthoritySpec,
  parseGenesisTime,
  authoritiesFromKeysDir,
  formatGenesis,
  writeGenesisFile,
  readGenesisFile,
  type GenesisArgs,
} from './genesisBuilder.js';
export { startValidator, stopOnSignals, CLOSE_TIMEOUT_MS, type RunningNode } from './start.js';
export { CliError, CliErrorCode, ConfigError, EXIT_FAILURE, EXIT_USAGE, type ConfigProblem } from './errors.js';
export { writeNewFile, readJsonFile } from './files.js';
