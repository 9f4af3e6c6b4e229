import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairFromSeed, Signer, verifySignature } from '@poa-vote/shared';
import { createKeyFile, keyPairFromJson, readKeyFile } from '../../../src/cli/keyFile.js';
import { CliError, CliErrorCode } from '../../../src/cli/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poa-cli-key-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key files', () => {
  it('round-trips a generated key pair through a 0600 file', () => {
    const path = join(dir, 'nested', 'validator-1.json');
    const { keyPair, created } = createKeyFile(path);
    expect(created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      privateKey: keyPair.privateKey,
      publicKey: keyPair.publicKey,
    });
    const read = readKeyFile(path);
    expect(read).toEqual(keyPair);
    expect(keyPairFromSeed(read.privateKey).publicKey).toBe(keyPair.publicKey);
    const msg = new TextEncoder().encode('ballot');
    expect(verifySignature(keyPair.publicKey, msg, new Signer(read.privateKey).sign(msg))).toBe(true);
  });

  it('refuses to overwrite a key unless forced, and reuses one when asked', () => {
    const path = join(dir, 'precious.json');
    const first = createKeyFile(path).keyPair;
    expect(() => createKeyFile(path)).toThrow(/precious\.json already exists; refusing to overwrite/);
    expect(readKeyFile(path)).toEqual(first);
    const reused = createKeyFile(path, { reuse: true });
    expect(reused).toEqual({ keyPair: first, created: false });
    const forced = createKeyFile(path, { force: true });
    expect(forced.created).toBe(true);
    expect(forced.keyPair.publicKey).not.toBe(first.publicKey);
    expect(readKeyFile(path)).toEqual(forced.keyPair);
  });

  it('names the file and the problem of a bad key file', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, 'not json');
    expect(() => readKeyFile(path)).toThrow(/key file .*broken\.json is not valid JSON/);
    expect(() => readKeyFile(join(dir, 'missing.json'))).toThrow(/cannot read key file .*missing\.json: ENOENT/);
    try {
      keyPairFromJson({ publicKey: `0x${'ab'.repeat(32)}` }, 'key file k.json');
      throw new Error('expected a CliError');
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).code).toBe(CliErrorCode.FILE_INVALID);
      expect((err as CliError).message).toBe('key file k.json: privateKey is missing');
    }
    expect(keyPairFromJson({ publicKey: `0x${'ab'.repeat(32)}` }, 'k', { allowPublicOnly: true })).toEqual({
      publicKey: `0x${'ab'.repeat(32)}`,
    });
    expect(() => keyPairFromJson([], 'k')).toThrow(/k: must be a JSON object/);
  });
});
