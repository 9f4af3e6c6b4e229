/**
 * Import layers, checked on the source (CI runs it with the unit tests): storage never imports
 * the API, the client imports only @poa-vote/shared (never the validator), and the shared
 * protocol imports neither. (The consensus core's purity has its own test in ../consensus.)
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PACKAGES = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|mts)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a file imports or re-exports. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
}

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  return files(dir).flatMap((f) =>
    imports(f)
      .filter(forbidden)
      .map((spec) => `${f.slice(PACKAGES.length + 1)} imports ${spec}`),
  );
}

describe('import layers', () => {
  it('validator db/ imports nothing from api/', () => {
    expect(violations(join(PACKAGES, 'validator/src/db'), (s) => /(^|\/)api(\/|$)/.test(s))).toEqual([]);
  });

  it('validator db/ neither names nor builds the wire types (it answers in storage terms)', () => {
    const found = files(join(PACKAGES, 'validator/src/db')).filter((f) =>
      /\b(Receipt|ElectionResults|ChainVerification|chain_valid|checked_blocks)\b/.test(readFileSync(f, 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('client src/ and test/ import only @poa-vote/shared, never the validator', () => {
    const bad = (s: string) => s.startsWith('@poa-vote/validator') || /(^|\/)validator\/(src|dist|test)\//.test(s);
    expect([
      ...violations(join(PACKAGES, 'client/src'), bad),
      ...violations(join(PACKAGES, 'client/test/unit'), bad),
    ]).toEqual([]);
  });

  it('shared src/ imports neither the validator nor the client', () => {
    expect(
      violations(
        join(PACKAGES, 'shared/src'),
        (s) => /^@poa-vote\/(validator|client)/.test(s) || /\.\.\/\.\.\/(validator|client)\//.test(s),
      ),
    ).toEqual([]);
  });
});
