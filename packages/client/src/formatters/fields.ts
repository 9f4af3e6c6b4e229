/** Lenient readers for validator answers: snake_case or camelCase, numbers or hex quantities. */
import { parseQuantity } from '@poa-vote/shared';
import { InvalidResponseError } from '../errors.js';

export type RawObject = Record<string, unknown>;

/** The answer as an object, or an InvalidResponseError naming what was expected. */
export function asObject(raw: unknown, what: string, url?: string): RawObject {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidResponseError(`${what} must be a JSON object`, { url });
  return raw as RawObject;
}

/** First present field among the names. */
export function pick(o: RawObject, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

/** A non-negative integer given as a number or an Ethereum quantity. */
export function toNat(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string') return parseQuantity(v) ?? (/^\d+$/.test(v) ? Number(v) : undefined);
  return undefined;
}

/** Required non-negative integer field. */
export function natField(o: RawObject, what: string, url: string | undefined, ...names: string[]): number {
  const n = toNat(pick(o, ...names));
  if (n === undefined || !Number.isSafeInteger(n))
    throw new InvalidResponseError(
      `${what}.${names[0]} must be a non-negative integer, got ${JSON.stringify(pick(o, ...names))}`,
      { url },
    );
  return n;
}

/** Required string field. */
export function stringField(o: RawObject, what: string, url: string | undefined, ...names: string[]): string {
  const v = pick(o, ...names);
  if (typeof v !== 'string')
    throw new InvalidResponseError(`${what}.${names[0]} must be a string, got ${JSON.stringify(v)}`, { url });
  return v;
}

/** Optional string field. */
export function optString(o: RawObject, ...names: string[]): string | undefined {
  const v = pick(o, ...names);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A {name: count} map with non-negative integer counts, as a record without prototype: a name
 * such as `__proto__` or `constructor` is an own property, and an absent name reads undefined.
 */
export function countsField(v: unknown, what: string, url?: string): Record<string, number> {
  const o = asObject(v, what, url);
  const out = Object.create(null) as Record<string, number>;
  for (const [k, c] of Object.entries(o)) {
    const n = toNat(c);
    if (n === undefined)
      throw new InvalidResponseError(
        `${what}[${JSON.stringify(k)}] must be a non-negative integer, got ${JSON.stringify(c)}`,
        { url },
      );
    out[k] = n;
  }
  return out;
}
