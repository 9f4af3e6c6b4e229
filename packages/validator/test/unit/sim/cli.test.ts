import { describe, expect, it } from '@jest/globals';
import { SimCliError, parseSimArgs, replayCommand, runSimCli, topologyForSeed } from '../../../src/sim/cli.js';
import { BrokenVariant, TOPOLOGIES } from '../../../src/sim/scenario.js';

describe('sim CLI', () => {
  it('parses options, with defaults and topology filters', () => {
    const o = parseSimArgs(['--seeds', '7', '--start', '3', '--validators', '4,5', '--quorum', 'bft', '--slots', '50']);
    expect(o).toMatchObject({ seeds: 7, start: 3, slots: 50, healSlots: 20, trace: false });
    expect(o !== 'help' && o.topologies).toEqual([
      { n: 4, quorum: 'bft' },
      { n: 5, quorum: 'bft' },
    ]);
    const d = parseSimArgs([]);
    expect(d !== 'help' && d.topologies).toEqual(TOPOLOGIES);
    expect(parseSimArgs(['--seed', '9', '--trace', '--broken', 'revert-final'])).toMatchObject({
      start: 9,
      seeds: 1,
      trace: true,
      broken: BrokenVariant.REVERT_FINAL,
    });
    expect(parseSimArgs(['--help'])).toBe('help');
  });

  it('refuses bad options with an error naming the option', () => {
    expect(() => parseSimArgs(['--seeds', '0'])).toThrow(/--seeds must be an integer >= 1/);
    expect(() => parseSimArgs(['--validators', '3,x'])).toThrow(/--validators/);
    expect(() => parseSimArgs(['--validators', '3', '--quorum', 'bft'])).toThrow(SimCliError);
    expect(() => parseSimArgs(['--broken', 'nope'])).toThrow(/--broken must be one of/);
    expect(() => parseSimArgs(['--slots', '10'])).toThrow(/--slots must be an integer >= 20/);
    expect(() => parseSimArgs(['--seed', '1', '--seeds', '3'])).toThrow(/--seed runs one seed/);
    expect(() => parseSimArgs(['--bogus'])).toThrow(SimCliError);
  });

  it('rotates topologies by seed and prints a replay command', () => {
    expect(topologyForSeed(0, TOPOLOGIES)).toBe(TOPOLOGIES[0]);
    expect(topologyForSeed(7, TOPOLOGIES)).toBe(TOPOLOGIES[2]);
    expect(replayCommand(12, { n: 4, quorum: 'bft' }, { slots: 60, healSlots: 20 })).toBe(
      'npm run sim -- --seed 12 --validators 4 --quorum bft --slots 60 --heal 20 --trace',
    );
  });

  it('runs seeds and prints a summary; exit 0 when clean', () => {
    const lines: string[] = [];
    const code = runSimCli(
      ['--seeds', '2', '--start', '1', '--validators', '3', '--slots', '30', '--heal', '15'],
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines[lines.length - 1]).toMatch(
      /^seeds run: 2, simulated slots: 60, blocks finalized: \d+, txs finalized: \d+, violations: 0/,
    );
  }, 60_000);

  it('exits 1 on a violation, printing the seed, the trace and the replay command', () => {
    const lines: string[] = [];
    const code = runSimCli(['--seed', '1', '--validators', '3', '--broken', 'quorum-1'], (l) => lines.push(l));
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/VIOLATION seed 1 \(3-majority\)/);
    expect(text).toContain('trace lines:');
    expect(text).toContain(
      'replay: npm run sim -- --seed 1 --validators 3 --quorum majority --slots 60 --heal 20 --broken quorum-1 --trace',
    );
    expect(text).toMatch(/violations: 1/);
  }, 60_000);

  it('prints usage and exits 2 on bad input', () => {
    const lines: string[] = [];
    expect(runSimCli(['--seeds', 'many'], (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/^error: --seeds/);
    expect(lines.join('\n')).toContain('usage: npm run sim');
  });
});
