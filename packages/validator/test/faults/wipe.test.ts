/**
 * Fault 3: a validator loses its disk. It is killed, its data directory deleted, and it is
 * restarted empty: it must resync the whole chain from the others and rejoin.
 */
import { describe, it } from '@jest/globals';
import { finalizedHeight, waitFor } from '@poa-vote/test-utils';
import { runScenario, useFaultNetwork } from './scenario.js';

const CATCH_UP_SLOTS = 90;

describe('fault: a validator loses its data directory', () => {
  const fault = useFaultNetwork();
  const victim = 1;
  const others = [0, 2];

  it("3. wipe one validator's data and restart it: it resyncs the whole chain", async () => {
    const f = fault();
    await runScenario(
      f,
      {
        id: '3',
        title: "wipe one validator's data directory and restart it",
        asserts: [
          'the load keeps using the victim until the wipe: what it acknowledged was already on a quorum (docs/DURABILITY.md)',
          `restarted empty (height 0 at start), it reaches the others' head within ${CATCH_UP_SLOTS} slots, verifying every block it syncs`,
          "its chain is block-for-block the others' from height 1, and every acknowledged vote is finalized exactly once on all three",
          'chain_valid, exact tally, no evidence on all three',
        ],
      },
      async (r) => {
        f.startLoad('s3');
        await f.waitSlots(15);
        const heightAtWipe = await finalizedHeight(f.urls[victim]!);
        await f.net.kill(victim);
        f.net.wipe(victim);
        await f.waitSlots(4);
        const readyBefore = f.net.validators[victim]!.ready.length;
        const tRestart = Date.now();
        const headAtRestart = Math.max(...others.map((i) => f.monitor.last(i) ?? 0));
        await f.net.start(victim);
        await waitFor(
          () => f.monitor.caughtUpAt(victim, others, tRestart) !== undefined,
          f.slots(CATCH_UP_SLOTS),
          `validator-${victim + 1} resynced`,
          () => r.tail(victim),
        );
        const caughtUp = f.monitor.caughtUpAt(victim, others, tRestart)!;
        const ready = f.net.validators[victim]!.ready[readyBefore];
        r.check(
          ready?.height === 0,
          `the wiped validator started at height ${ready?.height}, expected 0 (an empty database)`,
        );
        await f.waitSlots(8);
        return {
          live: [0, 1, 2],
          catchUpMs: caughtUp - tRestart,
          extra: {
            heightAtWipe,
            headAtRestart,
            resyncedBlocks: f.monitor.samples.find((s) => s.t === caughtUp)?.heights[victim] ?? null,
            processUpMs: ready ? ready.at - tRestart : null,
          },
        };
      },
    );
  }, 150_000);
});
