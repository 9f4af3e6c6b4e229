/**
 * The empty-block interval (ConsensusOptions.emptyBlockIntervalSlots) under the simulator's random
 * faults: leaders with nothing to propose skip their slot unless the head is old enough. Seeds of
 * every topology run clean with it (safety, every acknowledged vote final, liveness within the
 * bound scaled by the interval), and their chains are shorter than with a block every slot, the
 * control: the option does skip blocks, not only pass.
 */
import { describe, expect, it } from '@jest/globals';
import { topologyForSeed } from '../../../src/sim/cli.js';
import { TOPOLOGIES, makeScenario, minHealSlots, topologyName } from '../../../src/sim/scenario.js';
import { runScenario } from '../../../src/sim/simulator.js';

const SEEDS = 30;
const INTERVAL = 3;

describe('the empty-block interval in the simulator', () => {
  it(`runs ${SEEDS} fault seeds clean with an empty block every ${INTERVAL} slots at most, on shorter chains than with one every slot`, () => {
    const failures: string[] = [];
    let sparseBlocks = 0;
    let everyBlocks = 0;
    let acked = 0;
    const healSlots = minHealSlots(INTERVAL) + 5;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const topology = topologyForSeed(seed, TOPOLOGIES);
      const r = runScenario(makeScenario(seed, topology, { healSlots, emptyBlockIntervalSlots: INTERVAL }));
      if (!r.ok)
        failures.push(
          [
            `seed ${seed} (${topologyName(topology)}): ${r.failure!.message}`,
            `scenario: ${r.description}`,
            ...r.traceTail,
          ].join('\n'),
        );
      sparseBlocks += r.stats.blocksFinalized;
      acked += r.stats.txsAcked;
      everyBlocks += runScenario(makeScenario(seed, topology, { healSlots })).stats.blocksFinalized;
    }
    expect(failures).toEqual([]);
    expect(acked).toBeGreaterThan(SEEDS * 10);
    expect(sparseBlocks).toBeLessThan(everyBlocks * 0.9);
  }, 180_000);
});
