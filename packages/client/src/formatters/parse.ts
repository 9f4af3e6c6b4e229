/** Parse a validator's answer with the shared wire contract; a mismatch names the field and what came. */
import type { z } from 'zod';
import { InvalidResponseError } from '../errors.js';

function at(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** The parsed answer, or an InvalidResponseError such as "health.chain_id: expected number, got "x"". */
export function parseAnswer<S extends z.ZodType>(schema: S, raw: unknown, what: string, url?: string): z.output<S> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidResponseError(`${what} must be a JSON object`, { url });
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new InvalidResponseError(`${what} does not match the API contract`, { url });
  throw new InvalidResponseError(
    `${what}${at(issue.path)}: ${issue.message}, got ${JSON.stringify(valueAt(raw, issue.path)) ?? 'nothing'}`,
    { url },
  );
}
