// Where the built artifacts live, relative to this file (scripts run from any working directory).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built `poa-validator` entry point. */
export const VALIDATOR_BIN = fileURLToPath(new URL('../../packages/validator/dist/cli/main.js', import.meta.url));
/** The built CLI library (key files, genesis). */
export const VALIDATOR_CLI_LIB = new URL('../../packages/validator/dist/cli/index.js', import.meta.url).href;
/** The built client library. */
export const CLIENT_LIB = new URL('../../packages/client/dist/index.js', import.meta.url).href;

/** Throw a clear error when a built file is missing. */
export function requireBuilt(url) {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!existsSync(path)) throw new Error(`${path} does not exist: run \`npm run build\` first`);
  return url;
}
