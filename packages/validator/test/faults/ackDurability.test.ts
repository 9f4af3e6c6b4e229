/**
 * Faults 9a-9c: an acknowledged vote survives the loss of any one validator, disk included
 * (docs/DURABILITY.md). A validator answers eth_sendTransaction only once a quorum holds the vote
 * on disk, so killing it (kill -9) the moment its answer arrives, and deleting its data
 * directory, loses nothing; neither does a validator that never comes back. The control shows
 * the old behaviour (--ack-mode local: acknowledged once on the accepting validator's disk)
 * losing acknowledged votes in the same situation.
 */
import { describe, expect, it } from '@jest/globals';
import { type Hex, type Transaction, txHash } from '@poa-vote/shared';
import { ballot, fetchHealth, rpcBatch, waitFor } from '@poa-vote/test-utils';
import { FaultNetwork, runScenario } from './scenario.js';

/** Kill-and-wipe rounds of 9a. */
const ROUNDS = 10;

interface Killed {
  /** Resolves once the process has exited. */
  exited: Promise<void>;
  /** Votes the killed validator had just acknowledged. */
  acked: number;
}

/**
 * A load (batches of 20) whose `killOnNextAck(i)` SIGKILLs validator i within the very tick the
 * client receives its next acknowledgement.
 */
function loadThatKills(
  f: FaultNetwork,
  voterPrefix: string,
): { killOnNextAck: (victim: number, timeoutMs: number) => Promise<Killed> } {
  let armed: { victim: number; fire: (k: Killed) => void } | undefined;
  f.startLoad(voterPrefix, {
    batchSize: 20,
    concurrency: 3,
    pauseMs: 20,
    onAck: (via, hashes) => {
      if (armed?.victim !== via) return;
      const { fire } = armed;
      armed = undefined;
      fire({ exited: f.net.killNow(via), acked: hashes.length });
    },
  });
  return {
    killOnNextAck: (victim, timeoutMs) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          armed = undefined;
          reject(new Error(`validator-${victim + 1} acknowledged nothing within ${timeoutMs} ms`));
        }, timeoutMs);
        armed = {
          victim,
          fire: (k) => {
            clearTimeout(t);
            resolve(k);
          },
        };
      }),
  };
}

async function vouching(f: FaultNetwork, i: number): Promise<boolean> {
  const h = await fetchHealth(f.urls[i]!);
  return h?.status === 200 && h.body.recovering === false && h.body.peers === 2;
}

