/**
 * A pass over request text before JSON.parse: nesting depth and the number of calls of a batch.
 * Refusing here costs one linear scan instead of building a 4-million-element array (7.6 MiB of
 * `[1,1,...]` took 21 s and a 452 MB error reply before) or a million-deep structure that
 * recursive code (zod, JSON.stringify, error previews) cannot walk without a stack overflow.
 */

export type ScanResult = { ok: true } | { ok: false; limit: 'maxJsonDepth' | 'maxBatchItems' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQ = 0x5b;
const CLOSE_SQ = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const COMMA = 0x2c;

/**
 * Scan JSON text: fails on nesting deeper than maxDepth, or a top-level array with more than
 * maxItems elements (counted by its commas). Malformed text passes and is left to JSON.parse.
 */
export function scanJson(text: string, maxDepth: number, maxItems: number): ScanResult {
  let depth = 0;
  let inString = false;
  let topIsArray = false;
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_SQ:
      case OPEN_CURLY:
        if (depth === 0 && c === OPEN_SQ) topIsArray = true;
        depth++;
        if (depth > maxDepth) return { ok: false, limit: 'maxJsonDepth' };
        break;
      case CLOSE_SQ:
      case CLOSE_CURLY:
        depth--;
        break;
      case COMMA:
        if (depth === 1 && topIsArray && ++commas >= maxItems) return { ok: false, limit: 'maxBatchItems' };
        break;
      default:
        break;
    }
  }
  return { ok: true };
}

/** Whether a parsed value nests arrays/objects deeper than maxDepth (iterative: no recursion to overflow). */
export function deeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, d] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}
