/**
 * Reading a ballot for the tally. The chain treats ballots as opaque; /results counts a ballot
 * for a candidate when its payload (plain text, hex or base64) is JSON naming `candidate_id` or
 * `candidate`. Anything else is counted as sealed: never dropped from the total.
 */
import { isWellFormedString } from './encoding.js';

export const SEALED = 'sealed';

/**
 * Longest candidate name, in UTF-8 bytes; a longer name reads as SEALED. Counted in bytes, not
 * UTF-16 code units, so that implementations in other languages apply the same rule.
 */
export const MAX_CANDIDATE_NAME_BYTES = 128;

function candidateOf(text: string): string | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(t) as Record<string, unknown>;
    const c = v.candidate_id ?? v.candidate;
    // A lone surrogate (from a \ud800 escape) has no UTF-8 form: such a name could not be published or hashed.
    if (
      typeof c === 'string' &&
      c.length > 0 &&
      c.length <= MAX_CANDIDATE_NAME_BYTES &&
      isWellFormedString(c) &&
      Buffer.byteLength(c, 'utf8') <= MAX_CANDIDATE_NAME_BYTES
    )
      return c;
    if (typeof c === 'number' && Number.isFinite(c)) return String(c);
  } catch {
    /* not JSON: sealed */
  }
  return undefined;
}

const HEX_RE = /^(0x)?([0-9a-fA-F]{2})+$/;
const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** The candidate a ballot names, or SEALED. Deterministic: auditors must get the same tally. */
export function ballotCandidate(data: string): string {
  const plain = candidateOf(data);
  if (plain !== undefined) return plain;
  if (HEX_RE.test(data)) {
    const c = candidateOf(Buffer.from(data.replace(/^0x/, ''), 'hex').toString('utf8'));
    if (c !== undefined) return c;
  }
  if (data.length % 4 === 0 && B64_RE.test(data)) {
    const c = candidateOf(Buffer.from(data, 'base64').toString('utf8'));
    if (c !== undefined) return c;
  }
  return SEALED;
}
