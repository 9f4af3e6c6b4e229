/**
 * The tokens file of a node: read at start, read again on demand (SIGHUP, see cli/start.ts) and
 * whenever the file changes (polled with fs.watchFile, which follows renames, editors' atomic
 * replaces and Kubernetes secret symlink swaps that fs.watch misses). A reload that fails keeps
 * the tokens in force and logs an error: a half-saved file must not lock every backend out.
 */
import { type Stats, readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../../util/logger.js';
import { ApiTokenSet, ApiTokensFileError, parseApiTokens } from './apiTokens.js';

/** How often the file's stat is polled for changes. */
export const TOKENS_FILE_POLL_MS = 1000;

/** What a reload did. */
export type ReloadResult =
  | { ok: true; names: string[]; added: string[]; removed: string[] }
  | { ok: false; error: string };

/** Read and parse a tokens file; throws ApiTokensFileError (never echoing a token). */
export function readApiTokensFile(path: string): ApiTokenSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ApiTokensFileError(
      0,
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return new ApiTokenSet(parseApiTokens(text));
}

/** Whether group or others may read the file (a warning: tokens are secrets). */
export function isReadableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/** The current tokens of a file, kept up to date. */
export class ApiTokenFile {
  readonly path: string;
  #tokens: ApiTokenSet;
  readonly #logger: Logger;
  #listener: ((cur: Stats, prev: Stats) => void) | undefined;

  /** Reads the file at once; throws ApiTokensFileError if it is missing or invalid. */
  constructor(path: string, logger: Logger) {
    this.path = path;
    this.#logger = logger;
    this.#tokens = readApiTokensFile(path);
  }

  /** The tokens in force. */
  get tokens(): ApiTokenSet {
    return this.#tokens;
  }

  /** Read the file again; on error keep the current tokens. */
  reload(reason: string): ReloadResult {
    let next: ApiTokenSet;
    try {
      next = readApiTokensFile(this.path);
    } catch (err) {
      const error = (err as Error).message;
      this.#logger.error(
        { file: this.path, reason, error, kept: this.#tokens.names },
        'API tokens file not reloaded: keeping the tokens in force',
      );
      return { ok: false, error };
    }
    const before = new Set(this.#tokens.names);
    const names = next.names;
    const added = names.filter((n) => !before.has(n));
    const removed = [...before].filter((n) => !names.includes(n));
    this.#tokens = next;
    // Names only: a token never reaches the log.
    this.#logger.info({ file: this.path, reason, tokens: names, added, removed }, 'API tokens reloaded');
    return { ok: true, names, added, removed };
  }

  /** Start reloading when the file changes. */
  watch(): void {
    if (this.#listener) return;
    this.#listener = (cur, prev) => {
      if (
        cur.mtimeMs === prev.mtimeMs &&
        cur.size === prev.size &&
        cur.ino === prev.ino &&
        cur.ctimeMs === prev.ctimeMs
      )
        return;
      this.reload('file changed');
    };
    watchFile(this.path, { interval: TOKENS_FILE_POLL_MS, persistent: false }, this.#listener);
  }

  /** Stop watching. */
  unwatch(): void {
    if (!this.#listener) return;
    unwatchFile(this.path, this.#listener);
    this.#listener = undefined;
  }
}
