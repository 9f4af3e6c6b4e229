import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiTokenFile,
  ApiTokenSet,
  ApiTokensFileError,
  generateApiToken,
  parseApiTokens,
  readApiTokensFile,
} from '../../../../src/api/auth/index.js';
import { recordingLogger } from '@poa-vote/test-utils';

const A = 'a'.repeat(40);
const B = 'B-b_b.b~b+b/b='.padEnd(40, 'b');
const dir = mkdtempSync(join(tmpdir(), 'poa-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const recorder = recordingLogger;

describe('parseApiTokens', () => {
  it('reads name:token lines, skipping comments and blank lines', () => {
    const set = new ApiTokenSet(parseApiTokens(`# backends\n\nbackend-1:${A}\r\n  backend.2 : ${B}  \n`));
    expect(set.names).toEqual(['backend-1', 'backend.2']);
    expect(set.match(A)).toBe('backend-1');
    expect(set.match(B)).toBe('backend.2');
    expect(set.match(`${A}x`)).toBeUndefined();
    expect(set.match('')).toBeUndefined();
  });

  it('names the bad line and never echoes a token', () => {
    const cases: [string, RegExp][] = [
      [`backend-1 ${A}`, /line 1: must be name:token/],
      [`\n-bad:${A}`, /line 2: the name "-bad"/],
      ['backend-1:short-token', /line 1: the token of backend-1 must be 32-512 characters/],
      [`a:${A}\na:${B}`, /line 2: the name a appears twice/],
      [`a:${A}\nb:${A}`, /line 2: the token of b is also another name's token/],
      [`a:${A} with space`, /line 1: the token of a/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        parseApiTokens(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiTokensFileError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain(A);
      expect((err as Error).message).not.toContain('short-token');
    }
  });

  it('generates 43-character url-safe tokens the parser accepts', () => {
    const t = generateApiToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new ApiTokenSet(parseApiTokens(`x:${t}`)).match(t)).toBe('x');
  });
});

describe('ApiTokenFile', () => {
  it('reloads: a removed token stops matching; a broken file keeps the tokens in force', () => {
    const path = join(dir, 'reload.tokens');
    writeFileSync(path, `one:${A}\ntwo:${B}\n`);
    const log = recorder();
    const file = new ApiTokenFile(path, log);
    expect(file.tokens.match(B)).toBe('two');
    writeFileSync(path, `one:${A}\n`);
    expect(file.reload('test')).toEqual({ ok: true, names: ['one'], added: [], removed: ['two'] });
    expect(file.tokens.match(B)).toBeUndefined();
    writeFileSync(path, `one ${A}\n`);
    const failed = file.reload('test');
    expect(failed.ok).toBe(false);
    expect(file.tokens.match(A)).toBe('one');
    expect(log.lines.some((l) => l.level === 'error' && /not reloaded/.test(l.msg ?? ''))).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain(A);
  });

  it('refuses a missing file at construction', () => {
    expect(() => readApiTokensFile(join(dir, 'nope'))).toThrow(/cannot read .*nope: ENOENT/);
  });

  it('reloads by itself when the file changes', async () => {
    const path = join(dir, 'watched.tokens');
    writeFileSync(path, `one:${A}\n`);
    const file = new ApiTokenFile(path, recorder());
    file.watch();
    try {
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(path, `two:${B}\n`);
      const deadline = Date.now() + 5000;
      while (file.tokens.match(B) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(file.tokens.match(B)).toBe('two');
      expect(file.tokens.match(A)).toBeUndefined();
    } finally {
      file.unwatch();
    }
  });
});
