/**
 * API tokens: the credentials election backends write with. The tokens file holds one
 * `name:token` per line (`#` starts a comment line, blank lines are skipped); the name is what
 * logs and errors show, the token is the secret a backend sends as `Authorization: Bearer`.
 * Only sha256 digests of the tokens are kept, and a presented token is matched by comparing its
 * digest with every known digest in constant time (crypto.timingSafeEqual), so neither the
 * comparison nor the position of a match leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A token name: what logs and errors show. */
export const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A token: 32 to 512 URL-safe or base64 characters (`poa-validator api-token` makes 43). */
export const TOKEN_RE = /^[A-Za-z0-9._~+/=-]{32,512}$/;

/** A problem in a tokens file, with the line it is on (1-based; 0 for the whole file). */
export class ApiTokensFileError extends Error {
  override readonly name = 'ApiTokensFileError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

/** One parsed entry: the name and the sha256 digest of the token. */
export interface ApiTokenEntry {
  name: string;
  digest: Buffer;
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Parse the text of a tokens file. Throws ApiTokensFileError naming the first bad line; the
 * error never contains a token.
 */
export function parseApiTokens(text: string): ApiTokenEntry[] {
  const entries: ApiTokenEntry[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) throw new ApiTokensFileError(i + 1, 'must be name:token');
    const name = line.slice(0, colon).trim();
    const token = line.slice(colon + 1).trim();
    if (!TOKEN_NAME_RE.test(name))
      throw new ApiTokensFileError(
        i + 1,
        `the name ${JSON.stringify(name.slice(0, 80))} must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)`,
      );
    if (!TOKEN_RE.test(token))
      throw new ApiTokensFileError(
        i + 1,
        `the token of ${name} must be 32-512 characters of A-Z a-z 0-9 . _ ~ + / = - (make one with \`poa-validator api-token\`)`,
      );
    if (names.has(name)) throw new ApiTokensFileError(i + 1, `the name ${name} appears twice`);
    const digest = digestOf(token);
    const hex = digest.toString('hex');
    if (digests.has(hex))
      throw new ApiTokensFileError(
        i + 1,
        `the token of ${name} is also another name's token; give each backend its own`,
      );
    names.add(name);
    digests.add(hex);
    entries.push({ name, digest });
  }
  return entries;
}

/** A new random token (32 bytes, base64url: 43 characters). */
export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** An immutable set of valid tokens; a reload builds a new one. */
export class ApiTokenSet {
  readonly #entries: readonly ApiTokenEntry[];

  constructor(entries: readonly ApiTokenEntry[]) {
    this.#entries = entries;
  }

  /** Names of the tokens, in file order. */
  get names(): string[] {
    return this.#entries.map((e) => e.name);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The name of the token, or undefined; every known digest is compared, in constant time each. */
  match(token: string): string | undefined {
    const presented = digestOf(token);
    let found: string | undefined;
    for (const e of this.#entries) {
      // No early exit: the time taken does not depend on which entry (if any) matches.
      if (timingSafeEqual(presented, e.digest) && found === undefined) found = e.name;
    }
    return found;
  }
}

/** The empty set: every bearer token is invalid. */
export const NO_TOKENS = new ApiTokenSet([]);
