/**
 * Parameter handling: positional or by-name params, validated with zod, and errors that name
 * the parameter ("param block (params[0]): ...") so a caller can fix the request.
 */
import { z } from 'zod';
import { at, type Hex, isHex, parseQuantity } from '@poa-vote/shared';
import { invalidParams, type JsonRpcError } from './errors.js';

/** Positional params of a request: absent -> [], by-name -> ordered by the method's names. */
export function positionalParams(raw: unknown, names: readonly string[]): unknown[] | JsonRpcError {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) return raw;
  const byName = raw as Record<string, unknown>;
  for (const key of Object.keys(byName)) {
    if (!names.includes(key))
      return invalidParams(
        `invalid params: unknown param "${key}" (expected ${names.length ? names.join(', ') : 'none'})`,
        { param: key },
      );
  }
  const out = names.map((n) => byName[n]);
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
}

function pathSuffix(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** A -32602 error naming the first bad parameter of a zod failure. */
export function paramsError(error: z.ZodError, names: readonly string[], given: readonly unknown[]): JsonRpcError {
  const issue = at(error.issues, 0, 'zod issue');
  if (issue.path.length === 0) {
    if (issue.code === 'too_small') {
      const missing = names[given.length] ?? `#${given.length}`;
      return invalidParams(`invalid params: missing required param ${missing} (params[${given.length}])`, {
        param: missing,
      });
    }
    if (issue.code === 'too_big') {
      return invalidParams(
        `invalid params: too many params, expected at most ${names.length} (${names.join(', ') || 'none'}), got ${given.length}`,
      );
    }
    return invalidParams(`invalid params: ${issue.message}`);
  }
  const idx = issue.path[0] as number;
  const rest = pathSuffix(issue.path.slice(1));
  const name = `${names[idx] ?? `#${idx}`}${rest}`;
  return invalidParams(`invalid params: param ${name} (params[${idx}]${rest}): ${issue.message}`, { param: name });
}

/** Validate positional params against a schema; the error names the bad param. */
export function parseParams<P>(
  schema: z.ZodType<P>,
  names: readonly string[],
  raw: unknown,
): { ok: true; params: P } | { ok: false; error: JsonRpcError } {
  const given = positionalParams(raw, names);
  if (!Array.isArray(given)) return { ok: false, error: given };
  const parsed = schema.safeParse(given);
  return parsed.success
    ? { ok: true, params: parsed.data }
    : { ok: false, error: paramsError(parsed.error, names, given) };
}

/** A param value that failed its check, with the reason. */
export class Invalid {
  constructor(
    readonly message: string,
    readonly path: readonly (string | number)[] = [],
  ) {}
}
/** Reject a param value with a reason. */
export function bad(message: string, path: readonly (string | number)[] = []): Invalid {
  return new Invalid(message, path);
}

/** A JSON Schema (draft 2020-12) fragment describing what a checked param accepts. */
export type ParamJsonSchema = Record<string, unknown>;

/**
 * A param checked by a function that returns the value or bad(message). `accepts` is the JSON
 * Schema of the values the check takes: the API description (OpenRPC) shows it, so the
 * description and the validation live side by side.
 */
export function checked<T>(check: (v: unknown) => T | Invalid, accepts?: ParamJsonSchema) {
  const schema = z.unknown().transform((v, ctx): T => {
    const out = check(v);
    if (out instanceof Invalid) {
      ctx.addIssue({ code: 'custom', message: out.message, path: [...out.path] });
      return z.NEVER;
    }
    return out;
  });
  return accepts ? schema.meta(accepts) : schema;
}

const QUANTITY_JSON = { type: 'string', pattern: '^0x(0|[1-9a-f][0-9a-f]*)$', description: 'canonical hex quantity' };
const HASH_JSON = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$', description: '32-byte hash' };

/** A 32-byte 0x-hex hash (any case), lowercased. */
export const hashParam = checked<Hex>(
  (v) =>
    typeof v === 'string' && isHex(v.toLowerCase(), 32)
      ? (v.toLowerCase() as Hex)
      : bad(`must be a 32-byte 0x-hex hash, got ${preview(v)}`),
  HASH_JSON,
);

const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string is well-formed UTF-16: no lone surrogate, which UTF-8 storage would turn into U+FFFD. */
export function isWellFormedString(s: string): boolean {
  return !LONE_SURROGATE_RE.test(s);
}

/** A transaction hash or a submission id (the JSON-RPC id it was sent under), as a string. */
export const txRefParam = checked<string>(
  (v) => {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string' || v.length === 0 || v.length > 256)
      return bad(`must be a transaction hash or a submission id (1-256 characters), got ${preview(v)}`);
    // Submission ids are compared exactly: "\ud800" must not find the vote sent as "\ufffd".
    if (!isWellFormedString(v))
      return bad('must be well-formed Unicode (it holds a lone surrogate), as submission ids are');
    return isHex(v.toLowerCase(), 32) ? v.toLowerCase() : v;
  },
  {
    anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'number' }],
    description: 'a transaction hash, or the JSON-RPC id the vote was submitted under',
  },
);

/** Block tags of eth_getBlockByNumber; latest, finalized and safe all mean the finalized head. */
export const BLOCK_TAGS = ['latest', 'finalized', 'safe', 'earliest', 'pending'] as const;
export type BlockTag = (typeof BLOCK_TAGS)[number];
export type BlockRef = { tag: BlockTag } | { number: number };

/** A block number: a canonical quantity ("0x1a") or a non-negative integer. */
export const blockNumberParam = checked<number>(
  (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    const n = parseQuantity(v);
    return n !== undefined ? n : bad(`must be a block number (a quantity like "0x1a"), got ${preview(v)}`);
  },
  { anyOf: [QUANTITY_JSON, { type: 'integer', minimum: 0 }], description: 'block number' },
);

/** A block tag or number. */
export const blockRefParam = checked<BlockRef>(
  (v) => {
    if (typeof v === 'string' && (BLOCK_TAGS as readonly string[]).includes(v)) return { tag: v as BlockTag };
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return { number: v };
    const n = parseQuantity(v);
    return n !== undefined
      ? { number: n }
      : bad(`must be a block number (a quantity like "0x1a") or one of ${BLOCK_TAGS.join(', ')}, got ${preview(v)}`);
  },
  {
    anyOf: [{ enum: [...BLOCK_TAGS] }, QUANTITY_JSON, { type: 'integer', minimum: 0 }],
    description: 'block number or tag (latest, finalized and safe: the finalized head; earliest: the genesis, block 0)',
  },
);

/** A boolean flag that may be omitted (false). */
export const optionalFlag = z.boolean({ error: 'must be true or false' }).optional();

/** A short rendering of a bad value for error messages. */
export function preview(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    // Strings are cut before quoting: a multi-megabyte param is not copied to be shown.
    s = typeof v === 'string' ? JSON.stringify(v.slice(0, 100)) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = Array.isArray(v) ? 'an array' : typeof v;
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
