/** Parsing of REST query and path parameters; errors name the parameter (HTTP 400). */
import { type Hex, isHex, parseQuantity } from '@poa-vote/shared';
import { HttpError } from './respond.js';

const ELECTION_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The election_id query parameter: the <id> of "election-<id>". */
export function electionIdQuery(value: unknown, required: true): string;
export function electionIdQuery(value: unknown, required: false): string | undefined;
export function electionIdQuery(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw new HttpError(400, 'election_id is required, e.g. ?election_id=1', 'election_id');
    return undefined;
  }
  if (typeof value !== 'string') throw new HttpError(400, 'election_id must be given once', 'election_id');
  if (!ELECTION_ID_RE.test(value))
    throw new HttpError(
      400,
      `election_id must be 1-64 characters [A-Za-z0-9_.-], got ${JSON.stringify(value.slice(0, 80))}`,
      'election_id',
    );
  return value;
}

/** A block in a path: a height (decimal or 0x quantity), a 32-byte hash, or "latest"/"finalized". */
export type BlockPathRef = { height: number } | { hash: Hex } | { tag: 'latest' };

/** Parse the :numberOrHash path parameter of /blocks. */
export function blockPathRef(value: string): BlockPathRef {
  if (value === 'latest' || value === 'finalized') return { tag: 'latest' };
  if (/^\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) return { height: Number(value) };
  const lower = value.toLowerCase();
  if (isHex(lower, 32)) return { hash: lower as Hex };
  const q = parseQuantity(lower);
  if (q !== undefined) return { height: q };
  throw new HttpError(
    400,
    `block must be a height (e.g. 12 or 0xc), a 32-byte 0x-hex hash or "latest", got ${JSON.stringify(value.slice(0, 80))}`,
    'numberOrHash',
  );
}
