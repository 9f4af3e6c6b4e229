/** File helpers of the CLI: refuse to clobber, create parent directories, name the file in errors. */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, CliErrorCode } from './errors.js';

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String((err as Error)?.message ?? err);
}

/** Write a new file (parent directories created); refuses to overwrite unless `force`. */
export function writeNewFile(
  path: string,
  content: string,
  opts: { mode?: number | undefined; force?: boolean | undefined } = {},
): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content, { mode: opts.mode ?? 0o644, flag: opts.force ? 'w' : 'wx' });
    // The mode given to writeFileSync is masked by the umask and ignored for existing files.
    if (opts.mode !== undefined) chmodSync(path, opts.mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(
        CliErrorCode.FILE_EXISTS,
        `${path} already exists; refusing to overwrite it (use --force to replace it)`,
      );
    }
    throw new CliError(CliErrorCode.FILE_UNWRITABLE, `cannot write ${path}: ${reason(err)}`);
  }
}

/** Parse a JSON file; `what` names its role in errors ("key file", "genesis file"). */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(CliErrorCode.FILE_INVALID, `cannot read ${what} ${path}: ${reason(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(CliErrorCode.FILE_INVALID, `${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
