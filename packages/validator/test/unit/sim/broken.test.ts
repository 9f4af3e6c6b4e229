/**
 * The checker must be able to fail: each deliberately broken validator is caught within a
 * bounded number of seeds, and the same scenario with the correct core runs clean.
 */
import { describe, expect, it } from '@jest/globals';
import { InvariantCode } from '../../../src/sim/invariants.js';
import { BrokenVariant, type Scenario, TOPOLOGIES, makeScenario } from '../../../src/sim/scenario.js';
import { type SimResult, runScenario } from '../../../src/sim/simulator.js';

function firstCaught(
  broken: BrokenVariant,
  maxSeeds: number,
  codes?: InvariantCode[],
): { seed: number; scenario: Scenario; result: SimResult } | undefined {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const scenario = makeScenario(seed, TOPOLOGIES[seed % TOPOLOGIES.length]!, { broken });
    const result = runScenario(scenario);
    if (!result.ok && (!codes || codes.includes(result.failure!.code))) return { seed, scenario, result };
  }
  return undefined;
}

function expectCaught(broken: BrokenVariant, maxSeeds: number, codes: InvariantCode[]): void {
  const caught = firstCaught(broken, maxSeeds);
  expect(caught).toBeDefined();
  const { scenario, result } = caught!;
  expect(codes).toContain(result.failure!.code);
  expect(result.traceTail.length).toBeGreaterThan(0);
  expect(result.description).toContain(`BROKEN=${broken}`);
  // The same schedule with a correct validator is clean: the bug, not the schedule, was caught.
  const { broken: _, ...correct } = scenario;
  const control = runScenario(correct);
  expect(control.failure).toBeUndefined();
}

describe('the checker catches broken validators', () => {
  it('(a) a quorum of 1: certificates without a quorum, forks', () => {
    expectCaught(BrokenVariant.QUORUM_1, 2, [InvariantCode.BAD_CERTIFICATE, InvariantCode.AGREEMENT]);
  }, 60_000);

  it('(b) a validator that forgets its last vote on restart: double votes or proposals, forks', () => {
    expectCaught(BrokenVariant.FORGET_SAFETY, 10, [InvariantCode.EVIDENCE, InvariantCode.AGREEMENT]);
    // Beyond the evidence it leaves, forgetting a lock forks the chain: agreement catches that.
    const fork = firstCaught(BrokenVariant.FORGET_SAFETY, 120, [InvariantCode.AGREEMENT]);
    expect(fork?.result.failure?.message).toMatch(/already final there/);
  }, 120_000);

  it('(c) fork choice that reverts a final block', () => {
    expectCaught(BrokenVariant.REVERT_FINAL, 15, [
      InvariantCode.FINALITY_REGRESSED,
      InvariantCode.AGREEMENT,
      InvariantCode.BAD_CERTIFICATE,
    ]);
  }, 60_000);

  it('(d) acknowledging a vote once one validator holds it: an acknowledged vote on too few disks', () => {
    expectCaught(BrokenVariant.ACK_LOCAL, 5, [
      InvariantCode.ACK_UNDER_REPLICATED,
      InvariantCode.LOST_TX,
      InvariantCode.ACK_CONFLICT,
    ]);
  }, 60_000);

  it('(e) a validator that lost its disk vouching at once: acknowledged votes on too few disks', () => {
    expectCaught(BrokenVariant.NO_RECOVERY, 10, [
      InvariantCode.ACK_UNDER_REPLICATED,
      InvariantCode.LOST_TX,
      InvariantCode.ACK_CONFLICT,
    ]);
  }, 60_000);
});
