/** Validator key files: JSON {privateKey, publicKey}, 32-byte 0x-hex each, mode 0600. */
import { existsSync } from 'node:fs';
import { generateKeyPair, isHex, keyPairFromSeed, type Hex, type KeyPair } from '@poa-vote/shared';
import { CliError, CliErrorCode } from './errors.js';
import { readJsonFile, writeNewFile } from './files.js';

/** Text of a key file. */
export function formatKeyFile(keyPair: KeyPair): string {
  return `${JSON.stringify({ privateKey: keyPair.privateKey, publicKey: keyPair.publicKey }, null, 2)}\n`;
}

/**
 * The key pair held by a parsed key file. A publicKey alone is accepted only with
 * `allowPublicOnly` (genesis needs public keys; a validator needs its private key).
 * Errors name the file (`label`) and never echo the private key.
 */
export function keyPairFromJson(
  json: unknown,
  label: string,
  opts: { allowPublicOnly?: boolean } = {},
): { privateKey?: Hex; publicKey: Hex } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError(
      CliErrorCode.FILE_INVALID,
      `${label}: must be a JSON object {"privateKey": "0x…", "publicKey": "0x…"}`,
    );
  }
  const r = json as Record<string, unknown>;
  const pub = typeof r.publicKey === 'string' ? r.publicKey.toLowerCase() : r.publicKey;
  if (pub !== undefined && !isHex(pub, 32))
    throw new CliError(
      CliErrorCode.FILE_INVALID,
      `${label}: publicKey must be 32 bytes of 0x-hex (0x + 64 hex digits)`,
    );
  if (r.privateKey === undefined) {
    if (opts.allowPublicOnly && pub !== undefined) return { publicKey: pub };
    throw new CliError(CliErrorCode.FILE_INVALID, `${label}: privateKey is missing`);
  }
  const priv = typeof r.privateKey === 'string' ? r.privateKey.toLowerCase() : r.privateKey;
  if (!isHex(priv, 32))
    throw new CliError(
      CliErrorCode.FILE_INVALID,
      `${label}: privateKey must be 32 bytes of 0x-hex (0x + 64 hex digits)`,
    );
  const derived = keyPairFromSeed(priv);
  if (pub !== undefined && pub !== derived.publicKey) {
    throw new CliError(
      CliErrorCode.FILE_INVALID,
      `${label}: publicKey ${pub} does not belong to its privateKey (which gives ${derived.publicKey})`,
    );
  }
  return derived;
}

/** Read a validator key file; errors name the file. */
export function readKeyFile(path: string): KeyPair {
  const kp = keyPairFromJson(readJsonFile(path, 'key file'), `key file ${path}`);
  return kp as KeyPair;
}

/**
 * Generate a key pair and write it to `path` with mode 0600. Refuses to overwrite an existing
 * file unless `force`; with `reuse`, an existing file is validated and kept (idempotent set-up).
 */
export function createKeyFile(
  path: string,
  opts: { force?: boolean | undefined; reuse?: boolean | undefined } = {},
): { keyPair: KeyPair; created: boolean } {
  if (opts.reuse && !opts.force && existsSync(path)) return { keyPair: readKeyFile(path), created: false };
  const keyPair = generateKeyPair();
  writeNewFile(path, formatKeyFile(keyPair), { mode: 0o600, force: opts.force });
  return { keyPair, created: true };
}
