/**
 * Fault 8: one validator's clock is off by a fraction of a slot (--clock-skew-ms), first ahead,
 * then behind. Slots follow the local clock, so its proposals and votes arrive early or late;
 * the network must keep finalizing one chain.
 */
import { describe, it } from '@jest/globals';
import { finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { SLOT_MS, runScenario, useFaultNetwork } from './scenario.js';

const SKEW = 0.4;
const PHASE_SLOTS = 20;
/** "Keeps finalizing": at least this many blocks per phase, and no stall longer than this many slots. */
const MIN_BLOCKS = 8;
const MAX_STALL_SLOTS = 10;
const CATCH_UP_SLOTS = 60;

describe("fault: one validator's clock is skewed", () => {
  const fault = useFaultNetwork({ extraArgs: (i) => (skews[i] ? [`--clock-skew-ms=${skews[i]}`] : []) });
  const skewed = 2;
  const skews: Record<number, number> = { [skewed]: Math.round(SKEW * SLOT_MS) };

  it(`8. skew one validator's clock by +${SKEW} then -${SKEW} slot: the network keeps finalizing`, async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '8',
        title: `skew one validator's clock by +${SKEW} slot, then -${SKEW} slot`,
        asserts: [
          `in each ${PHASE_SLOTS}-slot phase every validator, the skewed one included, finalizes at least ${MIN_BLOCKS} blocks, with no stall longer than ${MAX_STALL_SLOTS} slots`,
          'every acknowledged vote is finalized exactly once; identical chains, chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        f.startLoad('s8');
        const phases: { skewMs: number; blocks: number[]; stallMs: number }[] = [];
        const phase = async (): Promise<void> => {
          const at = await Promise.all([0, 1, 2].map((i) => finalizedHeight(f.urls[i]!)));
          const t = Date.now();
          await f.waitSlots(PHASE_SLOTS);
          const now = await Promise.all([0, 1, 2].map((i) => finalizedHeight(f.urls[i]!)));
          const blocks = now.map((h, i) => h - at[i]!);
          const stallMs = f.monitor.longestStall(t, Date.now(), [0, 1, 2]);
          phases.push({ skewMs: skews[skewed]!, blocks, stallMs });
          blocks.forEach((b, i) => {
            r.check(
              b >= MIN_BLOCKS,
              `skew ${skews[skewed]} ms: validator-${i + 1} finalized ${b} blocks in ${PHASE_SLOTS} slots`,
            );
          });
          r.check(stallMs <= f.slots(MAX_STALL_SLOTS), `skew ${skews[skewed]} ms: no finality for ${stallMs} ms`);
        };
        await phase();
        // Restart it behind the others instead of ahead.
        await f.net.kill(skewed, 'SIGTERM');
        skews[skewed] = -Math.round(SKEW * SLOT_MS);
        const tRestart = Date.now();
        await f.net.start(skewed);
        await waitFor(
          () => f.monitor.caughtUpAt(skewed, [0, 1], tRestart) !== undefined,
          f.slots(CATCH_UP_SLOTS),
          'the skewed validator to catch up',
          () => r.tail(skewed),
        );
        const caughtUp = f.monitor.caughtUpAt(skewed, [0, 1], tRestart)!;
        await phase();
        return {
          live: [0, 1, 2],
          catchUpMs: caughtUp - tRestart,
          extra: Object.fromEntries(
            phases.flatMap((p) => {
              const tag = p.skewMs > 0 ? 'ahead' : 'behind';
              return [
                [`${tag}SkewMs`, p.skewMs],
                [`${tag}Blocks`, p.blocks.join('/')],
                [`${tag}LongestStallMs`, p.stallMs],
              ];
            }),
          ),
        };
      },
    );
  }, 150_000);
});
