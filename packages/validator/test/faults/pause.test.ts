/**
 * Fault 7: a validator is frozen with SIGSTOP for several slots (a long GC pause, a VM stall),
 * then continued with SIGCONT. Its timers fire late and its sockets hold stale messages; it must
 * catch up without signing anything conflicting.
 */
import { describe, it } from '@jest/globals';
import { finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { runScenario, useFaultNetwork } from './scenario.js';

const PAUSE_SLOTS = 15;
const CATCH_UP_SLOTS = 60;

describe('fault: a validator is paused (SIGSTOP) and continued', () => {
  const fault = useFaultNetwork();
  const victim = 0;
  const others = [1, 2];

  it('7. SIGSTOP one validator for several slots, then SIGCONT: it catches up', async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '7',
        title: `pause one validator (SIGSTOP) for ${PAUSE_SLOTS} slots`,
        asserts: [
          'the other two finalize at least 5 blocks each while it is paused',
          `after SIGCONT it reaches their head within ${CATCH_UP_SLOTS} slots`,
          'every acknowledged vote is finalized exactly once; identical chains, chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        f.startLoad('s7');
        await f.waitSlots(6);
        const at = await Promise.all(others.map((i) => finalizedHeight(f.urls[i]!)));
        const tStop = Date.now();
        f.net.signal(victim, 'SIGSTOP');
        await f.waitSlots(PAUSE_SLOTS);
        const now = await Promise.all(others.map((i) => finalizedHeight(f.urls[i]!)));
        others.forEach((i, k) => {
          r.check(
            now[k]! - at[k]! >= 5,
            `validator-${i + 1} finalized ${now[k]! - at[k]!} blocks while validator-${victim + 1} was paused`,
          );
        });
        const tCont = Date.now();
        f.net.signal(victim, 'SIGCONT');
        await waitFor(
          () => f.monitor.caughtUpAt(victim, others, tCont) !== undefined,
          f.slots(CATCH_UP_SLOTS),
          `validator-${victim + 1} to catch up`,
          () => r.tail(victim),
        );
        const caughtUp = f.monitor.caughtUpAt(victim, others, tCont)!;
        await f.waitSlots(6);
        return {
          live: [0, 1, 2],
          catchUpMs: caughtUp - tCont,
          noFinalityMs: f.monitor.longestStall(tStop, tCont, others),
          extra: { pausedMs: tCont - tStop, blocksWhilePaused: f.monitor.progress(tStop, tCont, others) },
        };
      },
    );
  }, 150_000);
});
