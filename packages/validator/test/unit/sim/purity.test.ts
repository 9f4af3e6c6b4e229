/** A seed must replay exactly: the simulator draws time and randomness only from its own sources. */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SIM = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../src/sim');
const FORBIDDEN: [RegExp, string][] = [
  [/Date\.now\(|new Date\(/, 'wall clock'],
  [/Math\.random\(/, 'unseeded randomness'],
  [/setTimeout\(|setInterval\(|setImmediate\(|process\.hrtime/, 'timers'],
  [/from ['"](node:fs|fs|node:net|net|node:http|http|libp2p|level)['"/]/, 'I/O import'],
];

describe('simulator determinism (source check)', () => {
  it('src/sim has no wall clock, timers, I/O or unseeded randomness', () => {
    const files = readdirSync(SIM).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('simulator.ts');
    const found: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(SIM, f), 'utf8');
      for (const [re, what] of FORBIDDEN) if (re.test(text)) found.push(`${f}: ${what}`);
    }
    expect(found).toEqual([]);
  });
});
