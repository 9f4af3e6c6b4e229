/** The consensus core and its simulator stay deterministic and free of I/O: checked on the source. */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../src');
const FORBIDDEN: [RegExp, string][] = [
  [
    /from ['"](libp2p|@libp2p\/|@chainsafe\/|level|classic-level|express|ws|node:fs|node:net|node:http|fs|net|http)[/'"]/,
    'I/O import',
  ],
  [/Date\.now\(|new Date\(/, 'wall clock'],
  [/Math\.random\(/, 'unseeded randomness'],
  [/setTimeout\(|setInterval\(|setImmediate\(/, 'timers'],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('determinism of the consensus core', () => {
  for (const folder of ['consensus', 'state', 'mempool', 'elections']) {
    it(`src/${folder} has no I/O, clock, timers or unseeded randomness`, () => {
      const found: string[] = [];
      for (const f of files(join(SRC, folder))) {
        const text = readFileSync(f, 'utf8');
        for (const [re, what] of FORBIDDEN) if (re.test(text)) found.push(`${f}: ${what}`);
      }
      expect(found).toEqual([]);
    });
  }

  it('src/consensus carries no simulator-only broken behaviour (sim/brokenCore.ts injects it)', () => {
    const found: string[] = [];
    for (const f of files(join(SRC, 'consensus'))) {
      const text = readFileSync(f, 'utf8');
      if (/\bbroken\s*\??:|revertFinal|#brokenRevert|#revertParents/.test(text)) found.push(f);
    }
    expect(found).toEqual([]);
  });
});
