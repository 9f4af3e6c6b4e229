import { describe, expect, it } from '@jest/globals';
import { BrokenVariant, TOPOLOGIES, makeScenario } from '../../../src/sim/scenario.js';
import { runScenario } from '../../../src/sim/simulator.js';

describe('simulator replay determinism', () => {
  it('replays a seed byte for byte: same trace, same digest, same stats', () => {
    const scenario = makeScenario(17, TOPOLOGIES[3]!);
    const a = runScenario(scenario, { fullTrace: true });
    const b = runScenario(makeScenario(17, TOPOLOGIES[3]!), { fullTrace: true });
    expect(a.ok).toBe(true);
    expect(a.trace!.length).toBeGreaterThan(1000);
    expect(b.trace).toEqual(a.trace);
    expect(b.digest).toBe(a.digest);
    expect(b.stats).toEqual(a.stats);
    expect(a.stats.blocksFinalized).toBeGreaterThan(0);
  });

  it('gives a different run for a different seed', () => {
    const a = runScenario(makeScenario(17, TOPOLOGIES[3]!));
    const c = runScenario(makeScenario(18, TOPOLOGIES[3]!));
    expect(c.digest).not.toBe(a.digest);
  });

  it('replays a failing seed to the same violation with the same trace', () => {
    const run = () =>
      runScenario(makeScenario(2, TOPOLOGIES[2]!, { broken: BrokenVariant.REVERT_FINAL }), { fullTrace: true });
    const a = run();
    const b = run();
    expect(a.ok).toBe(false);
    expect(b.failure).toEqual(a.failure);
    expect(b.trace).toEqual(a.trace);
    expect(a.traceTail).toHaveLength(50);
    expect(a.traceTail[a.traceTail.length - 1]).toContain('VIOLATION');
  });

  it('describes the scenario: seed, topology and fault schedule', () => {
    const s = makeScenario(23, TOPOLOGIES[4]!);
    expect(makeScenario(23, TOPOLOGIES[4]!)).toEqual(s);
    const d = runScenario(s).description;
    expect(d).toContain('seed=23 n=5 quorum=bft');
    expect(d).toMatch(/faults\[/);
  });
});
