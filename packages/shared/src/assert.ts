/**
 * Checked replacements for TypeScript's non-null assertion (`x!`): where the code knows a value
 * is there (an index below the length, a key it has just set), these say so at run time too and
 * fail with a message naming what was missing instead of an unexplained TypeError further on.
 */

/** A value the code relied on was absent: a bug in the caller, never bad input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** `value` unless it is undefined or null; else throw an InvariantError naming `what`. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new InvariantError(`${what} is missing`);
  return value;
}

/** Element `i` of `items` (negative counts from the end), which must exist; else throw an InvariantError naming `what`. */
export function at<T>(items: ArrayLike<T>, i: number, what = 'element'): T {
  const j = i < 0 ? items.length + i : i;
  if (!Number.isInteger(j) || j < 0 || j >= items.length) {
    throw new InvariantError(`${what} [${i}] is out of range (length ${items.length})`);
  }
  return items[j] as T;
}

/** The end of an exhaustive switch: does not compile while a case of `value`'s union is unhandled. */
export function unreachable(value: never, what: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new InvariantError(`unhandled ${what}: ${shown}`);
}
