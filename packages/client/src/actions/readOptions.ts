/** Options every read accepts, and the checks of the arguments they share. */
import { InvalidArgumentError } from '../errors.js';

export interface ReadOptions {
  /** Ask this validator first (e.g. the one that accepted the vote); others serve if it fails. */
  validator?: string;
  signal?: AbortSignal;
}

/** Spread-able failover options of a read. */
export function failoverOptions(o: ReadOptions): { prefer?: string; signal?: AbortSignal } {
  return { ...(o.validator !== undefined ? { prefer: o.validator } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

/** A transaction hash or submission id. */
export function checkRef(ref: unknown, field = 'hash'): string {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 256)
    throw new InvalidArgumentError(field, 'must be a transaction hash or submission id (a non-empty string)');
  return ref;
}

/** An election id as a string. */
export function checkElectionId(id: unknown): string {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  if (typeof id === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(id)) return id;
  throw new InvalidArgumentError(
    'electionId',
    `must be a non-negative integer or 1-64 characters [A-Za-z0-9_.-], got ${JSON.stringify(id)}`,
  );
}

/** A block height. */
export function checkHeight(h: unknown, field: string): number {
  if (typeof h !== 'number' || !Number.isSafeInteger(h) || h < 0)
    throw new InvalidArgumentError(field, `must be a non-negative integer, got ${JSON.stringify(h)}`);
  return h;
}
