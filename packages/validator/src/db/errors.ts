/** Storage failures, each with a stable code the node can match to decide between retry and exit. */
export enum DbErrorCode {
  /** The database was created for another chain. */
  GENESIS_MISMATCH = 'DB_GENESIS_MISMATCH',
  /** The database was written by an incompatible version of this software. */
  SCHEMA_MISMATCH = 'DB_SCHEMA_MISMATCH',
  /** The directory cannot be opened (held by another process, unreadable, ...). */
  OPEN_FAILED = 'DB_OPEN_FAILED',
  /** Stored data contradicts itself (e.g. a head pointer without its block). */
  CORRUPT = 'DB_CORRUPT',
  /** A write would break the chain (finalized block out of order, mismatched certificate). */
  OUT_OF_ORDER = 'DB_OUT_OF_ORDER',
  /** An argument cannot be stored or looked up (bad hash, bad height, unknown op). */
  INVALID_ARGUMENT = 'DB_INVALID_ARGUMENT',
  /** The database was closed. */
  CLOSED = 'DB_CLOSED',
}

/** A storage error: `code` is stable, `message` names the problem. */
export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
