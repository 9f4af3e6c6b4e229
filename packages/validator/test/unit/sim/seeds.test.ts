/**
 * Hundreds of seeds of random faults (partitions, flapping links, loss, duplication, delays,
 * skewed clocks, crashes and restarts from disk) across every topology run clean. The same
 * seeds run with `npm run sim -- --seeds 300 --start 1`.
 */
import { describe, expect, it } from '@jest/globals';
import { replayCommand, topologyForSeed } from '../../../src/sim/cli.js';
import {
  DEFAULT_FAULT_SLOTS,
  DEFAULT_HEAL_SLOTS,
  TOPOLOGIES,
  makeScenario,
  topologyName,
} from '../../../src/sim/scenario.js';
import { runScenario } from '../../../src/sim/simulator.js';

const FIRST_SEED = 1;
const SEEDS = 300;

describe.each(TOPOLOGIES.map((t) => [topologyName(t), t] as const))('%s: random fault seeds', (name, topology) => {
  it(`run clean (seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1} of this topology)`, () => {
    const failures: string[] = [];
    let ran = 0;
    let blocks = 0;
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      if (topologyForSeed(seed, TOPOLOGIES) !== topology) continue;
      const r = runScenario(makeScenario(seed, topology));
      ran++;
      blocks += r.stats.blocksFinalized;
      if (r.ok) continue;
      failures.push(
        [
          `seed ${seed} (${name}) at ${r.failure!.time}ms: ${r.failure!.message}`,
          `scenario: ${r.description}`,
          ...r.traceTail.map((l) => `  ${l}`),
          `replay: ${replayCommand(seed, topology, { slots: DEFAULT_FAULT_SLOTS + DEFAULT_HEAL_SLOTS, healSlots: DEFAULT_HEAL_SLOTS })}`,
        ].join('\n'),
      );
    }
    expect(failures).toEqual([]);
    expect(ran).toBe(SEEDS / TOPOLOGIES.length);
    expect(blocks).toBeGreaterThan(ran * 10);
  }, 180_000);
});
