/**
 * Fault 5: two of three validators stop (one cleanly with SIGTERM, one with SIGKILL). The
 * survivor must finalize nothing and say so on /health, and acknowledge no vote (no quorum can
 * hold one: it answers -32012 and keeps the votes pooled); when the two come back, finality
 * resumes on one chain and the votes sent meanwhile are acknowledged and finalized.
 */
import { describe, it } from '@jest/globals';
import { fetchHealth, finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { runScenario, useFaultNetwork } from './scenario.js';

const OUTAGE_SLOTS = 15;
const RESUME_SLOTS = 60;

describe('fault: two of three validators stop', () => {
  const fault = useFaultNetwork();
  const survivor = 0;
  const stopped = [1, 2];

  it('5. stop two of three: nothing is finalized and /health says so; bring them back: finality resumes', async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '5',
        title: 'stop two of three, then bring them back',
        asserts: [
          `the survivor's finalized height does not move for ${OUTAGE_SLOTS} slots, and its /health answers 503 with healthy=false and a reason naming the missing quorum`,
          'the survivor acknowledges no vote (it answers -32012 after --ack-timeout-ms: a vote on one disk is not a promise) but keeps taking them into its pool',
          `after the restart the highest finalized height rises within ${RESUME_SLOTS} slots, and all three reach one head`,
          'the votes sent during the outage are acknowledged once the others are back, and every acknowledged vote is finalized exactly once; identical chains, chain_valid, exact tally, no evidence',
        ],
      },
      async (r) => {
        const load = f.startLoad('s5');
        await f.waitSlots(6);
        const tStop = Date.now();
        await Promise.all([f.net.kill(stopped[0]!, 'SIGTERM'), f.net.kill(stopped[1]!, 'SIGKILL')]);
        await waitFor(
          async () => (await fetchHealth(f.urls[survivor]!))?.status === 503,
          f.slots(10),
          'the survivor to report unhealthy',
          () => r.tail(survivor),
        );
        const h0 = await finalizedHeight(f.urls[survivor]!);
        const ackedBefore = load.ackedBy[survivor]!;
        const notReplicatedBefore = load.errorCodes.get(-32012) ?? 0;
        await f.waitSlots(OUTAGE_SLOTS);
        const h1 = await finalizedHeight(f.urls[survivor]!);
        r.check(h1 === h0, `the survivor finalized alone: height ${h0} -> ${h1}`);
        const health = await fetchHealth(f.urls[survivor]!);
        r.check(
          health?.status === 503 && health.body.healthy === false,
          `the survivor's /health during the outage: ${health?.status} ${JSON.stringify(health?.body)}`,
        );
        const reasons = (health?.body.reasons ?? []) as string[];
        r.check(
          reasons.some((s) => /quorum/.test(s)),
          `the survivor's /health reasons do not name the missing quorum: ${JSON.stringify(reasons)}`,
        );
        const ackedDuringOutage = load.ackedBy[survivor]! - ackedBefore;
        const notReplicated = (load.errorCodes.get(-32012) ?? 0) - notReplicatedBefore;
        r.check(
          ackedDuringOutage === 0,
          `the survivor alone acknowledged ${ackedDuringOutage} votes during the outage`,
        );
        r.check(notReplicated > 0, 'the survivor never answered -32012 during the outage');

        const tResume = Date.now();
        for (const i of stopped) await f.net.start(i);
        await waitFor(
          () => f.monitor.firstAbove(h0, [0, 1, 2], tResume) !== undefined,
          f.slots(RESUME_SLOTS),
          'finality to resume',
          () => stopped.map((i) => r.tail(i, 8)).join('\n'),
        );
        const resumed = f.monitor.firstAbove(h0, [0, 1, 2], tResume)!;
        const stalledFrom =
          [...f.monitor.samples]
            .reverse()
            .find((s) => s.t <= tStop && s.heights[survivor] !== null && s.heights[survivor]! < h0)?.t ?? tStop;
        await waitFor(
          () => stopped.every((i) => f.monitor.caughtUpAt(i, [survivor], resumed) !== undefined),
          f.slots(RESUME_SLOTS),
          'all three at one head',
        );
        const together = Math.max(...stopped.map((i) => f.monitor.caughtUpAt(i, [survivor], resumed)!));
        await f.net.waitHealthy([0, 1, 2], f.slots(RESUME_SLOTS));
        await f.waitSlots(6);
        return {
          live: [0, 1, 2],
          catchUpMs: together - tResume,
          noFinalityMs: resumed - stalledFrom,
          extra: {
            outageMs: tResume - tStop,
            survivorHeightDuringOutage: h0,
            finalizedDuringOutage: h1 - h0,
            ackedBySurvivorDuringOutage: ackedDuringOutage,
            notReplicatedAnswersDuringOutage: notReplicated,
            finalityResumedAfterRestartMs: resumed - tResume,
            healthDuringOutage: `${health?.status} ${JSON.stringify(reasons)}`,
          },
        };
      },
    );
  }, 150_000);
});
