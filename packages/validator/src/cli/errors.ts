/** Errors of the command line: each names the bad setting or file, never a stack trace. */

export enum CliErrorCode {
  /** A `start` setting (flag or environment variable) is invalid. */
  CONFIG_INVALID = 'CONFIG_INVALID',
  /** A command's arguments are invalid. */
  USAGE = 'USAGE',
  /** Refusing to overwrite an existing file (keys and genesis are precious). */
  FILE_EXISTS = 'FILE_EXISTS',
  /** A file could not be read, is not JSON or does not hold what it should. */
  FILE_INVALID = 'FILE_INVALID',
  /** A file could not be written. */
  FILE_UNWRITABLE = 'FILE_UNWRITABLE',
}

/** Exit code of bad configuration or usage (as shells use 2 for misuse). */
export const EXIT_USAGE = 2;
/** Exit code of a failure at run time (the node could not start or stop cleanly). */
export const EXIT_FAILURE = 1;

/** An error the CLI reports as one clear message and exit code 2. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode = EXIT_USAGE;
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One invalid setting of `start`: which setting, where its value came from, what is wrong. */
export interface ConfigProblem {
  /** Setting name as in NodeOptions, or "key" / "genesis". */
  setting: string;
  /** Where the value came from, e.g. "--rpc-port (flag)" or "POA_RPC_PORT (env)". */
  source: string;
  message: string;
}

/** Every problem found in a `start` configuration, reported together. */
export class ConfigError extends CliError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(
      CliErrorCode.CONFIG_INVALID,
      `invalid configuration:\n${problems.map((p) => `  ${p.source}: ${p.message}`).join('\n')}`,
    );
  }
}