describe('fault: acknowledged votes survive the loss of any one validator, disk included', () => {
  it('9a. kill -9 and wipe a validator within milliseconds of it acknowledging a batch, 10 times under load: nothing acknowledged is lost', async () => {
    const f = await FaultNetwork.start();
    try {
      await runScenario(
        f,
        {
          id: '9a',
          title: `kill -9 and wipe a validator the moment it acknowledges a batch, ${ROUNDS} times under load`,
          asserts: [
            'the victim is killed (SIGKILL) in the same tick of the test process as its acknowledgement arrives, and its data directory is deleted',
            "it restarts empty, reads both peers' pools, resyncs, and vouches again before the next round (victims rotate)",
            'every vote any validator ever acknowledged is finalized exactly once on all three; chain_valid, exact tally, no evidence',
          ],
        },
        async (r) => {
          const events: { victim: number; ackedInBatch: number; recoveredMs: number }[] = [];
          const load = loadThatKills(f, 'd9a');
          await f.waitSlots(4);
          for (let round = 0; round < ROUNDS; round++) {
            const victim = round % 3;
            await waitFor(
              () => vouching(f, victim),
              f.slots(60),
              `validator-${victim + 1} up and vouching before round ${round + 1}`,
              () => r.tail(victim),
            );
            const { exited, acked } = await load.killOnNextAck(victim, f.slots(30));
            await exited;
            f.net.wipe(victim);
            const t = Date.now();
            await f.net.start(victim);
            await waitFor(
              () => vouching(f, victim),
              f.slots(60),
              `validator-${victim + 1} recovered after round ${round + 1}`,
              () => r.tail(victim),
            );
            events.push({ victim, ackedInBatch: acked, recoveredMs: Date.now() - t });
          }
          await f.waitSlots(6);
          r.check(events.length === ROUNDS, `${events.length} of ${ROUNDS} kill-and-wipe rounds happened`);
          return {
            live: [0, 1, 2],
            extra: {
              rounds: events.length,
              votesInKilledBatches: events.reduce((n, e) => n + e.ackedInBatch, 0),
              slowestRecoveryMs: Math.max(...events.map((e) => e.recoveredMs)),
            },
          };
        },
      );
    } finally {
      await f.teardown();
    }
  }, 420_000);

  it('9b. kill -9 a validator the moment it acknowledges a batch and never bring it back: every acknowledged vote is final on the other two', async () => {
    const f = await FaultNetwork.start();
    const victim = 1;
    try {
      await runScenario(
        f,
        {
          id: '9b',
          title: 'kill -9 a validator the moment it acknowledges a batch; it never comes back',
          asserts: [
            'the victim is killed in the tick its acknowledgement arrives and stays down',
            "the load goes on through the other two; every vote acknowledged by any validator, the victim's last batch included, is finalized exactly once on both survivors",
          ],
        },
        async () => {
          const load = loadThatKills(f, 'd9b');
          await f.waitSlots(8);
          const { exited, acked } = await load.killOnNextAck(victim, f.slots(30));
          await exited;
          const lastBatch = [...f.acked.values()]
            .filter((v) => v.via === victim)
            .sort((a, b) => b.at - a.at)
            .slice(0, acked);
          await f.waitSlots(10);
          return {
            live: [0, 2],
            extra: {
              victimLastBatch: lastBatch.length,
              ackedByVictim: [...f.acked.values()].filter((v) => v.via === victim).length,
            },
          };
        },
      );
    } finally {
      await f.teardown();
    }
  }, 180_000);

  /**
   * The control. The victim is cut off from its peers (TCP proxies), so its gossip cannot land;
   * it takes a batch, is killed and loses its disk. Acknowledging on the local disk (the old
   * behaviour) loses every vote of the batch; acknowledging on a quorum answers -32012 instead,
   * the client resends the identical votes elsewhere, and all are finalized.
   */
  it.each([
    ['local', true],
    ['quorum', false],
  ] as const)(
    '9c. control, --ack-mode %s: an isolated validator takes a batch, then is killed and wiped (votes lost: %s)',
    async (mode, expectLoss) => {
      const f = await FaultNetwork.start({
        proxies: true,
        extraArgs: () => ['--ack-mode', mode, '--ack-timeout-ms', '1500'],
      });
      const victim = 2;
      try {
        f.mesh!.isolate(victim);
        await waitFor(
          async () => (await fetchHealth(f.urls[victim]!))?.body.peers === 0,
          f.slots(20),
          'victim isolated',
        );
        const txs: Transaction[] = Array.from({ length: 20 }, (_, k) => ({
          from: `d9c-${mode}-${k}`,
          to: `election-${f.electionId}`,
          data: ballot('alice'),
        }));
        const answers = await rpcBatch(
          f.urls[victim]!,
          txs.map((tx) => ({ method: 'eth_sendTransaction', params: [tx] })),
          10_000,
        );
        const acknowledged = answers.filter((a) => typeof a.result === 'string').length;
        const killed = f.net.killNow(victim);
        await killed;
        f.net.wipe(victim);
        f.mesh!.healAll();
        // The client's part: whatever was not acknowledged goes, identical, to another validator.
        const unacked = txs.filter((_, k) => typeof answers[k]!.result !== 'string');
        if (unacked.length > 0) {
          const again = await rpcBatch(
            f.urls[0]!,
            unacked.map((tx) => ({ method: 'eth_sendTransaction', params: [tx] })),
            10_000,
          );
          expect(again.every((a) => typeof a.result === 'string')).toBe(true);
        }
        await f.net.start(victim);
        await f.waitSlots(12);
        const hashes: Hex[] = txs.map((tx) => txHash(tx));
        const receipts = await rpcBatch(
          f.urls[0]!,
          hashes.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })),
          10_000,
        );
        const final = receipts.filter((rc) => rc.result !== null && rc.result !== undefined).length;
        const lostAcknowledged = acknowledged - Math.min(acknowledged, final);
        process.stderr.write(
          `9c --ack-mode ${mode}: ${acknowledged} of 20 acknowledged by the isolated validator (${answers.find((a) => a.error)?.error ? `others: ${JSON.stringify((answers.find((a) => a.error) as { error: unknown }).error).slice(0, 160)}` : 'all'}), ${final} final after the wipe\n`,
        );
        if (expectLoss) {
          // The old behaviour: all 20 acknowledged, none ever final.
          expect(acknowledged).toBe(20);
          expect(final).toBe(0);
        } else {
          expect(acknowledged).toBe(0);
          expect((answers[0]!.error as { code?: number } | undefined)?.code).toBe(-32012);
          expect(final).toBe(20);
          expect(lostAcknowledged).toBe(0);
        }
      } finally {
        await f.teardown();
      }
    },
    120_000,
  );
});
